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
