"""Our BlazePose pipeline against MediaPipe's own on real clips and pictures.

Both run the same models; the distance between their landmarks measures everything we
re-implemented (letterbox, anchors, NMS, region alignment, crop, decoding, refinement,
tracking). Frames are sampled in short consecutive runs so tracking is exercised.
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from edge_trainer.config import PoseConfig
from edge_trainer.pose.base import LANDMARK, Pose, PoseEstimator
from edge_trainer.pose.blazepose import BlazePoseEstimator
from edge_trainer.pose.reference import MediaPipePoseEstimator, mediapipe_model_files

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
VIDEOS = DATA / "videos"
MODELS = mediapipe_model_files()
MAIN = [LANDMARK[n] for n in (
    "nose", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist",
    "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle",
)]  # fmt: skip
LIMIT = 0.015  # of the image diagonal

pytestmark = [
    pytest.mark.mediapipe,
    pytest.mark.skipif(
        MODELS is None or importlib.util.find_spec("mediapipe") is None,
        reason="needs the mediapipe package (dev extra) as the reference",
    ),
    pytest.mark.skipif(not VIDEOS.is_dir(), reason=f"shared data not found: {DATA}"),
]


def read_run(path: Path, start: float, count: int) -> list[tuple[float, npt.NDArray[np.uint8]]]:
    """``count`` consecutive RGB frames from ``start`` (a fraction of the clip)."""
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    first = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) * start)
    cap.set(cv2.CAP_PROP_POS_FRAMES, first)
    out = []
    for i in range(count):
        ok, bgr = cap.read()
        if not ok:
            break
        out.append(((first + i) / fps, np.ascontiguousarray(bgr[:, :, ::-1])))
    cap.release()
    return out


def distances(p: Pose, q: Pose, shape: tuple[int, ...]) -> npt.NDArray[np.float64]:
    """Per-landmark distance over the 13 main landmarks, as a fraction of the diagonal."""
    h, w = shape[:2]
    dx = (p.landmarks[MAIN, 0] - q.landmarks[MAIN, 0]) * w
    dy = (p.landmarks[MAIN, 1] - q.landmarks[MAIN, 1]) * h
    return np.hypot(dx, dy) / np.hypot(w, h)  # type: ignore[no-any-return]


def whole_body(q: Pose) -> bool:
    """MediaPipe sees all 13 main landmarks present and inside the frame."""
    lm = q.landmarks[MAIN]
    inside = np.all((lm[:, :2] >= 0) & (lm[:, :2] <= 1), axis=1)
    return bool(np.all(inside & (lm[:, 4] > 0.5)))


@dataclass
class ClipResult:
    name: str
    frames: int
    ours: int
    ref: int
    whole: int
    whole_found: int
    dist: list[float]
    world: list[float]

    @property
    def median(self) -> float:
        return float(np.median(self.dist)) if self.dist else float("nan")


def compare(name: str, runs: list[tuple[float, int]], smoothing: bool = False) -> ClipResult:
    assert MODELS is not None
    cfg = PoseConfig(smoothing=smoothing)
    ours: PoseEstimator = BlazePoseEstimator(MODELS["pose_detector"], MODELS["pose_landmarks"], cfg)
    ref: PoseEstimator = MediaPipePoseEstimator(cfg)
    res = ClipResult(name, 0, 0, 0, 0, 0, [], [])
    try:
        for start, count in runs:
            ours.reset()
            ref.reset()
            for t, img in read_run(VIDEOS / name, start, count):
                p, q = ours.estimate(img, t), ref.estimate(img, t)
                res.frames += 1
                res.ours += p is not None
                res.ref += q is not None
                if q is not None and whole_body(q):
                    res.whole += 1
                    res.whole_found += p is not None
                if p is not None and q is not None:
                    res.dist.extend(distances(p, q, img.shape).tolist())
                    if p.world is not None and q.world is not None:
                        d = np.linalg.norm(p.world[MAIN] - q.world[MAIN], axis=1)
                        res.world.extend(d.tolist())
    finally:
        ours.close()
        ref.close()
    return res


@pytest.mark.parametrize(
    "clip", ["infophysics_afrl__jumpingjacks.mp4", "yuyoujiang_test_video__squat.mp4"]
)
def test_agrees_with_mediapipe_on_a_short_run(clip: str) -> None:
    res = compare(clip, [(0.5, 16)])
    assert res.ours == res.ref == res.frames == 16
    assert res.median <= LIMIT, f"{clip}: median {res.median:.4f} of the diagonal"
    # world landmarks (metres around the hips) agree to a few centimetres
    assert float(np.median(res.world)) < 0.03


def test_agrees_with_mediapipe_on_still_pictures() -> None:
    assert MODELS is not None
    ours = BlazePoseEstimator(MODELS["pose_detector"], MODELS["pose_landmarks"], PoseConfig())
    ref = MediaPipePoseEstimator(PoseConfig(smoothing=False), static_image_mode=True)
    try:
        for name in ("ultralytics_bus.jpg", "opencv_messi5.jpg", "opencv_basketball1.png"):
            img = np.ascontiguousarray(cv2.imread(str(DATA / "images" / name))[:, :, ::-1])
            ours.reset()
            p, q = ours.estimate(img, 0.0), ref.estimate(img, 0.0)
            assert p is not None and q is not None, name
            median = float(np.median(distances(p, q, img.shape)))
            assert median <= LIMIT, f"{name}: median {median:.4f} of the diagonal"
    finally:
        ours.close()
        ref.close()


def _clips() -> list[str]:
    if not (VIDEOS / "labels.csv").is_file():
        return []
    with (VIDEOS / "labels.csv").open() as f:
        names = {row["file"] for row in csv.DictReader(f)}
    return sorted(names | {"sports2d_demo.mp4", "pose2sim_demo_singleperson_cam01.mp4"})


@pytest.mark.slow
def test_agreement_and_detection_rate_on_every_dev_clip() -> None:
    results = [compare(name, [(0.5, 24)]) for name in _clips()]
    report = "\n".join(
        f"{r.name}: median {r.median * 100:.2f}%, found {r.ours}/{r.frames} "
        f"(MediaPipe {r.ref}), whole body {r.whole_found}/{r.whole}"
        for r in results
    )
    print(report)
    assert results, "no clips"
    for r in results:
        assert r.median <= LIMIT, report
    whole = sum(r.whole for r in results)
    found = sum(r.whole_found for r in results)
    assert whole > 50, report
    assert found >= 0.95 * whole, report


@pytest.mark.slow
def test_agreement_with_smoothing_on_both() -> None:
    res = compare("rnhrn_exercises__lunges.mp4", [(0.4, 60)], smoothing=True)
    assert res.ours == res.ref == res.frames
    assert res.median <= LIMIT, f"median {res.median:.4f} of the diagonal"


@pytest.mark.slow
@pytest.mark.parametrize(("exercise", "view"), [("squat", "side"), ("jumping_jack", "front")])
def test_agrees_with_mediapipe_on_synthetic_gym_clips(exercise: str, view: str) -> None:
    import itertools

    sim = pytest.importorskip("edge_trainer.sim")
    assert MODELS is not None
    frames, _ = sim.render_clip(sim.single_set(exercise, 2, view, seed=3))
    cfg = PoseConfig(smoothing=False)
    ours = BlazePoseEstimator(MODELS["pose_detector"], MODELS["pose_landmarks"], cfg)
    ref = MediaPipePoseEstimator(cfg)
    dist: list[float] = []
    try:
        for i, img in enumerate(itertools.islice(frames, 30, 60)):
            p, q = ours.estimate(img, i / 30), ref.estimate(img, i / 30)
            assert p is not None and q is not None
            dist.extend(distances(p, q, img.shape).tolist())
    finally:
        ours.close()
        ref.close()
    assert float(np.median(dist)) <= LIMIT
