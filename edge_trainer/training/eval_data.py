"""The shared real-data sets as landmark clips with their truth, for ``make eval``.

Each set is read in place from ``../shared/data`` (never copied): RepCount and Penn
Action as landmark arrays, the video sets through the project's own pose stage (cached
by file name and size, so a rerun is quick).
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from edge_trainer.config import Config
from edge_trainer.exercise import catalogue

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
# The frame rate RepCount's landmark files were made at is not stored; most of its
# videos are 25-30 fps.
REPCOUNT_FPS = 30.0


@dataclass(frozen=True)
class EvalClip:
    """One real clip with what is known about it.

    Attributes:
        name: File name.
        source: Data set (``repcount``, ``videos``, ``workouttracker``, ``quva``, ``penn``,
            ``sim`` for the synthetic gym).
        group: Subject or shoot: clips of one group are held out together.
        rows: ``(frames, 33, 4)`` landmarks, all-NaN rows where nobody was found.
        fps: Frame rate.
        reps: True repetitions (None where the set does not count them).
        exercise: The product's exercise name, or ``unknown`` for a movement outside the
            list (``none`` for a clip with no exercise at all).
        activity: The data set's own name for what is done.
        path: The video file, for the sets that have one.
    """

    name: str
    source: str
    group: str
    rows: FloatArray
    fps: float
    reps: int | None
    exercise: str
    activity: str
    path: Path | None = None

    @property
    def has_pose(self) -> bool:
        """Whether any frame has a landmark (a clip with none scores 0 reps)."""
        return bool(np.isfinite(self.rows[..., :2]).any())


PoseReader = Callable[[Path], tuple[FloatArray, float]]


def _labels(folder: Path) -> list[dict[str, str]]:
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _ours(name: str) -> str:
    """A data set's exercise name as ours: ``unknown`` when it is not on our list."""
    return name if name in catalogue.names() else "unknown"


def repcount_subject(stem: str) -> str:
    """The subject of a RepCount clip: ``stuN`` for ``stuN_M``, else the clip itself."""
    m = re.match(r"(stu\d+)_", stem)
    return m.group(1) if m else stem


def load_repcount(folder: Path) -> list[EvalClip]:
    """RepCount landmark sequences (per-frame min-max normalised by their source)."""
    out = []
    for row in _labels(folder):
        arr = np.load(folder / row["file"], allow_pickle=False).astype(np.float64)
        stem = Path(row["file"]).stem
        out.append(
            EvalClip(
                row["file"], "repcount", repcount_subject(stem), arr, REPCOUNT_FPS,
                int(row["reps"]), _ours(row["exercise"]), row["exercise"],
            )
        )  # fmt: skip
    return out


def load_penn(folder: Path) -> list[EvalClip]:
    """Penn Action: hand-annotated joints; six of our exercises and other sports."""
    out = []
    for row in _labels(folder):
        arr = np.load(folder / row["file"], allow_pickle=False).astype(np.float64)
        exercise = _ours(row["exercise"])
        out.append(
            EvalClip(
                row["file"], "penn", f"penn_{row['action']}_{Path(row['file']).stem}", arr,
                float(row["fps"]), None, exercise, row["action"],
            )
        )  # fmt: skip
    return out


def shoot(source: str, name: str) -> str:
    """The group of a video clip: WorkoutTracker's clips of one shoot share a prefix."""
    if source == "workouttracker":
        # <class>__<name>_<n>.mp4: clips numbered from one stock shoot share <name>.
        return name.split("__", 1)[-1].rsplit("_", 1)[0]
    return Path(name).stem


def video_rows(path: Path, cache: Path, cfg: Config) -> tuple[FloatArray, float]:
    """Landmarks of a video through our pose stage, cached by file name and size."""
    cache.mkdir(parents=True, exist_ok=True)
    key = cache / f"{path.stem}-{path.stat().st_size}.npz"
    if key.is_file():
        data = np.load(key)
        return data["rows"].astype(np.float64), float(data["fps"])
    from edge_trainer.camera.video import VideoFileSource
    from edge_trainer.pose.blazepose import BlazePoseEstimator

    est = BlazePoseEstimator.from_store(Path(cfg.paths.models_dir), cfg.pose)
    src = VideoFileSource(path)
    src.open()
    rows = []
    try:
        while (frame := src.read()) is not None:
            pose = est.estimate(frame.image, frame.t)
            rows.append(np.full((33, 4), np.nan) if pose is None else pose.as_row())
    finally:
        src.close()
        est.close()
    arr = np.asarray(rows, dtype=np.float64)
    np.savez_compressed(key, rows=arr, fps=src.fps)
    return arr, src.fps


def load_videos(folder: Path, source: str, read_pose: PoseReader) -> list[EvalClip]:
    """A folder of labelled videos (``videos``, ``workouttracker``, ``quva``).

    ``videos/`` lists only the clips with an exercise; any other clip there is a
    negative (no exercise, ``none``, 0 reps).
    """
    labelled = {r["file"]: r for r in _labels(folder)}
    names = sorted(p.name for p in folder.glob("*.mp4")) if source == "videos" else list(labelled)
    out = []
    for name in names:
        row = labelled.get(name)
        rows, fps = read_pose(folder / name)
        if row is None:
            exercise, activity, reps = "none", "no exercise", 0
        else:
            activity = row.get("activity") or row["exercise"]
            exercise = _ours(row["exercise"])
            reps = int(row["reps"])
        out.append(
            EvalClip(
                name, source, shoot(source, name), rows, fps, reps, exercise, activity,
                folder / name,
            )
        )  # fmt: skip
    return out


def load_all(
    data: Path, read_pose: PoseReader, wanted: tuple[str, ...], cache: Path
) -> dict[str, list[EvalClip]]:
    """Every wanted set found under ``data``; a missing folder is logged and skipped.

    ``sim`` is the synthetic gym's evaluation sets, made here (cached in ``cache``).
    """
    folders = {
        "repcount": "repcount_pose",
        "videos": "videos",
        "workouttracker": "workouttracker",
        "quva": "quva",
        "penn": "penn_action",
    }
    out: dict[str, list[EvalClip]] = {}
    for source in wanted:
        folder = data / folders.get(source, source)
        if source != "sim" and not (folder / "labels.csv").is_file():
            log.warning("%s: no data at %s; skipped", source, folder)
            continue
        if source == "sim":
            out[source] = load_sim(cache)
        elif source == "repcount":
            out[source] = load_repcount(folder)
        elif source == "penn":
            out[source] = load_penn(folder)
        else:
            out[source] = load_videos(folder, source, read_pose)
    return out


# Synthetic-gym clips for evaluation use seeds far from the ones the classifier's
# training clips use.
SIM_SEED = 900_000
SIM_VIEWS = (("front", 0.0), ("45", 45.0), ("side", 90.0))
SIM_REPS = 6


def sim_faults(exercise: str) -> tuple[tuple[int, str], ...]:
    """The faults injected in an evaluation set: reps 2 and 5, the exercise's codes in turn."""
    from edge_trainer.sim.faults import faults_for

    codes = faults_for(exercise)
    return tuple((r, codes[i % len(codes)]) for i, r in enumerate((2, 5))) if codes else ()


def load_sim(cache: Path) -> list[EvalClip]:
    """One set of every exercise from three views on the renderer's exact landmarks.

    The landmarks are cached in ``cache`` by seed, exercise, view and renderer version.
    """
    from edge_trainer import sim
    from edge_trainer.sim.api import SIM_VERSION
    from edge_trainer.sim.render import Renderer

    cache.mkdir(parents=True, exist_ok=True)
    out = []
    for k, exercise in enumerate(sim.exercises()):
        for j, (view, deg) in enumerate(SIM_VIEWS):
            seed = SIM_SEED + 3 * k + j
            key = cache / f"sim-{exercise}-{view}-{seed}-v{SIM_VERSION}.npz"
            if key.is_file():
                with np.load(key) as z:
                    rows, fps = z["rows"].astype(np.float64), float(z["fps"])
            else:
                spec = sim.single_set(
                    exercise, SIM_REPS, deg, faults=sim_faults(exercise), seed=seed
                )
                truth = Renderer(spec).truth()
                rows, fps = truth.landmark_array().astype(np.float64), truth.fps
                np.savez_compressed(key, rows=rows, fps=fps)
            out.append(
                EvalClip(
                    f"{exercise}@{view}", "sim", exercise, rows, fps, SIM_REPS, exercise, exercise
                )
            )  # fmt: skip
    return out
