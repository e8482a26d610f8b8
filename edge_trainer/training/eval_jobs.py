"""Analysing many clips as ``edge-trainer analyze`` does, on every core.

A job names its classifier by folder (a model folder with a manifest) so that worker
processes can load their own interpreter; each worker keeps the ones it loaded.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edge_trainer.config import ExerciseConfig
from edge_trainer.errors import ModelError
from edge_trainer.events import SetRecord
from edge_trainer.exercise.counting import CounterParams
from edge_trainer.exercise.kinematics import Movement, measure
from edge_trainer.exercise.offline import analyze_rows, offline
from edge_trainer.exercise.trace import SetExplanation
from edge_trainer.training.eval_data import EvalClip

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One clip to analyse.

    Attributes:
        clip: The clip.
        counter: The counter's settings.
        exercise: The exercise given (``auto``: recognised).
        classifier: Model folder of the classifier that names the sets (None: none).
    """

    clip: EvalClip
    counter: CounterParams
    exercise: str = "auto"
    classifier: Path | None = None


@dataclass(frozen=True)
class Outcome:
    """What the analysis of one clip found.

    Attributes:
        reps: Reps over all sets.
        sets: The sets, in order.
        named: The exercise of the set with the most reps (``-`` for none).
        reasons: Why each set got its name.
        window_probs: The classifier's probabilities during that set (what it was named
            from), so the naming can be decided again with other settings.
        movement: That set's measured movement (``kinematics.measure``).
    """

    reps: int
    sets: tuple[SetRecord, ...]
    named: str
    reasons: tuple[str, ...]
    window_probs: tuple[dict[str, float], ...] = ()
    movement: Movement | None = None


_RECOGNIZERS: dict[Path, Any] = {}


def _recognizer(folder: Path | None) -> Any:
    if folder is None:
        return None
    if folder not in _RECOGNIZERS:
        from edge_trainer.exercise.recognition import ExerciseRecognizer

        try:
            _RECOGNIZERS[folder] = ExerciseRecognizer.from_folder(folder)
        except ModelError as exc:
            log.warning("no classifier at %s (%s): sets are not named", folder, exc)
            _RECOGNIZERS[folder] = None
    return _RECOGNIZERS[folder]


def run(job: Job) -> Outcome:
    """Analyse one clip as ``analyze`` does (every frame, the whole clip)."""
    clip = job.clip
    if not clip.has_pose:
        return Outcome(0, (), "-", ())
    recognizer = _recognizer(job.classifier) if job.exercise == "auto" else None
    if recognizer is not None:
        recognizer.reset()
    cfg = offline(ExerciseConfig(exercise=job.exercise))
    explanations: list[SetExplanation] = []
    sets, _ = analyze_rows(
        clip.rows, clip.fps, cfg, recognizer, counter=job.counter, explanations=explanations
    )
    named = max(sets, key=lambda s: s.rep_count).exercise if sets else "-"
    reasons = tuple(e.exercise_reason for e in explanations)
    main = max(explanations, key=lambda e: e.record.rep_count, default=None)
    movement = None
    if main is not None and len(main.t):
        a, b = (round(float(x) * clip.fps) for x in (main.t[0], main.t[-1]))
        movement = measure(clip.rows[a : b + 1])
    probs = main.window_probs if main is not None else ()
    return Outcome(sum(s.rep_count for s in sets), tuple(sets), named, reasons, probs, movement)


def run_all(jobs: Sequence[Job], workers: int | None = None) -> Iterator[Outcome]:
    """Outcomes of ``jobs``, in order, on ``workers`` processes (default: every core)."""
    n = workers or max(1, min(len(jobs), os.cpu_count() or 1))
    if n <= 1:
        yield from (run(j) for j in jobs)
        return
    with ProcessPoolExecutor(max_workers=n) as pool:
        yield from pool.map(run, jobs, chunksize=1)


def mae_obo(pairs: Sequence[tuple[int, int]]) -> tuple[float, float]:
    """Mean of ``|count - truth| / truth`` and the share within one rep (NaN: none)."""
    if not pairs:
        return float("nan"), float("nan")
    err = [abs(p - t) / max(t, 1) for p, t in pairs]
    return float(np.mean(err)), float(np.mean([abs(p - t) <= 1 for p, t in pairs]))
