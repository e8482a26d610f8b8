"""Synthetic-gym training clips: specs from a seed, landmarks via our own pose stage, cached.

Each clip is one set framed by non-exercise movement (labelled ``rest``), or movement
only. Landmarks come from rendering every frame and running the box's BlazePose stage on
it, so the classifier learns the pose model's real noise; that costs tens of
milliseconds a frame, so results are cached as ``.npz`` under the cache folder (never
committed). ``mode="truth"`` takes the renderer's exact landmarks instead (fast; used for
extra variety and when no pose models are installed).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise.classifier import CLASSES
from edge_trainer.exercise.names import REST
from edge_trainer.training.data import Clip

log = logging.getLogger(__name__)

VIEWS = (0.0, 45.0, 90.0)
PRE_ACTIVITIES = ("stand", "walk_in", "stretch", "pick_up")
POST_ACTIVITIES = ("stand", "walk_out", "sit", "stretch")
FPS = 15.0
SIZE = (480, 360)
# Held-out clips draw their seeds from a disjoint range.
HELDOUT_OFFSET = 100_000


@dataclass(frozen=True)
class SimItem:
    """One clip to generate: its spec and a stable cache key."""

    key: str
    spec: object  # edge_trainer.sim.spec.ClipSpec (imported lazily)
    group: str


def clip_specs(seed: int, per_view: int = 1, heldout: bool = False) -> list[SimItem]:
    """Clip specs for every exercise in every view, plus movement-only clips.

    Args:
        seed: Base seed; every clip's own seed derives from it.
        per_view: Clips per exercise and view.
        heldout: Draw from the held-out seed range.
    """
    from edge_trainer.exercise import catalogue
    from edge_trainer.sim.spec import ActivitySpec, ClipSpec, SetSpec

    base = seed + (HELDOUT_OFFSET if heldout else 0)
    rng = np.random.default_rng(base)
    items: list[SimItem] = []
    n = 0
    for exercise in catalogue.labels():
        for view in VIEWS:
            for _ in range(per_view):
                n += 1
                clip_seed = base * 1000 + n
                sign = -1.0 if rng.random() < 0.5 else 1.0
                set_spec = SetSpec(
                    exercise=exercise,
                    reps=int(rng.integers(4, 8)),
                    view=sign * (view + float(rng.uniform(-10, 10))),
                    tempo=float(rng.uniform(0.7, 1.4)),
                    variation=float(rng.uniform(0.05, 0.15)),
                    variant="hammer" if exercise == "bicep_curl" and rng.random() < 0.3 else "",
                )
                pre = ActivitySpec(str(rng.choice(PRE_ACTIVITIES)), float(rng.uniform(1.5, 3)))
                post = ActivitySpec(str(rng.choice(POST_ACTIVITIES)), float(rng.uniform(1.5, 3)))
                spec = _clip(ClipSpec, (pre, set_spec, post), clip_seed, rng)
                items.append(SimItem(_key(spec), spec, f"sim{clip_seed}"))
    for _ in range(len(VIEWS) * 2 * per_view):
        n += 1
        clip_seed = base * 1000 + n
        view = float(rng.uniform(-90, 90))
        kinds = rng.choice(("stand", "walk_in", "stretch", "pick_up", "sit", "walk_out"), 3)
        segs = tuple(ActivitySpec(str(k), float(rng.uniform(2, 4)), view) for k in kinds)
        spec = _clip(ClipSpec, segs, clip_seed, rng)
        items.append(SimItem(_key(spec), spec, f"sim{clip_seed}"))
    return items


def _clip(cls: type, segments: tuple[object, ...], seed: int, rng: np.random.Generator) -> object:
    return cls(
        segments=segments, seed=seed, width=SIZE[0], height=SIZE[1], fps=FPS,
        background=str(rng.choice(("plain", "gradient", "gym", "gym"))),
        noise=float(rng.uniform(0, 4)), blur=bool(rng.random() < 0.2),
        second_person=bool(rng.random() < 0.1),
    )  # fmt: skip


def _key(spec: object) -> str:
    from edge_trainer.sim.render import spec_summary

    text = json.dumps(spec_summary(spec), sort_keys=True, default=str)  # type: ignore[arg-type]
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def landmarks_for(
    spec: object, mode: str, models_dir: Path | None
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64], float]:
    """Landmarks, per-frame class indices and fps of one rendered clip.

    Args:
        spec: The clip spec.
        mode: ``pose`` (our pose stage on the rendered frames) or ``truth``.
        models_dir: Model store with the pose models (``pose`` mode).
    """
    from edge_trainer.sim.render import Renderer

    renderer = Renderer(spec)  # type: ignore[arg-type]
    truth = renderer.truth()
    labels = np.array([CLASSES.index(lb if lb in CLASSES else REST) for lb in truth.labels()])
    if mode == "truth":
        return truth.landmark_array(), labels, float(truth.fps)
    from edge_trainer.pose.blazepose import BlazePoseEstimator

    assert models_dir is not None
    estimator = BlazePoseEstimator.from_store(models_dir)
    rows = np.full((truth.frames, 33, 4), np.nan, dtype=np.float32)
    try:
        for i in range(truth.frames):
            t = i / truth.fps
            pose = estimator.estimate(renderer.render(i), t)
            if pose is not None:
                rows[i] = pose.as_row()
    finally:
        estimator.close()
    return rows, labels, float(truth.fps)


def split_by_label(
    name: str,
    group: str,
    rows: npt.NDArray[np.float32],
    labels: npt.NDArray[np.int64],
    fps: float,
) -> list[Clip]:
    """One Clip per label in the clip, active over that label's frame runs."""
    clips = []
    for code in np.unique(labels):
        mask = labels == code
        edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])))
        spans = tuple((a / fps, b / fps) for a, b in zip(edges[::2], edges[1::2], strict=True))
        clips.append(Clip(f"{name}:{CLASSES[code]}", "sim", group, CLASSES[code], rows, fps, spans))
    return clips


def sim_clips(
    cache_dir: Path,
    seed: int,
    *,
    mode: str = "pose",
    per_view: int = 1,
    heldout: bool = False,
    models_dir: Path | None = None,
) -> list[Clip]:
    """Synthetic clips (generated now, or read from ``cache_dir``), split by label.

    Returns an empty list, with a warning, when the synthetic gym is not available.
    """
    try:
        items = clip_specs(seed, per_view, heldout)
    except ImportError as exc:
        log.warning("synthetic gym unavailable (%s); no sim clips", exc)
        return []
    cache_dir.mkdir(parents=True, exist_ok=True)
    out: list[Clip] = []
    for i, item in enumerate(items):
        path = cache_dir / f"{mode}-{item.key}.npz"
        if path.is_file():
            with np.load(path) as z:
                rows, labels, fps = z["rows"], z["labels"], float(z["fps"])
        else:
            log.info("sim clip %d/%d (%s landmarks)", i + 1, len(items), mode)
            rows, labels, fps = landmarks_for(item.spec, mode, models_dir)
            tmp = path.with_suffix(".tmp.npz")
            np.savez_compressed(tmp, rows=rows, labels=labels, fps=np.float64(fps))
            tmp.replace(path)
        out += split_by_label(f"sim/{mode}-{item.key}", item.group, rows, labels, fps)
    return out
