"""How a whole set moved: the joints that travelled and the body's posture.

The classifier judges 1.5 s windows and has only seen synthetic bodies and a few real
ones; the joints a whole set moved are plain geometry. A raise whose shoulders never
moved is not a raise, and a standing set where only the elbows bend through 90 degrees
with the upper arms hanging can only be a curl. ``measure`` reads a set's ``Movement``
once; ``decision`` checks it against each exercise's movers and signature.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.rules.base import range_of

FloatArray = npt.NDArray[np.float64]

# Fraction of a set's frames a side must be seen in for its angles to count.
MIN_SEEN = 0.3

# Frames a set needs before its movement says anything: a few of a rep, at least.
MIN_FRAMES = 5

# Joints seen less clearly than this are left out: an occluded elbow's angle is a guess.
MIN_JOINT_VISIBILITY = 0.3


def _from_up(
    rows: FloatArray, starts: tuple[int, int], ends: tuple[int, int], seen: int
) -> FloatArray:
    """``(T, 2)`` radians between each side's start->end segment and straight up.

    Read from the segment's rise in the image against its longest image length in the
    sequence, so a segment swinging towards or away from the camera still shows its
    travel (its 2D direction alone barely changes). Images are y-down. A side whose
    ``seen`` landmark (index into ``starts``/``ends``: 0 the start, 1 the end) is seen
    less clearly than ``MIN_JOINT_VISIBILITY`` is NaN there.
    """
    pts = geo.as_points(rows, 0.0)
    out = np.full((len(pts), 2), np.nan)
    for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
        d = pts[:, end, :2] - pts[:, start, :2]
        full = geo.broadside_length(np.hypot(d[:, 0], d[:, 1]))
        if not full > 0:
            continue
        with np.errstate(invalid="ignore"):
            out[:, k] = np.arccos(np.clip(-d[:, 1] / full, -1.0, 1.0))
        if rows.shape[-1] >= geo.XYZV:
            vis = rows[:, (start, end)[seen], 3]
            with np.errstate(invalid="ignore"):
                out[~(vis >= MIN_JOINT_VISIBILITY), k] = np.nan
    return out


def forearm_opening(rows: FloatArray) -> FloatArray:
    """``(T, 2)`` radians between each forearm and straight up: pi hanging, small curled.

    A curl filmed from the front swings the forearm towards the camera, and its 2D elbow
    angle barely moves until the hand passes the elbow; the forearm's rise shows the
    whole range (a half curl too). The elbow must be seen.
    """
    return _from_up(rows, (geo.L_ELBOW, geo.R_ELBOW), (geo.L_WRIST, geo.R_WRIST), 0)


@dataclass(frozen=True)
class Movement:
    """How a set moved, from its 2D landmarks.

    Attributes:
        ranges: Degrees each joint kind travelled (``elbow``, ``shoulder``, ``hip``,
            ``knee``: the larger of the two sides seen; NaN when neither side was), and
            ``forearm``, the forearm's swing from hanging (``forearm_opening``:
            it shows an elbow bending towards the camera that the 2D angle hides).
        legs_upright: Median incline of the hip-to-ankle line from vertical, degrees
            (under ~30 standing; NaN when the legs are not seen).
        trunk_travel: Degrees the trunk's incline from vertical travelled.
        trunk_upright: Median trunk incline from vertical, degrees (0 standing or
            sitting upright, 90 lying or bent level).
        arm_hang: Median angle between trunk and upper arm, degrees (small with the
            arms hanging at the sides, ~180 overhead).
        stance_travel: How far the gap between the ankles opened and closed over the
            set, in leg lengths (robust range; a squat's feet stay put, a lunge steps
            out and back); NaN when the ankles are not seen.
    """

    ranges: dict[str, float]
    trunk_travel: float
    trunk_upright: float
    arm_hang: float
    legs_upright: float
    stance_travel: float = float("nan")


def _median(series: FloatArray) -> float:
    v = series[np.isfinite(series)]
    return float(np.median(v)) if v.size else float("nan")


def _seen(pair: FloatArray) -> list[FloatArray]:
    """The columns of a ``(T, 2)`` left/right series seen in ``MIN_SEEN`` of the frames."""
    return [pair[:, k] for k in range(pair.shape[1]) if np.isfinite(pair[:, k]).mean() >= MIN_SEEN]


def _travel(pair: FloatArray) -> float:
    """Degrees the more mobile seen side travelled; NaN when neither side was seen."""
    spreads = [range_of(side) for side in _seen(pair)]
    return float(np.nanmax(spreads)) if spreads else float("nan")


def measure(rows: npt.ArrayLike) -> Movement | None:
    """Measure a set's ``(T, 33, 3|4)`` landmarks; None when too few frames show a body."""
    arr = np.asarray(rows, dtype=np.float64)
    if arr.ndim != geo.SEQUENCE_NDIM or len(arr) < MIN_FRAMES:
        return None
    lean = geo.trunk_lean(arr)
    if np.isfinite(lean).mean() < MIN_SEEN:
        return None
    angles = geo.joint_angles(arr, "2d", min_visibility=geo.MIN_VISIBILITY)

    def both(joint: str) -> FloatArray:
        return angles[:, [geo.ANGLE_INDEX[f"left_{joint}"], geo.ANGLE_INDEX[f"right_{joint}"]]]

    ranges = {joint: _travel(both(joint)) for joint in ("elbow", "shoulder", "hip", "knee")}
    ranges["forearm"] = _travel(np.degrees(forearm_opening(arr)))
    hang = [_median(side) for side in _seen(both("shoulder"))]
    pts = geo.as_points(arr)
    legs = pts[:, [geo.L_ANKLE, geo.R_ANKLE], :2] - pts[:, [geo.L_HIP, geo.R_HIP], :2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        leg = np.nanmean(legs, axis=1)
        arm = float(np.nanmin(hang)) if hang else float("nan")
    legs_upright = _median(np.degrees(np.arctan2(np.abs(leg[:, 0]), leg[:, 1])))
    stance = _stance(pts, legs)
    return Movement(ranges, range_of(lean), _median(lean), arm, legs_upright, stance)


def _stance(pts: FloatArray, legs: FloatArray) -> float:
    """Travel of the ankle-to-ankle gap in leg lengths (``Movement.stance_travel``).

    ``legs`` is each frame's hip-to-ankle vector per side, ``(T, 2, 2)``.
    """
    gap = np.linalg.norm(pts[:, geo.L_ANKLE, :2] - pts[:, geo.R_ANKLE, :2], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        leg = _median(np.nanmax(np.linalg.norm(legs, axis=2), axis=1))
    if not leg > 0 or np.isfinite(gap).mean() < MIN_SEEN:
        return float("nan")
    return range_of(gap) / leg
