"""BlazePoseEstimator on real models: frames in, poses out, bad frames rejected clearly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge_trainer.config import PoseConfig
from edge_trainer.errors import InputError, ModelError
from edge_trainer.models.fetch_pose import fetch_pose
from edge_trainer.pose import BlazePoseEstimator, PoseEstimator
from edge_trainer.pose.base import LANDMARK
from edge_trainer.pose.reference import mediapipe_model_files

MODELS = mediapipe_model_files()
DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
BUS = DATA / "images" / "ultralytics_bus.jpg"
SQUAT = DATA / "videos" / "yuyoujiang_test_video__squat.mp4"

pytestmark = pytest.mark.skipif(
    MODELS is None, reason="the mediapipe package (dev extra) ships the BlazePose models"
)


@pytest.fixture(scope="module")
def estimator() -> Iterator[BlazePoseEstimator]:
    assert MODELS is not None
    est = BlazePoseEstimator(MODELS["pose_detector"], MODELS["pose_landmarks"], PoseConfig())
    yield est
    est.close()


def _rgb(path: Path) -> np.ndarray:
    if not path.is_file():
        pytest.skip(f"shared data not found: {path}")
    img = cv2.imread(str(path))
    return np.ascontiguousarray(img[:, :, ::-1])


def test_it_is_a_pose_estimator(estimator: BlazePoseEstimator) -> None:
    est: PoseEstimator = estimator
    assert hasattr(est, "estimate")


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (np.zeros((48, 64, 3), dtype=np.float32), "uint8"),
        (np.zeros((48, 64), dtype=np.uint8), r"\(height, width, 3\)"),
        (np.zeros((48, 64, 4), dtype=np.uint8), r"got shape \(48, 64, 4\)"),
        ([[0, 0, 0]], "numpy array"),
    ],
)
def test_bad_frames_raise_a_clear_error(
    estimator: BlazePoseEstimator, frame: object, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        estimator.estimate(frame, 0.0)  # type: ignore[arg-type]


def test_empty_and_blank_frames_give_none(estimator: BlazePoseEstimator) -> None:
    estimator.reset()
    assert estimator.estimate(np.zeros((0, 0, 3), dtype=np.uint8), 0.0) is None
    assert estimator.estimate(np.zeros((240, 320, 3), dtype=np.uint8), 0.1) is None
    assert not estimator.tracking


def test_person_found_on_the_bus_picture(estimator: BlazePoseEstimator) -> None:
    img = _rgb(BUS)
    estimator.reset()
    pose = estimator.estimate(img, 0.0)
    assert pose is not None
    lm = pose.landmarks
    assert lm.shape == (33, 5) and lm.dtype == np.float32
    assert pose.world is not None and pose.world.shape == (33, 3)
    assert pose.score > 0.5
    main = [LANDMARK[n] for n in ("nose", "left_shoulder", "left_hip", "left_knee", "left_ankle")]
    assert np.all((lm[main, :2] > 0) & (lm[main, :2] < 1))
    y = lm[:, 1]
    for upper, lower in [("nose", "left_shoulder"), ("left_shoulder", "left_hip"),
                         ("left_hip", "left_knee"), ("left_knee", "left_ankle")]:  # fmt: skip
        assert y[LANDMARK[upper]] < y[LANDMARK[lower]], f"{upper} should be above {lower}"
    # a standing adult: feet well below the head, taller than wide
    height = y[LANDMARK["left_ankle"]] - y[LANDMARK["nose"]]
    assert height * img.shape[0] > 200
    assert np.all((lm[:, 3:] >= 0) & (lm[:, 3:] <= 1))
    # world landmarks in metres around the hips: a body is 1-2 m tall
    w = pose.world
    assert 0.8 < w[LANDMARK["left_ankle"], 1] - w[LANDMARK["nose"], 1] < 2.2


def test_tracking_skips_the_detector(estimator: BlazePoseEstimator) -> None:
    if not SQUAT.is_file():
        pytest.skip(f"shared data not found: {SQUAT}")
    cap = cv2.VideoCapture(str(SQUAT))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 60)
    estimator.reset()
    before = (estimator.stats.detector_runs, estimator.stats.tracked_frames)
    found = 0
    for i in range(8):
        ok, bgr = cap.read()
        assert ok
        found += estimator.estimate(np.ascontiguousarray(bgr[:, :, ::-1]), i / 30) is not None
    cap.release()
    assert found == 8
    assert estimator.stats.detector_runs - before[0] == 1
    assert estimator.stats.tracked_frames - before[1] == 7
    estimator.reset()
    assert not estimator.tracking


def test_from_store_verifies_hashes(tmp_path: Path) -> None:
    assert MODELS is not None
    root = tmp_path / "models"
    fetch_pose(root, [MODELS["pose_detector"], MODELS["pose_landmarks"]])
    est = BlazePoseEstimator.from_store(root, PoseConfig(threads=1))
    est.close()
    est.close()  # idempotent
    with pytest.raises(RuntimeError):
        est.estimate(np.zeros((8, 8, 3), dtype=np.uint8), 0.0)
    target = (root / "current" / "pose_landmark_full.tflite").resolve()
    data = bytearray(target.read_bytes())
    data[5000] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"pose_landmark_full\.tflite.*sha256.*expects"):
        BlazePoseEstimator.from_store(root)


def test_from_empty_store_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="models provision"):
        BlazePoseEstimator.from_store(tmp_path)


def test_follows_the_same_person_when_someone_else_is_in_view() -> None:
    assert MODELS is not None
    # Two people: the same player above, mirrored below (the detector finds both).
    a = _rgb(DATA / "images" / "opencv_messi5.jpg")
    both = np.ascontiguousarray(np.vstack([a, a[:, ::-1]]))
    only_a, only_b = both.copy(), both.copy()
    only_a[a.shape[0] :] = 0
    only_b[: a.shape[0]] = 0
    split = 0.5

    def hip_y(pose: object) -> float:
        lm = pose.landmarks  # type: ignore[attr-defined]
        return float(lm[[LANDMARK["left_hip"], LANDMARK["right_hip"]], 1].mean())

    est = BlazePoseEstimator(
        MODELS["pose_detector"], MODELS["pose_landmarks"], PoseConfig(identity_timeout_s=1.0)
    )
    t = 0.0
    for frame in (only_a, both, both):  # A starts the set; B steps into view
        pose = est.estimate(frame, t)
        assert pose is not None and hip_y(pose) < split
        t += 0.1
    # A steps out: B is in view but is not taken while A may come back
    for _ in range(5):
        assert est.estimate(only_b, t) is None
        t += 0.1
    assert est.stats.rejected >= 5
    # A comes back within the timeout: followed again
    pose = est.estimate(both, t)
    assert pose is not None and hip_y(pose) < split
    t += 0.1
    est._lose()  # the region is lost (as when A walks away), A last seen at t - 0.1
    t += 1.5  # past the timeout: now whoever is in view is followed
    pose = est.estimate(only_b, t)
    assert pose is not None and hip_y(pose) > split
    est.reset()
    est.close()


def test_redetects_when_the_person_leaves_the_tracked_region(
    estimator: BlazePoseEstimator,
) -> None:
    img = _rgb(BUS)
    estimator.reset()
    first = estimator.estimate(img, 0.0)
    assert first is not None and estimator.tracking
    runs = estimator.stats.detector_runs
    shift = 240
    moved = np.zeros_like(img)
    moved[:, shift:] = img[:, :-shift]
    second = estimator.estimate(moved, 0.1)
    assert second is not None
    assert estimator.stats.detector_runs == runs + 1  # the old region was empty
    hips = [LANDMARK["left_hip"], LANDMARK["right_hip"]]
    dx = (second.landmarks[hips, 0].mean() - first.landmarks[hips, 0].mean()) * img.shape[1]
    assert dx == pytest.approx(shift, abs=25)


def test_a_restarted_stream_does_not_wait_for_the_old_person() -> None:
    assert MODELS is not None
    a = _rgb(DATA / "images" / "opencv_messi5.jpg")
    both = np.ascontiguousarray(np.vstack([a, a[:, ::-1]]))
    only_a, only_b = both.copy(), both.copy()
    only_a[a.shape[0] :] = 0
    only_b[: a.shape[0]] = 0
    est = BlazePoseEstimator(MODELS["pose_detector"], MODELS["pose_landmarks"], PoseConfig())
    assert est.estimate(only_a, 50.0) is not None
    assert est.estimate(only_b, 50.1) is None  # A may come back: B is not taken
    assert est.estimate(only_b, 0.0) is not None  # clock went back: a new clip
    est.close()
