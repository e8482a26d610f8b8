"""Synthetic gym: 640x480 generation speed, and BlazePose detection per exercise and view."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from edge_trainer.pose.base import PoseEstimator
from edge_trainer.sim import exercises, single_set, workout, write_clip
from edge_trainer.sim.check import count_cycles, measured_angle
from edge_trainer.sim.render import Renderer

TARGET_FPS = 60.0
VIEWS = (0.0, 45.0, 90.0)
REPS = 2
STEP = 2  # run the pose model on every 2nd frame (15 fps): enough to count reps
WINDOW = 5  # smoothing of the detected angle: 5 samples at 15 fps, a third of a second


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) to run ``fn``."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def _speed() -> None:
    spec = workout(seed=1)
    holder: list[Renderer] = []
    setup_w, setup_c = _timed(lambda: holder.append(Renderer(spec)))
    r = holder[0]
    n = r.frames
    # Baseline measured in the same run: a frame with no person drawn (copy the room,
    # add noise), the floor under any renderer of this kind.
    base = _timed(lambda: [r.noise.apply(r.background.copy(), i) for i in range(n)])
    render = _timed(lambda: [r.render(i) for i in range(n)])
    truth = _timed(r.truth)
    with tempfile.TemporaryDirectory() as tmp:
        end = _timed(lambda: write_clip(spec, Path(tmp) / "w.mp4"))
    # CPU-time rates do not depend on what else the machine is running; wall-clock
    # rates do (the generator is single-threaded).
    print(f"workout clip: {n} frames 640x480; setup {setup_w:.2f} s wall, {setup_c:.2f} s CPU")
    print(f"{'':24s}{'frames/s wall':>15s}{'frames/s CPU':>15s}")
    for name, (w, c) in (
        ("empty-room baseline", base), ("render", render), ("ground truth", truth),
        ("mp4 + truth, all in", end),
    ):  # fmt: skip
        print(f"  {name:22s}{n / w:15.0f}{n / c:15.0f}")
    print(f"  render runs at {base[1] / render[1]:.2f}x the baseline rate; end to end "
          f"{n / end[1] / TARGET_FPS:.2f}x (CPU) and {n / end[0] / TARGET_FPS:.2f}x (wall) the "
          f"{TARGET_FPS:.0f} frames/s target")  # fmt: skip


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
          "detected landmarks (image-plane, world and foreshortening-lifted angles blended "
          "by how cleanly each moves, see sim.check.measured_angle)")  # fmt: skip
    print(f"{'exercise':18s}" + "".join(f"{f'{v:.0f} deg':>18s}" for v in VIEWS))
    rates = []
    good = good_unlifted = 0
    for k, ex in enumerate(exercises()):
        cells = []
        for view in VIEWS:
            r = Renderer(single_set(ex, REPS, view, seed=100 + k, lead_in_s=0.3))
            st = r.timeline.sets[0]
            est = _estimator()
            assert est is not None
            world, lms = [], []
            found = 0
            frames = range(st.start_frame, st.end_frame + 1, STEP)
            for i in frames:
                pose = est.estimate(r.render(i), i / r.fps)
                if pose is not None and pose.world is not None:
                    found += 1
                    world.append(pose.world)
                    lms.append(pose.landmarks)
                else:
                    world.append(np.full((33, 3), np.nan))
                    lms.append(np.full((33, 5), np.nan))
            est.close()
            rate = found / len(frames)
            size = (r.spec.width, r.spec.height)
            angle = measured_angle(ex, np.asarray(lms), np.asarray(world), size, WINDOW)
            cycles = count_cycles(angle, window=WINDOW)
            rates.append(rate)
            good += cycles == REPS
            # Baseline in the same run: the same landmarks without the lifted angle.
            unlifted = measured_angle(
                ex, np.asarray(lms), np.asarray(world), size, WINDOW, lift=False
            )
            good_unlifted += count_cycles(unlifted, window=WINDOW) == REPS
            cells.append(f"{rate:6.1%} {cycles}/{REPS} cyc")
        print(f"{ex:18s}" + "".join(f"{c:>18s}" for c in cells), flush=True)
    n = len(rates)
    print(f"mean detection {np.mean(rates):.1%}; >=95% in {sum(x >= 0.95 for x in rates)}/{n}; "
          f"cycle count right in {good}/{n} "
          f"({good_unlifted}/{n} without the lifted angle)")  # fmt: skip


def main() -> None:
    """Print generation speed and the detection table."""
    _speed()
    _detection()


if __name__ == "__main__":
    main()
