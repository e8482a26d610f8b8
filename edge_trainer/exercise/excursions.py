"""Reps in one motion signal: out-and-back excursions from rest, found with hysteresis."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise.counting import CounterParams, Rejected, RepSpan

FloatArray = npt.NDArray[np.float64]

# Rest is the end the signal spends more than half its time at (above or below HALF of
# its frames); the ends of a set say so on their own when 0.2 past even (70/30).
HALF = 0.5
CLEAR_ENDS = 0.2
# An end frame this far (share of the movement's range) beyond the range is out of it.
OUTSIDE = 0.25


def rest_is_high(
    sig: FloatArray,
    lo: float,
    hi: float,
    core: FloatArray | None = None,
    reach: tuple[float, float] | None = None,
) -> bool:
    """Whether rest is the signal's high end.

    People start and end a set at rest (standing, arms down, hanging), so rest is the
    end where the movement starts and finishes. When the two ends disagree (a live count
    of a set that has just begun ends mid-rep, getting into position started from the
    other end), rest is the end the repeating ``core`` of the signal (the whole signal
    without one) spends more time at: between reps people pause at rest.

    ``reach`` is the ``(low, high)`` range the repeated movement itself covers (in
    ``sig``'s units): an end frame beyond it by more than ``OUTSIDE`` of that range is
    a pose outside the movement (still standing before lying down on the bench, walking
    off) and says nothing about where rest is.
    """
    v = np.flatnonzero(np.isfinite(sig))
    if v.size == 0:
        return False
    n = max(3, v.size // 20)
    mid = (lo + hi) / 2
    ends = np.concatenate([sig[v[:n]], sig[v[-n:]]])
    if reach is not None:
        margin = OUTSIDE * (reach[1] - reach[0])
        ends = ends[(ends >= reach[0] - margin) & (ends <= reach[1] + margin)]
    share = float(np.mean(ends > mid) - HALF) if ends.size else 0.0
    if abs(share) >= CLEAR_ENDS:
        return share > 0
    inner = sig[v] if core is None else core[np.isfinite(core)]
    if inner.size == 0:
        return share > 0
    c_lo, c_hi = np.percentile(inner, [5, 95])
    return float(np.mean(inner > (c_lo + c_hi) / 2)) > HALF


@dataclass(frozen=True, slots=True)
class Excursions:
    """What one pass over a normalised signal found.

    Attributes:
        reps: Excursions that reached ``full``.
        partials: Excursions between ``partial`` and ``full``.
        rejected: Out-and-back movements that are neither, with the reason.
    """

    reps: list[RepSpan]
    partials: list[RepSpan]
    rejected: list[Rejected]


def excursions(u: FloatArray, t: FloatArray, params: CounterParams, amp: float) -> Excursions:
    """Full and partial out-and-back excursions of a normalised signal.

    Args:
        u: Signal scaled so rest is about 0 and a typical rep's far end about 1 (NaN: no
            pose; an excursion in progress across NaNs is dropped).
        t: Frame times.
        params: Thresholds.
        amp: The typical amplitude, to report each rep's amplitude in signal units.
    """
    found = Excursions([], [], [])
    start: int | None = None
    peak = 0
    low = params.enter * 0.5
    # A rep counts only if it was seen leaving rest: a clip that starts mid-rep, or a
    # pose that returns after a gap mid-rep, does not count the half it shows.
    seen_rest = False
    for i in range(len(u)):
        ui = u[i]
        if not np.isfinite(ui):
            if start is not None:
                found.rejected.append(
                    Rejected(start, peak, i - 1, float(u[peak]), "the pose was lost mid-rep")
                )
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
            _judge(found, RepSpan(start, peak, i, 0.0, float(u[peak]), False), t, params, amp)
            start = None
    return found


def _judge(
    found: Excursions, span: RepSpan, t: FloatArray, params: CounterParams, amp: float
) -> None:
    """File one excursion as a rep, a partial or a rejected candidate."""
    height = span.relative
    dur = float(t[span.end] - t[span.start])
    judged = RepSpan(span.start, span.peak, span.end, height * amp, height, height < params.full)
    if dur < params.min_rep_s:
        found.rejected.append(_rejected(judged, f"too quick ({dur:.2f} s)"))
    elif dur > params.max_rep_s:
        found.rejected.append(_rejected(judged, f"too slow ({dur:.1f} s)"))
    elif height >= params.full:
        found.reps.append(judged)
    elif height >= params.partial + params.enter * 0.5:
        found.partials.append(judged)
    else:
        found.rejected.append(_rejected(judged, f"too small ({height:.2f} of a typical rep)"))


def _rejected(span: RepSpan, reason: str) -> Rejected:
    return Rejected(span.start, span.peak, span.end, span.relative, reason)
