"""Pose speed: our BlazePose on LiteRT against MediaPipe's solutions.pose on the same frames."""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from edge_trainer.config import PoseConfig
from edge_trainer.pose.base import PoseEstimator
from edge_trainer.pose.blazepose import BlazePoseEstimator
from edge_trainer.pose.detector import INPUT_SIZE as DET_SIZE
from edge_trainer.pose.detector import PoseDetector
from edge_trainer.pose.landmarks import INPUT_SIZE as LM_SIZE
from edge_trainer.pose.landmarks import LandmarkModel
from edge_trainer.pose.reference import mediapipe_model_files

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
CLIPS = (
    "yuyoujiang_test_video__squat.mp4",
    "infophysics_afrl__jumpingjacks.mp4",
    "rnhrn_exercises__lunges.mp4",
)
FRAMES_PER_CLIP = 60

Frames = list[tuple[float, npt.NDArray[np.uint8]]]


def _models() -> tuple[Path, Path, str]:
    store = Path(os.environ.get("EDGE_TRAINER_MODELS", "var/models"))
    try:
        from edge_trainer.models.store import resolve

        det, _ = resolve(store, "pose_detector")
        lm, _ = resolve(store, "pose_landmarks")
        return det, lm, f"model store {store}"
    except Exception:
        files = mediapipe_model_files()
        if files is None:
            raise SystemExit("no pose models: run 'edge-trainer models fetch-pose'") from None
        return files["pose_detector"], files["pose_landmarks"], "the mediapipe package"


def _clip(name: str) -> Frames:
    cap = cv2.VideoCapture(str(DATA / "videos" / name))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    cap.set(cv2.CAP_PROP_POS_FRAMES, int(cap.get(cv2.CAP_PROP_FRAME_COUNT) * 0.4))
    out: Frames = []
    while len(out) < FRAMES_PER_CLIP:
        ok, bgr = cap.read()
        if not ok:
            break
        out.append((len(out) / fps, np.ascontiguousarray(bgr[:, :, ::-1])))
    cap.release()
    return out


def _timed(est: PoseEstimator, t: float, img: npt.NDArray[np.uint8]) -> tuple[float, float]:
    """Wall and CPU seconds (all threads of this process) for one frame."""
    w0, c0 = time.perf_counter(), time.process_time()
    est.estimate(img, t)
    return time.perf_counter() - w0, time.process_time() - c0


def _paired(
    a: PoseEstimator, b: PoseEstimator | None, frames: Frames
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Time both estimators frame by frame, alternating who goes first.

    Interleaving at frame level puts both under the same machine load, which matters on
    a shared or thermally throttled box.
    """
    a.reset()
    a.estimate(frames[0][1], frames[0][0])  # first frame: detector, warm caches
    if b is not None:
        b.reset()
        b.estimate(frames[0][1], frames[0][0])
    ta, tb = [], []
    for i, (t, img) in enumerate(frames[1:]):
        if b is not None and i % 2:
            tb.append(_timed(b, t, img))
        ta.append(_timed(a, t, img))
        if b is not None and not i % 2:
            tb.append(_timed(b, t, img))
    return ta, tb


def _stats(runs: list[tuple[float, float]]) -> str:
    wall = np.array([r[0] for r in runs]) * 1e3
    cpu = np.array([r[1] for r in runs]) * 1e3
    return (
        f"wall p10 {np.percentile(wall, 10):6.2f} ms, median {np.median(wall):6.2f}, "
        f"mean {wall.mean():6.2f}; CPU mean {cpu.mean():6.2f} ms"
    )


def _invoke_ms(
    runs: dict[str, object], x: npt.NDArray[np.float32], n: int = 30
) -> dict[str, float]:
    """Median wall ms per invoke, the candidates interleaved call by call."""
    for run in runs.values():
        for _ in range(3):
            run(x)  # type: ignore[operator]
    times: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(n):
        for key, run in runs.items():
            start = time.perf_counter()
            run(x)  # type: ignore[operator]
            times[key].append(time.perf_counter() - start)
    return {k: float(np.median(v)) * 1e3 for k, v in times.items()}


def main() -> None:
    det_path, lm_path, source = _models()
    clips = [(n, _clip(n)) for n in CLIPS if (DATA / "videos" / n).is_file()]
    if not clips:
        print(f"shared clips not found under {DATA}; nothing to measure")
        return
    total = sum(len(f) for _, f in clips)
    print(f"models from {source}; {total} frames from {len(clips)} clips; {os.cpu_count()} CPUs")

    rng = np.random.default_rng(0)
    print("\nmodel invoke alone (2 threads, median):")
    det = PoseDetector(det_path, 2)
    x = rng.random((1, DET_SIZE, DET_SIZE, 3), dtype=np.float32) * 2 - 1
    print(f"  detector                        {_invoke_ms({'d': det.run_tensor}, x)['d']:6.2f} ms")
    x = rng.random((1, LM_SIZE, LM_SIZE, 3), dtype=np.float32)
    full = LandmarkModel(lm_path, 2, prune=False)
    pruned = LandmarkModel(lm_path, 2, prune=True)
    ms = _invoke_ms({"full": full.run_tensor, "pruned": pruned.run_tensor}, x)
    print(f"  landmarks, whole graph          {ms['full']:6.2f} ms")
    print(f"  landmarks, segmentation skipped {ms['pruned']:6.2f} ms "
          f"({ms['pruned'] / ms['full']:.2f}x)")  # fmt: skip
    for m in (det, full, pruned):
        m.close()

    cfg = PoseConfig(threads=2)
    ours = BlazePoseEstimator(det_path, lm_path, cfg)
    ref: PoseEstimator | None = None
    if importlib.util.find_spec("mediapipe") is not None:
        from edge_trainer.pose.reference import MediaPipePoseEstimator

        ref = MediaPipePoseEstimator(cfg)
    print("\nper-frame pose time on the same frames (tracking and smoothing on):")
    ours_t: list[tuple[float, float]] = []
    ref_t: list[tuple[float, float]] = []
    for _, frames in clips:
        a, b = _paired(ours, ref, frames)
        ours_t += a
        ref_t += b
    print(f"  ours, LiteRT 2 threads       {_stats(ours_t)}")
    s = ours.stats
    print(f"    detector ran {s.detector_runs}x, tracked {s.tracked_frames} of {s.poses} poses")
    if ref is not None:
        print(f"  MediaPipe solutions.pose c1  {_stats(ref_t)}")
        ow, rw = np.array(ours_t), np.array(ref_t)
        median_ratio = np.median(ow[:, 0]) / np.median(rw[:, 0])
        p10_ratio = np.percentile(ow[:, 0], 10) / np.percentile(rw[:, 0], 10)
        print(
            f"  ratio ours/MediaPipe: wall p10 {p10_ratio:.2f}x, median {median_ratio:.2f}x, "
            f"wall mean {ow[:, 0].mean() / rw[:, 0].mean():.2f}x, "
            f"CPU {ow[:, 1].mean() / rw[:, 1].mean():.2f}x (target <= 0.60x)"
        )
        ref.close()
    else:
        print("  mediapipe is not installed: no baseline in this run")
    ours.close()

    print("\nours at 1, 2 and 4 interpreter threads:")
    frames = [f for _, fr in clips for f in fr]
    for threads in (1, 2, 4):
        est = BlazePoseEstimator(det_path, lm_path, PoseConfig(threads=threads))
        runs, _ = _paired(est, None, frames)
        mean = float(np.mean([r[0] for r in runs]))
        print(f"  {threads} thread(s): {1 / mean:6.1f} fps  ({_stats(runs)})")
        est.close()


if __name__ == "__main__":
    main()
