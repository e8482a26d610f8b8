"""The Pose type and the PoseEstimator protocol, in BlazePose's 33-landmark order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

LANDMARK_NAMES = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip
LANDMARK = {name: i for i, name in enumerate(LANDMARK_NAMES)}


@dataclass(frozen=True, slots=True)
class Pose:
    """One person's pose in one frame.

    Attributes:
        landmarks: ``(33, 5)`` float32: x, y normalised to the frame width and height,
            z in the same scale as x (relative depth, hips at 0), visibility and presence
            in [0, 1].
        world: ``(33, 3)`` float32 metres around the hip centre, or None if unknown.
        score: Confidence that a person is present.
        t: Source time of the frame.
    """

    landmarks: npt.NDArray[np.float32]
    world: npt.NDArray[np.float32] | None
    score: float
    t: float

    def as_row(self) -> npt.NDArray[np.float32]:
        """``(33, 4)`` x, y, z, visibility: the layout of the landmark ``.npy`` files."""
        return self.landmarks[:, :4]


class PoseEstimator(Protocol):
    """Turns an RGB frame into the pose of the tracked person, or None."""

    def estimate(self, image: npt.NDArray[np.uint8], t: float) -> Pose | None:
        """Pose in ``image`` (``(H, W, 3)`` uint8 RGB) at source time ``t``."""
        ...

    def reset(self) -> None:
        """Forget the tracked person (a new session starts)."""
        ...

    def close(self) -> None:
        """Release the interpreters; idempotent."""
        ...
