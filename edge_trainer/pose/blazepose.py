"""BlazePose on LiteRT: detect once, then track one person from frame to frame.

The detector runs only when nobody is tracked. While tracking holds, the region for the
next frame comes from the two alignment points the landmark model predicts, so most
frames cost one landmark-model run. When the person is lost, the detector looks for the
same person near where they were last seen, and only after ``identity_timeout_s`` takes
whoever is most clearly in view: someone walking past does not take over the set.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from edge_trainer.config import PoseConfig
from edge_trainer.errors import InputError
from edge_trainer.pose.base import Pose
from edge_trainer.pose.detector import Detection, PoseDetector
from edge_trainer.pose.landmarks import LandmarkModel, LandmarkResult
from edge_trainer.pose.roi import Roi, roi_from_points
from edge_trainer.pose.smoothing import LandmarkSmoother

log = logging.getLogger(__name__)

# A re-detected person counts as the one lost if their hip centre is within this many
# body sizes of where that person was last seen.
IDENTITY_GATE = 0.6
# While tracking, a hip centre that jumps further than this many body sizes in one frame
# means the region slid onto someone else.
MAX_TRACK_JUMP = 0.5


@dataclass
class PoseStats:
    """Counters for benchmarks and status lines.

    Attributes:
        frames: Frames given to ``estimate`` (empty ones included).
        poses: Frames that returned a pose.
        detector_runs: Times the person detector ran.
        landmark_runs: Times the landmark model ran.
        tracked_frames: Poses found in the region tracked from the previous frame.
        rejected: Detections ignored because they were not the person being followed.
    """

    frames: int = 0
    poses: int = 0
    detector_runs: int = 0
    landmark_runs: int = 0
    tracked_frames: int = 0
    rejected: int = 0


def check_frame(image: object) -> bool:
    """Validate a frame; False for an empty one.

    Raises:
        InputError: not a ``(H, W, 3)`` uint8 array.
    """
    if not isinstance(image, np.ndarray):
        raise InputError(f"frame must be a numpy array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise InputError(f"frame must be uint8 RGB, got dtype {image.dtype}")
    if image.size == 0:
        return False
    if image.ndim != 3 or image.shape[2] != 3:
        raise InputError(f"frame must be (height, width, 3) RGB, got shape {image.shape}")
    return True


class BlazePoseEstimator:
    """The pose estimator the box runs: BlazePose detector + landmark model on LiteRT."""

    def __init__(
        self, detector_path: Path, landmark_path: Path, cfg: PoseConfig | None = None
    ) -> None:
        """Load both models.

        Args:
            detector_path: ``pose_detection.tflite`` (or a ``.task`` bundle's detector).
            landmark_path: ``pose_landmark_{lite,full,heavy}.tflite``.
            cfg: Pose settings; the defaults when None.

        Raises:
            ModelError: a model file is missing, corrupt or of the wrong shape.
        """
        self.cfg = cfg or PoseConfig()
        self._detector: PoseDetector | None = PoseDetector(
            Path(detector_path), self.cfg.threads, self.cfg.min_detection_score
        )
        self._landmarks: LandmarkModel | None = LandmarkModel(Path(landmark_path), self.cfg.threads)
        self._smoother = LandmarkSmoother(self.cfg.smoothing_min_cutoff, self.cfg.smoothing_beta)
        self.stats = PoseStats()
        self._roi: Roi | None = None
        self._last_center: tuple[float, float] | None = None
        self._last_size = 0.0
        self._last_seen = -math.inf
        log.info(
            "BlazePose on LiteRT: %s + %s, %d threads%s",
            Path(detector_path).name,
            Path(landmark_path).name,
            self.cfg.threads,
            " (segmentation head skipped)" if self._landmarks.pruned else "",
        )

    @classmethod
    def from_store(cls, models_dir: Path, cfg: PoseConfig | None = None) -> BlazePoseEstimator:
        """Load the live pose models of the model store, their hashes verified.

        Raises:
            ModelError: no models installed, a role missing, or a file corrupt.
        """
        from edge_trainer.models.store import resolve

        det_path, det = resolve(Path(models_dir), "pose_detector")
        lm_path, lm = resolve(Path(models_dir), "pose_landmarks")
        log.info("pose models: %s sha256 %s, %s sha256 %s",
                 det.file, det.sha256[:12], lm.file, lm.sha256[:12])  # fmt: skip
        return cls(det_path, lm_path, cfg)

    @property
    def tracking(self) -> bool:
        """True while a person is being followed from the previous frame."""
        return self._roi is not None

    def estimate(self, image: npt.NDArray[np.uint8], t: float) -> Pose | None:
        """The followed person's pose in an RGB frame taken at source time ``t``.

        Raises:
            InputError: the frame is not a ``(H, W, 3)`` uint8 array.
        """
        if self._detector is None or self._landmarks is None:
            raise RuntimeError("estimate() after close()")
        self.stats.frames += 1
        if not check_frame(image):
            return None
        h, w = image.shape[:2]
        result: LandmarkResult | None = None
        if self._roi is not None:
            result = self._landmarks.estimate(image, self._roi, self.cfg.min_presence)
            self.stats.landmark_runs += 1
            if result is not None and self._still_same(result, w, h):
                self.stats.tracked_frames += 1
            else:
                result = None
                self._lose()
        if result is None:
            result = self._acquire(image, t)
        if result is None:
            return None
        return self._emit(result, w, h, t)

    def _still_same(self, result: LandmarkResult, w: int, h: int) -> bool:
        cx, cy = float(result.aux[0, 0]), float(result.aux[0, 1])
        if not (0.0 <= cx < w and 0.0 <= cy < h):
            log.debug("tracked person left the frame")
            return False
        if self._last_center is not None and self._last_size > 0:
            jump = math.hypot(cx - self._last_center[0], cy - self._last_center[1])
            if jump > MAX_TRACK_JUMP * self._last_size:
                log.debug("tracked region jumped %.0f px; re-detecting", jump)
                return False
        return True

    def _lose(self) -> None:
        self._roi = None
        self._smoother.reset()

    def _acquire(self, image: npt.NDArray[np.uint8], t: float) -> LandmarkResult | None:
        assert self._detector is not None and self._landmarks is not None
        people = self._detector.detect(image)
        self.stats.detector_runs += 1
        person = self._choose(people, t)
        if person is None:
            return None
        kp = person.keypoints
        roi = roi_from_points(
            (float(kp[0, 0]), float(kp[0, 1])), (float(kp[1, 0]), float(kp[1, 1]))
        )
        self.stats.landmark_runs += 1
        return self._landmarks.estimate(image, roi, self.cfg.min_presence)

    def _choose(self, people: list[Detection], t: float) -> Detection | None:
        if not people:
            return None
        since = t - self._last_seen
        # Time going backwards means a new stream (a clip restarted): nobody to wait for.
        if self._last_center is None or since > self.cfg.identity_timeout_s or since < 0:
            return people[0]
        lx, ly = self._last_center
        gate = IDENTITY_GATE * self._last_size
        near = [(math.hypot(p.center[0] - lx, p.center[1] - ly), p) for p in people]
        near = [(d, p) for d, p in near if d <= gate]
        self.stats.rejected += len(people) - len(near)
        if not near:
            return None
        return min(near, key=lambda dp: dp[0])[1]

    def _emit(self, result: LandmarkResult, w: int, h: int, t: float) -> Pose:
        lm, aux, world = result.landmarks, result.aux, result.world
        self._last_center = (float(aux[0, 0]), float(aux[0, 1]))
        self._last_size = float(2.0 * np.hypot(*(aux[1] - aux[0])))
        self._last_seen = t
        if self.cfg.smoothing:
            lm, aux, world = self._smoother(lm, aux, world, t)
        self._roi = roi_from_points((float(aux[0, 0]), float(aux[0, 1])),
                                    (float(aux[1, 0]), float(aux[1, 1])))  # fmt: skip
        out = lm.astype(np.float32, copy=True)
        out[:, 0] /= w
        out[:, 1] /= h
        out[:, 2] /= w
        self.stats.poses += 1
        return Pose(landmarks=out, world=world.astype(np.float32), score=result.score, t=t)

    def reset(self) -> None:
        """Forget the followed person; the next frame runs the detector."""
        self._lose()
        self._last_center = None
        self._last_size = 0.0
        self._last_seen = -math.inf

    def close(self) -> None:
        """Release both interpreters; safe to call more than once."""
        if self._detector is not None:
            self._detector.close()
        if self._landmarks is not None:
            self._landmarks.close()
        self._detector = None
        self._landmarks = None
