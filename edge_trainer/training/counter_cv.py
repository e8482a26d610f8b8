"""The counter's knobs chosen on some folds and judged on the fold left out.

``make eval`` counts every clip with knobs that never saw it: for each fold (a group of
RepCount subjects, or a whole other data set) the knobs are the ones with the lowest
error on all the other folds, over ``GRID``. The shipped defaults are the ones chosen
on every fold at once (``choose`` over all clips), so the held-out figure is what to
expect on people the box has never seen.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise.counting import CounterParams
from edge_trainer.exercise.periodic import PeriodCache
from edge_trainer.exercise.reps import count_exercise
from edge_trainer.training.eval_data import EvalClip

log = logging.getLogger(__name__)

# The knobs and the values tried; everything else in CounterParams is a physical limit.
GRID: dict[str, tuple[Any, ...]] = {
    "full": (0.5, 0.6),
    "rhythm": (0.0, 0.75),
}


def candidates(base: CounterParams | None = None) -> list[CounterParams]:
    """Every combination of ``GRID`` on top of ``base``."""
    start = base or CounterParams()
    keys = list(GRID)
    return [
        replace(start, **dict(zip(keys, values, strict=True)))
        for values in itertools.product(*GRID.values())
    ]


def describe(params: CounterParams) -> str:
    """The grid's knobs of ``params`` in one short string."""
    return ", ".join(f"{k} {getattr(params, k)}" for k in GRID)


def fold_of(clip: EvalClip, subject_folds: dict[str, int]) -> str:
    """The fold a clip is held out in: its RepCount subject's fold, else its data set."""
    if clip.source == "repcount":
        k = subject_folds.get(clip.group)
        return f"repcount fold {k}" if k is not None else f"repcount {clip.group}"
    return clip.source


def whole_clip_counts(clips: Sequence[EvalClip], params: Sequence[CounterParams]) -> Any:
    """``(clips, params)`` rep counts of each whole clip, exercise not given.

    The periodicity of a clip does not depend on the knobs, so it is computed once per
    clip and shared by every candidate.
    """
    counts = np.zeros((len(clips), len(params)), dtype=np.int64)
    for i, clip in enumerate(clips):
        if not clip.has_pose:
            continue
        t = np.arange(len(clip.rows)) / clip.fps
        caches: dict[str, PeriodCache] = {}
        for j, p in enumerate(params):
            counts[i, j] = len(count_exercise(clip.rows, t, None, p, caches=caches).reps)
    return counts


def errors(counts: npt.NDArray[np.int64], truth: Sequence[int]) -> npt.NDArray[np.float64]:
    """``|count - truth| / truth`` per clip and candidate (a zero truth counts as one)."""
    true = np.asarray(truth, dtype=np.float64)[:, None]
    return np.asarray(np.abs(counts - true) / np.maximum(true, 1.0))


def choose(err: npt.NDArray[np.float64], sources: Sequence[str], mask: Any) -> int:
    """The candidate with the lowest error over the ``mask``ed clips.

    Each data set weighs the same (the mean of its clips' errors), so the largest set
    does not decide alone; ties go to the earlier candidate.
    """
    src = np.asarray(sources)
    per_source = [err[mask & (src == s)].mean(axis=0) for s in sorted(set(src[mask]))]
    return int(np.argmin(np.mean(per_source, axis=0)))


@dataclass(frozen=True)
class CrossValidation:
    """The knobs each fold was counted with, chosen without it.

    Attributes:
        params: The candidates.
        chosen: Fold -> index of the candidate chosen on the other folds.
        everywhere: Index of the candidate chosen on all folds (the shipped defaults).
    """

    params: list[CounterParams]
    chosen: dict[str, int]
    everywhere: int

    def for_fold(self, fold: str) -> CounterParams:
        """The knobs the clips of ``fold`` are counted with."""
        return self.params[self.chosen[fold]]


def cross_validate(
    clips: Sequence[EvalClip], folds: Sequence[str], params: list[CounterParams]
) -> CrossValidation:
    """Choose knobs for every fold on the others (and once on all clips)."""
    counted = [c for c in clips if c.reps is not None]
    keep = [c.reps is not None for c in clips]
    fold_arr = np.asarray([f for f, k in zip(folds, keep, strict=True) if k])
    sources = [c.source for c in counted]
    err = errors(whole_clip_counts(counted, params), [int(c.reps or 0) for c in counted])
    chosen = {f: choose(err, sources, fold_arr != f) for f in sorted(set(fold_arr))}
    everywhere = choose(err, sources, np.ones(len(counted), dtype=bool))
    for fold, k in chosen.items():
        log.info("fold %s: %s", fold, describe(params[k]))
    return CrossValidation(params, chosen, everywhere)
