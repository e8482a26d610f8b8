"""Tracking on a multi-person clip: the followed person does not change when people cross."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from edge_trainer.config import PoseConfig
from edge_trainer.pose.base import LANDMARK
from edge_trainer.pose.blazepose import BlazePoseEstimator
from edge_trainer.pose.reference import mediapipe_model_files

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
CLIP = DATA / "videos" / "sports2d_demo.mp4"
MODELS = mediapipe_model_files()

pytestmark = [
    pytest.mark.skipif(MODELS is None, reason="the mediapipe package ships the pose models"),
    pytest.mark.skipif(not CLIP.is_file(), reason=f"shared data not found: {CLIP}"),
]

HIPS = [LANDMARK["left_hip"], LANDMARK["right_hip"]]
SHOULDERS = [LANDMARK["left_shoulder"], LANDMARK["right_shoulder"]]


@pytest.mark.slow
def test_identity_holds_while_another_person_walks_past() -> None:
    """A man stands on a box and then jumps off it while a woman walks across below him.

    The estimator must stay on the man: his hip centre moves continuously from frame to
    frame (an identity switch jumps several torso lengths at once), it stays up on the
    box while he is there, and the woman's detections are seen and refused.
    """
    assert MODELS is not None
    est = BlazePoseEstimator(MODELS["pose_detector"], MODELS["pose_landmarks"], PoseConfig())
    cap = cv2.VideoCapture(str(CLIP))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    track: list[tuple[int, float, float, float]] = []
    h = w = 0
    i = 0
    while i < 205:
        ok, bgr = cap.read()
        if not ok:
            break
        pose = est.estimate(np.ascontiguousarray(bgr[:, :, ::-1]), i / fps)
        if pose is not None:
            h, w = bgr.shape[:2]
            hip = pose.landmarks[HIPS, :2].mean(axis=0) * (w, h)
            sho = pose.landmarks[SHOULDERS, :2].mean(axis=0) * (w, h)
            track.append((i, float(hip[0]), float(hip[1]), float(np.hypot(*(hip - sho)))))
        i += 1
    cap.release()
    est.close()
    assert i == 205
    arr = np.array(track)
    assert len(arr) > 0.85 * i, f"found in {len(arr)} of {i} frames"
    consecutive = np.diff(arr[:, 0]) == 1
    jumps = np.hypot(np.diff(arr[:, 1]), np.diff(arr[:, 2])) / arr[1:, 3]
    assert np.max(jumps[consecutive]) < 2.0, "the hip centre jumped: another person was taken"
    on_box = arr[(arr[:, 0] >= 15) & (arr[:, 0] <= 165)]
    assert len(on_box) > 140
    assert np.all(on_box[:, 2] < 0.45 * h), "followed someone below the box"
    assert est.stats.rejected > 0, "the other person was never even considered"


@pytest.mark.slow
def test_smoothing_cuts_jitter_without_delaying_the_rep() -> None:
    """On a real squat clip: smoothed landmarks shake less and lag raw ones < 1 frame."""
    assert MODELS is not None
    clip = DATA / "videos" / "yuyoujiang_test_video__squat.mp4"
    if not clip.is_file():
        pytest.skip(f"shared data not found: {clip}")
    raw_est = BlazePoseEstimator(
        MODELS["pose_detector"], MODELS["pose_landmarks"], PoseConfig(smoothing=False)
    )
    smooth_est = BlazePoseEstimator(
        MODELS["pose_detector"], MODELS["pose_landmarks"], PoseConfig(smoothing=True)
    )
    cap = cv2.VideoCapture(str(clip))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    raw, smooth = [], []
    for i in range(120):
        ok, bgr = cap.read()
        assert ok
        img = np.ascontiguousarray(bgr[:, :, ::-1])
        p, q = raw_est.estimate(img, i / fps), smooth_est.estimate(img, i / fps)
        assert p is not None and q is not None
        size = np.array(bgr.shape[1::-1], dtype=np.float32)
        raw.append(p.landmarks[:, :2] * size)
        smooth.append(q.landmarks[:, :2] * size)
    cap.release()
    raw_est.close()
    smooth_est.close()
    r, s = np.array(raw), np.array(smooth)
    main = [LANDMARK[n] for n in ("left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
            "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee",
            "left_ankle", "right_ankle")]  # fmt: skip

    def jitter(a: np.ndarray) -> float:
        return float(np.median(np.linalg.norm(np.diff(a[:, main], 2, axis=0), axis=2)))

    assert jitter(s) < 0.7 * jitter(r)
    # Rep timing follows the coordinates that travel through the rep (here the vertical
    # motion of hips, shoulders and hands), so those must not lag; nearly still ones
    # (feet) are meant to be held steady.
    frames = np.arange(len(r), dtype=np.float64)
    ranges = np.ptp(r[:, main], axis=0)  # (landmarks, 2)
    moving = [(main[i], ax) for i, ax in zip(*np.nonzero(ranges > 0.5 * ranges.max()), strict=True)]
    assert len(moving) >= 4
    lags = np.linspace(-2.0, 4.0, 121)
    for k, ax in moving:
        truth = r[:, k, ax]
        err = [np.mean((s[10:-10, k, ax] - np.interp(frames[10:-10] - lag, frames, truth)) ** 2)
               for lag in lags]  # fmt: skip
        assert lags[int(np.argmin(err))] <= 1.0, f"landmark {k} axis {ax} lags the raw one"
