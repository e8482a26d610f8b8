"""MediaPipe's own pose pipeline (``solutions.pose``) behind the PoseEstimator protocol.

A development and test reference only: the box runs BlazePoseEstimator. Needs the
``mediapipe`` package (dev extra, x86-64 and Python < 3.13).
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from edge_trainer.config import PoseConfig
from edge_trainer.errors import missing_dependency
from edge_trainer.pose.base import Pose
from edge_trainer.pose.blazepose import check_frame

log = logging.getLogger(__name__)

_PACKAGE_MODELS = {
    "pose_detector": ("modules", "pose_detection", "pose_detection.tflite"),
    "pose_landmarks": ("modules", "pose_landmark", "pose_landmark_full.tflite"),
}


def mediapipe_model_files() -> dict[str, Path] | None:
    """The pose models inside the installed mediapipe package (role -> file), or None.

    Found without importing mediapipe (which is slow and pulls in its own runtime).
    """
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    files = {role: root.joinpath(*parts) for role, parts in _PACKAGE_MODELS.items()}
    return files if all(p.is_file() for p in files.values()) else None


class MediaPipePoseEstimator:
    """``mediapipe.solutions.pose.Pose`` (model complexity 1) as a PoseEstimator.

    MediaPipe keeps its own clock (one frame every 1/30 s) for smoothing; ``t`` is only
    copied into the result.
    """

    def __init__(
        self, cfg: PoseConfig | None = None, static_image_mode: bool = False,
        model_complexity: int = 1,
    ) -> None:  # fmt: skip
        """Build MediaPipe's pose graph.

        Args:
            cfg: Pose settings (smoothing, detection and presence thresholds).
            static_image_mode: Run the detector on every frame (no tracking).
            model_complexity: 0 lite, 1 full, 2 heavy (only 1 ships in the wheel).

        Raises:
            DependencyError: mediapipe is not installed.
        """
        self.cfg = cfg or PoseConfig()
        try:
            from mediapipe.python.solutions import pose as mp_pose
        except ImportError:
            raise missing_dependency("mediapipe", extra="dev") from None
        self._pose: Any = mp_pose.Pose(
            static_image_mode=static_image_mode,
            model_complexity=model_complexity,
            smooth_landmarks=self.cfg.smoothing,
            min_detection_confidence=self.cfg.min_detection_score,
            min_tracking_confidence=self.cfg.min_presence,
        )
        self._base: Any = mp_pose.Pose.__mro__[1]  # SolutionBase: keeps 'presence'

    def estimate(self, image: npt.NDArray[np.uint8], t: float) -> Pose | None:
        """MediaPipe's pose for an RGB frame, or None."""
        if self._pose is None:
            raise RuntimeError("estimate() after close()")
        if not check_frame(image):
            return None
        # SolutionBase.process, not Pose.process: the latter clears 'presence'.
        res = self._base.process(self._pose, {"image": np.ascontiguousarray(image)})
        if res.pose_landmarks is None:
            return None
        lm = np.array(
            [[p.x, p.y, p.z, p.visibility, p.presence] for p in res.pose_landmarks.landmark],
            dtype=np.float32,
        )
        world = None
        if res.pose_world_landmarks is not None:
            world = np.array(
                [[p.x, p.y, p.z] for p in res.pose_world_landmarks.landmark], dtype=np.float32
            )
        return Pose(landmarks=lm, world=world, score=1.0, t=t)

    def reset(self) -> None:
        """Forget the tracked person."""
        if self._pose is not None:
            self._pose.reset()

    def close(self) -> None:
        """Tear down MediaPipe's graph; safe to call more than once."""
        if self._pose is not None:
            self._pose.close()
            self._pose = None
