"""Reps in one motion signal: out-and-back excursions from rest, found with hysteresis."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise.counting import CounterParams, CountResult, RepSpan
from edge_trainer.exercise.filters import typical_amplitude

FloatArray = npt.NDArray[np.float64]


def rest_is_high(sig: FloatArray, lo: float, hi: float, tie: bool | None = None) -> bool:
    """Whether rest is the signal's high end: the end where the set starts and finishes.

    People start and end a set in the rest position (standing, arms down, hanging). When
    the two ends disagree (a live count of a set that has just begun ends mid-rep), the
    ``tie`` the caller knows from the exercise's joints decides; without one, the end
    where the signal dwells longer (pauses happen at rest).
    """
    v = np.flatnonzero(np.isfinite(sig))
    if v.size == 0:
        return False
    n = max(3, v.size // 20)
    ends = np.concatenate([sig[v[:n]], sig[v[-n:]]])
    mid = (lo + hi) / 2
    score = float(np.mean(ends > mid) - 0.5)
    if abs(score) < 0.2:
        if tie is not None:
            return tie
        vals = sig[v]
        score = float(np.mean(vals > mid) - 0.5)
    return score > 0


def excursions(
    u: FloatArray, t: FloatArray, params: CounterParams, amp: float
) -> tuple[list[RepSpan], list[RepSpan]]:
    """Full and partial out-and-back excursions of a normalised signal.

    Args:
        u: Signal scaled so rest is about 0 and a typical rep's far end about 1 (NaN: no
            pose; an excursion in progress across NaNs is dropped).
        t: Frame times.
        params: Thresholds.
        amp: The typical amplitude, to report each rep's amplitude in signal units.

    Returns:
        ``(reps, partials)``.
    """
    reps: list[RepSpan] = []
    partials: list[RepSpan] = []
    start: int | None = None
    peak = 0
    low = params.enter * 0.5
    # A rep counts only if it was seen leaving rest: a clip that starts mid-rep, or a
    # pose that returns after a gap mid-rep, does not count the half it shows.
    seen_rest = False
    for i in range(len(u)):
        ui = u[i]
        if not np.isfinite(ui):
            start = None
            seen_rest = False
            continue
        if start is None:
            if ui < params.enter:
                seen_rest = True
            elif seen_rest:
                # The rep began where the signal last left rest, not where it crossed.
                j = i
                while j > 0 and np.isfinite(u[j - 1]) and low < u[j - 1] < u[j]:
                    j -= 1
                start, peak = j, i
            continue
        if ui > u[peak]:
            peak = i
        if ui < low:
            end = i
            height = float(u[peak])
            dur = float(t[end] - t[start])
            span = RepSpan(start, peak, end, height * amp, height, height < params.full)
            if params.min_rep_s <= dur <= params.max_rep_s:
                if height >= params.full:
                    reps.append(span)
                elif height >= params.partial + low:
                    partials.append(span)
            start = None
    return reps, partials


def find_reps(
    sig: FloatArray,
    t: FloatArray,
    params: CounterParams,
    amplitude_floor: float = 0.0,
    tie: bool | None = None,
) -> CountResult:
    """Find out-and-back excursions in a 1D signal (one set, no trend).

    Args:
        sig: The motion signal (NaN for frames with no pose after gap filling).
        t: Frame times in seconds.
        params: Thresholds.
        amplitude_floor: Smallest typical amplitude that counts as motion at all.
        tie: Whether rest is the high end when the signal's own ends disagree
            (``rest_is_high``).
    """
    amp = typical_amplitude(sig, t)
    if amp <= max(amplitude_floor, 1e-9):
        return CountResult((), (), sig, False, amp)
    v = sig[np.isfinite(sig)]
    lo, hi = float(np.percentile(v, 5)), float(np.percentile(v, 95))
    rest_high = rest_is_high(sig, lo, hi, tie)
    rest = hi if rest_high else lo
    u = (sig - rest) * (-1.0 if rest_high else 1.0) / amp
    reps, partials = excursions(u, t, params, amp)
    return CountResult(tuple(reps), tuple(partials), sig, rest_high, amp)
