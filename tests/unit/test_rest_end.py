"""Which end of the movement is rest: the set's ends, unless they lie outside the movement."""

from __future__ import annotations

import numpy as np

from edge_trainer.exercise.excursions import rest_is_high


def _set(before: float, after: float) -> np.ndarray:
    """Six reps that rest at +1 (a pause there) and dip to -1, between two held poses."""
    t = np.arange(0, 3.0, 1 / 30)
    rep = np.where(t < 1.0, 1.0, np.cos(2 * np.pi * (t - 1.0) / 2.0))
    return np.concatenate([np.full(45, before), np.tile(rep, 6), np.full(45, after)])


def _range(sig: np.ndarray) -> tuple[float, float]:
    lo, hi = np.percentile(sig, [5, 95])
    return float(lo), float(hi)


def test_the_ends_of_a_set_are_rest() -> None:
    # Starting and finishing at the high end: rest is high.
    sig = _set(1.0, 1.0)
    assert rest_is_high(sig, *_range(sig), reach=(-1.0, 1.0))


def test_a_pose_outside_the_movement_says_nothing_about_rest() -> None:
    # Standing before lying down on the bench projects far below the movement: read as
    # an end it would make the low end rest and count each rep half a cycle late.
    sig = _set(-6.0, -6.0)
    lo, hi = _range(sig)
    core = sig[45:-45]
    assert not rest_is_high(sig, lo, hi, core)
    assert rest_is_high(sig, lo, hi, core, reach=(-1.0, 1.0))
