"""Exercise-specific primary signals for the rep counter: the joint angles that carry a rep.

When the exercise is known the counter follows the joints the exercise moves (a curl's
elbows, a squat's knees and hips) instead of the whole body, so a fidgeting leg or a
shifting stance does not blur a set of curls. Angles are 2D, in radians, both sides; a
side the camera cannot see is dropped by the counter as a mostly-missing column.
"""

from __future__ import annotations

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

# Joints seen less clearly than this are left out: an occluded elbow's angle is a guess.
PRIMARY_MIN_VISIBILITY = 0.3


def primary_signal(exercise: str | None) -> SignalFn | None:
    """The primary signal of an exercise, or None (``unknown``: count the whole body)."""
    joints = PRIMARY_JOINTS.get(exercise or "")
    if not joints:
        return None
    columns = [geo.ANGLE_INDEX[f"{side}_{j}"] for j in joints for side in ("left", "right")]

    def angles(rows: FloatArray) -> FloatArray:
        a = geo.joint_angles(rows, "2d", min_visibility=PRIMARY_MIN_VISIBILITY)
        return np.asarray(np.radians(a[:, columns]))

    return angles
