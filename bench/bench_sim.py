"""Synthetic gym: 640x480 generation speed, and BlazePose detection per exercise and view."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from edge_trainer.pose.base import PoseEstimator
from edge_trainer.sim import EXERCISES, single_set, workout, write_clip
from edge_trainer.sim.check import count_cycles, main_angle
from edge_trainer.sim.render import Renderer

TARGET_FPS = 60.0
VIEWS = (0.0, 45.0, 90.0)
REPS = 2
STEP = 2  # run the pose model on every 2nd frame (15 fps): enough to count reps
WINDOW = 5  # smoothing of the detected angle: 5 samples at 15 fps, a third of a second


def _speed() -> None:
    spec = workout(seed=1)
    t0 = time.perf_counter()
    r = Renderer(spec)
    t_setup = time.perf_counter() - t0
    n = r.frames
    # Baseline measured in the same run: the cost of a frame with no person drawn
    # (copy the room, add noise), the floor under any renderer of this kind.
    t0 = time.perf_counter()
    for i in range(n):
        r.noise.apply(r.background.copy(), i)
    base_fps = n / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for i in range(n):
        r.render(i)
    render_fps = n / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    r.truth()
    truth_fps = n / (time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        write_clip(spec, Path(tmp) / "w.mp4")
        write_fps = n / (time.perf_counter() - t0)
    print(f"workout clip: {n} frames 640x480, setup {t_setup:.2f} s")
    print(f"  empty-room baseline   {base_fps:8.0f} frames/s")
    ratio = render_fps / base_fps
    print(f"  render                {render_fps:8.0f} frames/s  ({ratio:.2f}x baseline)")
    print(f"  ground truth          {truth_fps:8.0f} frames/s")
    print(f"  mp4 + truth end to end {write_fps:7.0f} frames/s  "
          f"({write_fps / TARGET_FPS:.2f}x the {TARGET_FPS:.0f} frames/s target)")  # fmt: skip


def _estimator() -> PoseEstimator | None:
    from edge_trainer.pose.blazepose import BlazePoseEstimator
    from edge_trainer.pose.reference import mediapipe_model_files

    files = mediapipe_model_files()
    if files is None:
        return None
    return BlazePoseEstimator(files["pose_detector"], files["pose_landmarks"])


def _detection() -> None:
    if _estimator() is None:
        print("detection: skipped (the mediapipe wheel with its BlazePose models is not installed)")
        return
    print(f"\nBlazePose (project LiteRT stage, mediapipe wheel's full model), {REPS} reps, "
          f"every {STEP}nd frame of the set; cycles = main-angle cycles counted from the "
          "detected landmarks")  # fmt: skip
    print(f"{'exercise':18s}" + "".join(f"{f'{v:.0f} deg':>18s}" for v in VIEWS))
    rates = []
    good = 0
    for k, ex in enumerate(EXERCISES):
        cells = []
        for view in VIEWS:
            r = Renderer(single_set(ex, REPS, view, seed=100 + k, lead_in_s=0.3))
            st = r.timeline.sets[0]
            est = _estimator()
            assert est is not None
            world, vis = [], []
            found = 0
            frames = range(st.start_frame, st.end_frame + 1, STEP)
            for i in frames:
                pose = est.estimate(r.render(i), i / r.fps)
                if pose is not None and pose.world is not None:
                    found += 1
                    world.append(pose.world)
                    vis.append(pose.landmarks[:, 3])
                else:
                    world.append(np.full((33, 3), np.nan))
                    vis.append(np.zeros(33, np.float32))
            est.close()
            rate = found / len(frames)
            angle = main_angle(ex, np.asarray(world), np.asarray(vis))
            cycles = count_cycles(angle, window=WINDOW)
            rates.append(rate)
            good += cycles == REPS
            cells.append(f"{rate:6.1%} {cycles}/{REPS} cyc")
        print(f"{ex:18s}" + "".join(f"{c:>18s}" for c in cells), flush=True)
    n = len(rates)
    print(f"mean detection {np.mean(rates):.1%}; >=95% in {sum(x >= 0.95 for x in rates)}/{n}; "
          f"cycle count right in {good}/{n}")  # fmt: skip


def main() -> None:
    """Print generation speed and the detection table."""
    _speed()
    _detection()


if __name__ == "__main__":
    main()
