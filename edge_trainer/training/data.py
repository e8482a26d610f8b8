"""Labelled landmark clips for training: real dev sets on disk and synthetic-gym clips."""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from edge_trainer.errors import InputError
from edge_trainer.exercise.classifier import CLASSES
from edge_trainer.exercise.features import check_rows
from edge_trainer.exercise.names import REST

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data"

# Dataset classes that are not in our list are movements we do not know: ``rest``.
REPCOUNT_MAP = {"pommel_horse": REST}
FORM_POSE_MAP = {"shoulder_shrug": REST}


@dataclass(frozen=True)
class Clip:
    """One labelled landmark sequence.

    Attributes:
        name: Unique name (source and file).
        source: Where it came from (``repcount``, ``form_pose``, ``sim``, ...).
        group: Subject or generator seed; clips of one group are never split across
            training and evaluation.
        label: Class name in ``CLASSES``.
        rows: ``(frames, 33, 4)`` landmarks, NaN rows where nobody was found.
        fps: Frame rate.
        active: ``(start_s, end_s)`` spans where the label holds; outside them the clip
            is not used for this label (setup and walking before the first rep).
    """

    name: str
    source: str
    group: str
    label: str
    rows: npt.NDArray[np.float32]
    fps: float
    active: tuple[tuple[float, float], ...]


def subject(stem: str) -> str:
    """The subject group of a RepCount clip (file name without extension)."""
    # RepCount names are stuN_M (subject N) or trainK/testK (one clip per group).
    m = re.match(r"(stu\d+)_", stem)
    return m.group(1) if m else stem


def load_repcount(folder: Path, fps: float = 30.0) -> list[Clip]:
    """RepCount landmark clips, active over the span of the annotated repetitions.

    The frame rate is not stored with the data; 30 fps is assumed, as ``analyze`` does by
    default (speed augmentation covers the 25-30 fps spread).
    """
    labels = folder / "labels.csv"
    if not labels.is_file():
        return []
    clips = []
    with labels.open(newline="") as f:
        for rec in csv.DictReader(f):
            name = rec["file"].strip()
            label = REPCOUNT_MAP.get(rec["exercise"], rec["exercise"])
            if label not in CLASSES:
                log.warning("repcount %s: class %s not known; skipped", name, label)
                continue
            rows = check_rows(np.load(folder / name))
            bounds = [b.split("-") for b in rec["rep_bounds"].split(";") if "-" in b]
            frames = [(int(a), int(b)) for a, b in bounds]
            start = min(a for a, _ in frames) if frames else 0
            end = max(b for _, b in frames) if frames else rows.shape[0]
            clips.append(
                Clip(
                    name=f"repcount/{name}",
                    source="repcount",
                    group=subject(Path(name).stem),
                    label=label,
                    rows=rows,
                    fps=fps,
                    active=((start / fps, end / fps),),
                )
            )
    return clips


def load_form_pose(folder: Path, fps: float = 30.0) -> list[Clip]:
    """Pose Trainer clips (COCO joints in BlazePose order); the whole clip is active."""
    labels = folder / "labels.csv"
    if not labels.is_file():
        return []
    clips = []
    with labels.open(newline="") as f:
        for rec in csv.DictReader(f):
            name = rec["file"].strip()
            label = FORM_POSE_MAP.get(rec["exercise"], rec["exercise"])
            rows = check_rows(np.load(folder / name))
            # Subjects are not recorded with the data, so each clip is its own group.
            clips.append(
                Clip(
                    name=f"form_pose/{name}",
                    source="form_pose",
                    group=f"pt_{Path(name).stem}",
                    label=label,
                    rows=rows,
                    fps=fps,
                    active=((0.0, rows.shape[0] / fps),),
                )
            )
    return clips


def load_landmark_dir(folder: Path, source: str) -> list[Clip]:
    """Clips cached as ``NAME.npz`` with ``rows``, ``fps``, ``label``, ``group``, ``active``."""
    clips = []
    for path in sorted(folder.glob("*.npz")):
        with np.load(path, allow_pickle=False) as z:
            label = str(z["label"])
            if label not in CLASSES:
                raise InputError(f"{path}: label {label!r} is not a classifier class")
            clips.append(
                Clip(
                    name=f"{source}/{path.stem}",
                    source=source,
                    group=str(z["group"]),
                    label=label,
                    rows=check_rows(z["rows"]),
                    fps=float(z["fps"]),
                    active=tuple((float(a), float(b)) for a, b in np.asarray(z["active"])),
                )
            )
    return clips


def save_clip(folder: Path, clip: Clip) -> Path:
    """Cache a clip as ``folder/<name>.npz`` (readable by :func:`load_landmark_dir`)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (clip.name.replace("/", "__") + ".npz")
    np.savez_compressed(
        path,
        rows=clip.rows.astype(np.float32),
        fps=np.float64(clip.fps),
        label=np.str_(clip.label),
        group=np.str_(clip.group),
        active=np.asarray(clip.active, dtype=np.float64).reshape(-1, 2),
    )
    return path


def load_videos(folder: Path, cache_dir: Path, models_dir: Path) -> list[Clip]:
    """Real video clips through our pose stage (cached), labelled by ``labels.csv``.

    Clips whose exercise is not a class, and the listed no-exercise clips, are ``rest``.
    The whole clip is active (title cards and walking included, as the box would see it).
    """
    labels = folder / "labels.csv"
    if not labels.is_file():
        return []
    known = {}
    with labels.open(newline="") as f:
        for rec in csv.DictReader(f):
            known[rec["file"].strip()] = rec["exercise"].strip()
    clips = []
    for path in sorted(folder.glob("*.mp4")):
        label = known.get(path.name, REST)
        label = label if label in CLASSES else REST
        cache = cache_dir / f"{path.stem}.npz"
        if cache.is_file():
            with np.load(cache) as z:
                rows, fps = z["rows"], float(z["fps"])
        else:
            rows, fps = video_landmarks(path, models_dir)
            cache_dir.mkdir(parents=True, exist_ok=True)
            np.savez_compressed(cache, rows=rows, fps=np.float64(fps))
        clips.append(
            Clip(f"videos/{path.name}", "videos", path.stem, label, rows, fps,
                 ((0.0, rows.shape[0] / fps),))
        )  # fmt: skip
    return clips


def video_landmarks(path: Path, models_dir: Path) -> tuple[npt.NDArray[np.float32], float]:
    """``(frames, 33, 4)`` landmarks of a video from the box's own pose stage, and its fps."""
    import cv2

    from edge_trainer.pose.blazepose import BlazePoseEstimator

    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise InputError(f"cannot open video '{path}'")
    fps = float(cap.get(cv2.CAP_PROP_FPS)) or 30.0
    estimator = BlazePoseEstimator.from_store(models_dir)
    rows: list[npt.NDArray[np.float32]] = []
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            rgb = np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), dtype=np.uint8)
            pose = estimator.estimate(rgb, len(rows) / fps)
            rows.append(pose.as_row() if pose is not None else np.full((33, 4), np.nan, np.float32))
    finally:
        cap.release()
        estimator.close()
    log.info("%s: %d frames through the pose stage", path.name, len(rows))
    return np.stack(rows).astype(np.float32), fps
