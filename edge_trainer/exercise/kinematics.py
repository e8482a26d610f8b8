"""What a set's movement rules in or out: the joints that moved and the body's posture.

The classifier judges 1.5 s windows and has only seen synthetic bodies and a few real
ones; the joints a whole set moved are plain geometry. A raise whose shoulders never
moved is not a raise, and a standing set where only the elbows bend through 90 degrees
with the upper arms hanging can only be a curl. ``Movement`` measures a set once;
``plausible`` and ``signature`` are what ``recognition.decide_exercise`` asks of it.
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

# A joint moved when its angle travelled this far over the set (robust 5-95 range):
# well above landmark noise (~5-10 degrees) and below any of these lifts' range.
MOVED_DEG = 40.0

# Joints an exercise cannot be done without moving, in the measures of ``Movement``;
# a set where every one of them was seen and none moved is not that exercise. Only the
# exercises whose movers show from every view are listed: a row's or a sit-up's travel
# can hide along the camera's line of sight, so 2D ranges cannot rule them out.
MOVERS: dict[str, tuple[str, ...]] = {
    "front_raise": ("shoulder",),
    "lateral_raise": ("shoulder",),
    "jumping_jack": ("shoulder",),
    "bicep_curl": ("elbow", "forearm"),
    "tricep_extension": ("elbow", "forearm"),
    "push_up": ("elbow", "forearm"),
    "bench_press": ("elbow", "forearm"),
    "shoulder_press": ("elbow", "forearm", "shoulder"),
}


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
        if rows.shape[-1] >= 4:
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
    if arr.ndim != 3 or len(arr) < 5:
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


def plausible(exercise: str, m: Movement) -> bool:
    """False only when every joint the exercise must move was seen and none moved."""
    movers = MOVERS.get(exercise)
    if not movers:
        return True
    seen = [m.ranges.get(j, float("nan")) for j in movers]
    if not all(np.isfinite(seen)):
        return True
    return max(seen) >= MOVED_DEG


# What each signature saw, for the decision's reason.
SIGNATURES = {
    "bicep_curl": "upright, upper arms hanging, only the elbows bend",
    "deadlift": "standing, the trunk hinges with straight arms and soft knees",
    "lunge": "standing, the knees bend as the feet step apart and back",
}


def signature(m: Movement) -> str | None:
    """The one exercise the movement can only be, or None when it is not that plain.

    - ``bicep_curl``: upright, upper arms hanging (trunk to upper arm under 35 degrees)
      and staying there (shoulders travel under 25), elbows bending through 70+.
    - ``deadlift``: standing (legs within 30 degrees of vertical), the trunk hinges
      through 35+ degrees while the elbows stay straight (under 25) and the knees bend
      less than a squat's (under 50).
    - ``lunge``: standing, the knees bend through 50+ degrees while the feet step apart
      and back by 0.35+ leg lengths (a squat's ankles move under 0.1: landmark jitter)
      and the shoulders stay still (under 40; a jumping jack's legs open too, with the
      arms swinging overhead).
    """
    r = m.ranges
    elbow, shoulder, knee = r["elbow"], r["shoulder"], r["knee"]
    if m.trunk_upright < 25.0 and m.arm_hang < 35.0 and shoulder < 25.0 and elbow >= 70.0:
        return "bicep_curl"
    if m.legs_upright < 30.0 and m.trunk_travel >= 35.0 and elbow < 25.0 and not knee >= 50.0:
        return "deadlift"
    if m.legs_upright < 30.0 and knee >= 50.0 and shoulder < 40.0 and m.stance_travel >= 0.35:
        return "lunge"
    return None
