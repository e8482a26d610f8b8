"""Rep tempo (concentric, eccentric and pause seconds) and mean concentric velocity."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise import catalogue
from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.counting import RepSpan

FloatArray = npt.NDArray[np.float64]

# Reps a set's velocity loss needs: the last one and one to compare it with.
MIN_LOSS_REPS = 2

# A turning point is "held" while the motion signal stays within this fraction of the
# rep's range from its far extreme: about the landmark jitter of a still body.
HOLD_FRACTION = 0.1


@dataclass(frozen=True, slots=True)
class Tempo:
    """Timing of one rep in seconds, and its mean concentric velocity.

    Attributes:
        start_s: Time the rep started.
        end_s: Time the rep ended.
        concentric_s: Lifting phase.
        eccentric_s: Lowering phase.
        pause_s: Hold at the far turning point.
        velocity: Mean concentric velocity in body heights per second, or None.
    """

    start_s: float
    end_s: float
    concentric_s: float
    eccentric_s: float
    pause_s: float
    velocity: float | None


def rep_tempo(
    span: RepSpan,
    signal: FloatArray,
    t: FloatArray,
    rows: npt.ArrayLike,
    *,
    exercise: str,
    rest_high: bool,
    body_height: float,
) -> Tempo:
    """Split a rep into its phases and measure its concentric velocity.

    Args:
        span: The rep, as indices into ``signal``, ``t`` and ``rows``.
        signal: The counter's motion signal.
        t: Frame times.
        rows: ``(T, 33, 3|4)`` landmarks in image coordinates (for the velocity).
        exercise: Exercise name (``unknown`` allowed).
        rest_high: Whether rest is the high end of ``signal``.
        body_height: Body height in image units (``geometry.sequence_body_height``).
    """
    a, p, b = span.start, span.peak, span.end
    seg = signal[a : b + 1]
    far = seg if not rest_high else -seg
    far = np.where(np.isfinite(far), far, -np.inf)
    top = float(far[p - a])
    rng = top - float(np.min(far[np.isfinite(far)])) if np.isfinite(far).any() else 0.0
    held = np.flatnonzero(far >= top - HOLD_FRACTION * max(rng, 1e-9))
    h0, h1 = (int(held[0]) + a, int(held[-1]) + a) if held.size else (p, p)
    out_s = float(t[h0] - t[a])
    back_s = float(t[b] - t[h1])
    pause_s = float(t[h1] - t[h0])
    entry = catalogue.get(exercise)
    # Unknown movements are taken to lift first, the more common case.
    concentric_first = entry.concentric_first if entry is not None else True
    conc, ecc = (out_s, back_s) if concentric_first else (back_s, out_s)
    c0, c1 = (a, h0) if concentric_first else (h1, b)
    velocity = _velocity(rows, t, (c0, c1), exercise, body_height)
    return Tempo(float(t[a]), float(t[b]), conc, ecc, pause_s, velocity)


def _velocity(
    rows: npt.ArrayLike, t: FloatArray, span: tuple[int, int], exercise: str, body_height: float
) -> float | None:
    """Mean speed of the exercise's bar point over the frames in ``span``, heights / s."""
    i0, i1 = span
    dur = float(t[i1] - t[i0])
    if dur <= 0 or not np.isfinite(body_height) or body_height <= 0:
        return None
    pts = geo.as_points(np.asarray(rows)[[i0, i1]], min_visibility=0.0)[..., :2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN: no velocity
        return _distance(pts, exercise, dur, body_height)


def _distance(pts: FloatArray, exercise: str, dur: float, body_height: float) -> float | None:
    """Velocity from the bar point's start and end positions ``(2, 33, 2)``."""
    entry = catalogue.get(exercise)
    if entry is None:
        # Unknown movement: the body landmark that travelled furthest.
        moved = np.linalg.norm(pts[1, geo.BODY_LANDMARKS] - pts[0, geo.BODY_LANDMARKS], axis=-1)
        if not np.isfinite(moved).any():
            return None
        dist = float(np.nanmax(moved))
    else:
        p = np.nanmean(pts[:, list(entry.velocity_point)], axis=1)
        dist = float(np.linalg.norm(p[1] - p[0]))
    if not np.isfinite(dist):
        return None
    return dist / body_height / dur


def velocity_loss_pct(velocities: list[float | None], first_n: int = 3) -> float | None:
    """Velocity loss of a set: % drop from the best of the first reps to the last rep.

    Strength coaches stop a set at 20-30% loss; the best of the first ``first_n`` reps is
    the reference because the first rep is often slower (the lifter is still settling).
    None with fewer than two measured reps.
    """
    v = [x for x in velocities if x is not None and np.isfinite(x)]
    if len(v) < MIN_LOSS_REPS:
        return None
    best = max(v[:first_n])
    if best <= 0:
        return None
    return float(max(0.0, (best - v[-1]) / best * 100.0))
