"""Real landmark sets beyond RepCount as training clips: Penn Action, WorkoutTracker, QUVA.

They are read as ``make eval`` reads them (``eval_data``: the same groups, the same
landmarks of the box's own pose stage for the video sets, from the same cache), so a
clip's group in the fold map is the group ``make eval`` looks up to find the model that
never saw it. A movement that is not on our list (Penn's sports, QUVA's other
repetitions, WorkoutTracker's dips) is a ``rest`` example: the class that stands for
"not one of ours". The whole clip is active: the sets are cut to the movement.

``videos/`` is never trained on: it stays a data set no model has seen, read here only
for the model card.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import numpy as np

from edge_trainer.config import Config
from edge_trainer.exercise.classifier import CLASSES
from edge_trainer.exercise.names import REST
from edge_trainer.training.data import Clip
from edge_trainer.training.eval_data import EvalClip, load_all, video_rows

log = logging.getLogger(__name__)

EXTRA_SOURCES = ("penn", "workouttracker", "quva")


def as_training_clip(clip: EvalClip) -> Clip:
    """An evaluation clip as a training clip: its exercise, or ``rest`` when not ours."""
    label = clip.exercise if clip.exercise in CLASSES else REST
    rows = np.asarray(clip.rows, dtype=np.float32)
    return Clip(
        name=f"{clip.source}/{clip.name}",
        source=clip.source,
        group=clip.group,
        label=label,
        rows=rows,
        fps=clip.fps,
        active=((0.0, rows.shape[0] / clip.fps),),
    )


def load_real(
    data_dir: Path, cache: Path, sources: tuple[str, ...], models_dir: Path
) -> dict[str, list[Clip]]:
    """Classifier clips of each wanted real set (``EXTRA_SOURCES`` or ``videos``) found
    under ``data_dir``.

    Video sets need their landmarks from the box's pose stage: cached ones are read from
    ``cache`` (``make eval``'s cache, shared so each video goes through the pose stage
    once); a video not cached yet goes through the pose models in ``models_dir``.
    """
    if not sources:
        return {}
    base = Config()
    cfg = replace(base, paths=replace(base.paths, models_dir=str(models_dir)))
    found = load_all(data_dir, lambda path: video_rows(path, cache, cfg), sources, cache)
    out = {}
    for source, clips in found.items():
        usable = [as_training_clip(c) for c in clips if c.has_pose]
        log.info(
            "source %s: %d clips (%d with no pose left out)",
            source, len(usable), len(clips) - len(usable),
        )  # fmt: skip
        out[source] = usable
    return out
