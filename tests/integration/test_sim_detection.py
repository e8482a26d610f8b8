"""Rendered mannequins are found by BlazePose, and the detected joint angle counts the reps."""

from __future__ import annotations

import numpy as np
import pytest

from edge_trainer.pose.base import PoseEstimator
from edge_trainer.sim import single_set
from edge_trainer.sim.check import count_cycles, measured_angle
from edge_trainer.sim.render import Renderer

pytestmark = pytest.mark.slow

STEP = 2  # every 2nd frame of a 30 fps clip
REFERENCE_STEP = 4  # MediaPipe's own graph is slower; 7.5 fps still shows every rep


def _project_estimator() -> PoseEstimator:
    from edge_trainer.pose.blazepose import BlazePoseEstimator
    from edge_trainer.pose.reference import mediapipe_model_files

    files = mediapipe_model_files()
    if files is None:
        pytest.skip("the mediapipe wheel (source of the BlazePose .tflite files) is not installed")
    return BlazePoseEstimator(files["pose_detector"], files["pose_landmarks"])


def _detect(est: PoseEstimator, r: Renderer, step: int = STEP) -> tuple[float, int]:
    st = r.timeline.sets[0]
    frames = range(st.start_frame, st.end_frame + 1, step)
    world, lms = [], []
    for i in frames:
        pose = est.estimate(r.render(i), i / r.fps)
        if pose is not None and pose.world is not None:
            world.append(pose.world)
            lms.append(pose.landmarks)
        else:
            world.append(np.full((33, 3), np.nan, np.float32))
            lms.append(np.full((33, 5), np.nan, np.float32))
    est.close()
    found = sum(bool(np.isfinite(w).all()) for w in world)
    window = max(3, round(0.3 * r.fps / step))
    size = (r.spec.width, r.spec.height)
    angle = measured_angle(st.exercise, np.asarray(lms), np.asarray(world), size, window)
    return found / len(frames), count_cycles(angle, window=window)


@pytest.mark.parametrize(
    ("exercise", "view"),
    [
        ("squat", "side"),
        ("push_up", "side"),
        ("bicep_curl", "front"),
        ("jumping_jack", "45"),
        # A plate beside the hips; arms crossing the face seen from the side.
        ("deadlift", "side"),
        ("shoulder_press", "side"),
        # Elbows pulled back along the line of sight: counted from the foreshortening.
        ("dumbbell_row", "front"),
        # The near plate beside the hands, the far arm behind the body.
        ("bench_press", "side"),
    ],
)
def test_project_pose_stage_finds_the_mannequin_and_counts_reps(exercise: str, view: str) -> None:
    est = _project_estimator()
    r = Renderer(single_set(exercise, 3, view, seed=21, lead_in_s=0.3))
    rate, cycles = _detect(est, r)
    assert rate >= 0.95
    assert cycles == len(r.timeline.sets[0].reps) == 3


@pytest.mark.mediapipe
def test_mediapipe_reference_finds_the_mannequin() -> None:
    pytest.importorskip("mediapipe", reason="mediapipe (dev extra) is not installed")
    from edge_trainer.pose.reference import MediaPipePoseEstimator

    r = Renderer(single_set("lunge", 2, "45", seed=22, lead_in_s=0.3))
    rate, cycles = _detect(MediaPipePoseEstimator(), r, REFERENCE_STEP)
    assert rate >= 0.95
    assert cycles == 2


def test_detected_hip_height_follows_the_rendered_squat() -> None:
    est = _project_estimator()
    r = Renderer(single_set("squat", 2, "front", seed=23, lead_in_s=0.3))
    truth = r.truth()
    st = truth.sets[0]
    got, want = [], []
    for i in range(st.start_frame, st.end_frame + 1, 3):
        pose = est.estimate(r.render(i), i / r.fps)
        assert pose is not None
        got.append(float(pose.landmarks[23:25, 1].mean()))
        want.append(float(truth.landmarks[i, 23:25, 1].mean()))
    est.close()
    assert np.corrcoef(got, want)[0, 1] > 0.95
    assert np.abs(np.asarray(got) - np.asarray(want)).mean() < 0.04
