"""Exercise-specific primary signals for the rep counter: the joint angles that carry a rep.

When the exercise is known the counter follows the joints the exercise moves (a curl's
elbows, a squat's knees and hips) instead of the whole body, so a fidgeting leg or a
shifting stance does not blur a set of curls. Angles are 2D, in radians, both sides; a
side the camera cannot see is dropped by the counter as a mostly-missing column.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise import geometry as geo

FloatArray = npt.NDArray[np.float64]
SignalFn = Callable[[FloatArray], FloatArray]

# The joints whose angles make the rep, per exercise.
PRIMARY_JOINTS: dict[str, tuple[str, ...]] = {
    "squat": ("knee", "hip"),
    "lunge": ("knee", "hip"),
    "deadlift": ("hip", "knee"),
    "push_up": ("elbow",),
    "bench_press": ("elbow",),
    "tricep_extension": ("elbow",),
    "shoulder_press": ("elbow", "shoulder"),
    "bicep_curl": ("elbow",),
    "pull_up": ("elbow", "shoulder"),
    "dumbbell_row": ("elbow",),
    "lateral_raise": ("shoulder",),
    "front_raise": ("shoulder",),
    "jumping_jack": ("shoulder",),
    "situp": ("hip",),
}

# Whether the rest position has the primary joints open (large angles): a squat rests
# standing, a pull-up hanging, a sit-up lying; a press rests with the elbows bent and a
# raise or a jumping jack with the arms down (small shoulder angles).
REST_OPEN: dict[str, bool] = {
    "shoulder_press": False,
    "lateral_raise": False,
    "front_raise": False,
    "jumping_jack": False,
}

# Joints seen less clearly than this are left out: an occluded elbow's angle is a guess.
PRIMARY_MIN_VISIBILITY = 0.3


def _joint_angles(exercise: str, rows: FloatArray) -> FloatArray | None:
    """``(T, 2k)`` per primary joint: the smaller and the larger of the two sides' angles.

    Side-symmetric, so alternating legs (lunges) or a single working arm look the same
    every rep, and a mirrored view gives the same signal.
    """
    joints = PRIMARY_JOINTS.get(exercise)
    if not joints:
        return None
    a = geo.joint_angles(rows, "2d", min_visibility=PRIMARY_MIN_VISIBILITY)
    cols = []
    for j in joints:
        pair = np.radians(a[:, [geo.ANGLE_INDEX[f"left_{j}"], geo.ANGLE_INDEX[f"right_{j}"]]])
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # both sides unseen: NaN
            cols += [np.nanmin(pair, axis=1), np.nanmax(pair, axis=1)]
    return np.asarray(np.stack(cols, axis=1))


def primary_signal(exercise: str | None) -> SignalFn | None:
    """The primary signal of an exercise, or None (``unknown``: count the whole body)."""
    name = exercise or ""
    if name not in PRIMARY_JOINTS:
        return None

    def angles(rows: FloatArray) -> FloatArray:
        out = _joint_angles(name, rows)
        assert out is not None
        return out

    return angles


def rest_hint(exercise: str | None, rows: npt.ArrayLike) -> FloatArray | None:
    """``(T,)`` signal that is high in the exercise's rest position, or None if unknown."""
    name = exercise or ""
    angles = _joint_angles(name, np.asarray(rows, dtype=np.float64))
    if angles is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(angles, axis=1)
    return np.asarray(mean if REST_OPEN.get(name, True) else -mean)
