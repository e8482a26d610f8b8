#!/usr/bin/env python3
"""The clips ``make pi-check`` analyses on arm64 and x86-64, and the comparison of the two.

``make OUT --video SQUAT.mp4``: a real clip (two reps cut from a recorded squat video, every
other frame) and a 60-frame synthetic squat clip, written at check time (never committed).
``landmarks VIDEO OUT.npy --models DIR``: the box's pose stage over a clip.
``compare X86_DIR ARM_DIR --doctor JSON``: same counts and exercise names, landmarks
within tolerance, and doctor's checks that need no Pi hardware passed on arm64.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

CLIPS = ("real_squat", "synthetic_squat")
# The real clip: 1.0-6.8 s of the squat video (its first two reps), at half its frame rate.
REAL_START_S, REAL_END_S, REAL_STEP = 1.0, 6.8, 2
# The synthetic clip: 2 squats rendered at 15 fps, frames 12-71 (both reps inside).
SYNTH_ARGS = ("--exercise", "squat", "--reps", "2", "--view", "side", "--seed", "1",
              "--tempo", "2", "--fps", "15")  # fmt: skip
SYNTH_FIRST, SYNTH_FRAMES = 12, 60
# Landmarks are compared on each clip's first frames (the detector's first find, then
# tracking): emulated pose costs seconds a frame, and the counts cover the whole clips.
LANDMARK_FRAMES = 15
# Largest allowed difference of a landmark coordinate (x, y: fractions of the image size)
# between the two machines, on landmarks both runs see (visibility >= SEEN): float rounding
# differs between XNNPACK's x86 and ARM kernels, and the One Euro smoothing carries it
# from frame to frame. Two x86-64 runs of the same clip already differ by ~0.01; a hidden
# hand (visibility ~0.1) is the model's guess and may move by 0.05.
TOLERANCE = 0.02
SEEN = 0.5
# Doctor's checks an emulated root can pass; camera, display, buttons and audio need the
# Pi's devices, and the LLM is not installed there.
ROOT_CHECKS = ("models", "voice", "disk", "clock", "permissions")


def _copy_frames(src: Path, dest: Path, first: int, count: int, step: int) -> int:
    import cv2

    cap = cv2.VideoCapture(str(src))
    if not cap.isOpened():
        raise SystemExit(f"error: cannot open video '{src}'")
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    out = cv2.VideoWriter(str(dest), cv2.VideoWriter.fourcc(*"mp4v"), fps / step, size)
    written = index = 0
    try:
        while written < count:
            ok, frame = cap.read()
            if not ok:
                break
            if index >= first and (index - first) % step == 0:
                out.write(frame)
                written += 1
            index += 1
    finally:
        cap.release()
        out.release()
    return written


def make_clips(out: Path, video: Path) -> None:
    """Write ``real_squat.mp4`` and ``synthetic_squat.mp4`` into ``out``."""
    import cv2

    out.mkdir(parents=True, exist_ok=True)
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    cap.release()
    first = round(REAL_START_S * fps)
    count = round((REAL_END_S - REAL_START_S) * fps / REAL_STEP)
    n = _copy_frames(video, out / "real_squat.mp4", first, count, REAL_STEP)
    print(f"real_squat.mp4: {n} frames of {video.name} ({REAL_START_S}-{REAL_END_S} s)")
    full = out / "synthetic_full.mp4"
    subprocess.run(
        [sys.executable, "-m", "edge_trainer", "sim", *SYNTH_ARGS, "-o", str(full)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    n = _copy_frames(full, out / "synthetic_squat.mp4", SYNTH_FIRST, SYNTH_FRAMES, 1)
    print(f"synthetic_squat.mp4: {n} frames of a rendered 2-squat clip")
    for extra in out.glob("synthetic_full*"):
        extra.unlink()


def landmarks(video: Path, dest: Path, models: Path, threads: int, frames: int) -> None:
    """Save the pose stage's ``(frames, 33, 4)`` landmarks of ``video``'s first ``frames``.

    Frames come as ``edge-trainer analyze`` reads them; NaN rows where nobody was found.
    """
    from edge_trainer.camera.video import VideoFileSource
    from edge_trainer.config import PoseConfig
    from edge_trainer.pose.blazepose import BlazePoseEstimator

    estimator = BlazePoseEstimator.from_store(models, PoseConfig(threads=threads))
    source = VideoFileSource(video)
    source.open()
    rows: list[npt.NDArray[np.float32]] = []
    try:
        while len(rows) < frames and (frame := source.read()) is not None:
            pose = estimator.estimate(frame.image, frame.t)
            rows.append(np.full((33, 4), np.nan, np.float32) if pose is None else pose.as_row())
    finally:
        source.close()
        estimator.close()
    np.save(dest, np.stack(rows))


def _counts(report: dict[str, object]) -> list[tuple[str, int]]:
    return [(str(s["exercise"]), int(s["reps"])) for s in report["sets"]]  # type: ignore[attr-defined]


def compare(x86: Path, arm: Path) -> bool:
    """Print the two machines' results side by side; True when they agree."""
    agree = True
    compared = 0
    for clip in CLIPS:
        if not (arm / f"{clip}.json").is_file():
            print(f"{clip}: not run on arm64 (--clips)")
            continue
        compared += 1
        a = json.loads((x86 / f"{clip}.json").read_text(encoding="utf-8"))
        b = json.loads((arm / f"{clip}.json").read_text(encoding="utf-8"))
        same = _counts(a) == _counts(b) and a["total_reps"] == b["total_reps"]
        agree &= same
        verdict = "same" if same else "DIFFERENT"
        print(f"{clip}: x86-64 {a['total_reps']} reps {_counts(a)}, "
              f"arm64 {b['total_reps']} reps {_counts(b)}: {verdict}")  # fmt: skip
        ms_a, ms_b = a["timing"]["pose_ms_per_frame"], b["timing"]["pose_ms_per_frame"]
        if ms_a and ms_b:
            print(
                f"  pose: {ms_a:.0f} ms a frame native, {ms_b:.0f} ms emulated ({ms_b / ms_a:.0f}x)"
            )
        la, lb = np.load(x86 / f"{clip}.npy"), np.load(arm / f"{clip}.npy")
        if la.shape != lb.shape:
            print(f"  landmarks: shapes differ {la.shape} vs {lb.shape}")
            agree = False
            continue
        found_a, found_b = np.isfinite(la[:, 0, 0]), np.isfinite(lb[:, 0, 0])
        both = found_a & found_b
        seen = (la[both][..., 3] >= SEEN) & (lb[both][..., 3] >= SEEN)
        diff = np.abs(la[both][..., :2] - lb[both][..., :2])[seen]
        worst = float(diff.max()) if diff.size else 0.0
        ok = bool(np.array_equal(found_a, found_b)) and worst <= TOLERANCE
        agree &= ok
        print(f"  landmarks: person found in {int(found_a.sum())}/{len(la)} vs "
              f"{int(found_b.sum())}/{len(lb)} frames; x, y of the landmarks both see "
              f"(visibility >= {SEEN}) differ by at most {worst:.5f} "
              f"(median {float(np.median(diff)) if diff.size else 0.0:.6f}; tolerance "
              f"{TOLERANCE}): {'ok' if ok else 'TOO FAR'}")  # fmt: skip
    return agree and compared > 0


def doctor_ok(path: Path) -> bool:
    """Whether doctor's checks that need no Pi hardware passed (its ``--json`` output)."""
    checks = {c["name"]: c for c in json.loads(path.read_text(encoding="utf-8"))}
    ok = True
    for name in ROOT_CHECKS:
        check = checks.get(name, {"status": "missing", "detail": ""})
        ok &= check["status"] == "ok"
        print(f"doctor {name}: {check['status']} {check['detail']}")
    others = ", ".join(f"{n} {c['status']}" for n, c in checks.items() if n not in ROOT_CHECKS)
    print(f"doctor, needing the Pi's devices or the LLM (not judged): {others}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("make")
    p.add_argument("out", type=Path)
    p.add_argument("--video", type=Path, required=True)
    p = sub.add_parser("landmarks")
    p.add_argument("video", type=Path)
    p.add_argument("dest", type=Path)
    p.add_argument("--models", type=Path, required=True)
    p.add_argument("--threads", type=int, default=1, help="pose.threads")
    p.add_argument("--frames", type=int, default=LANDMARK_FRAMES, help="frames to compare")
    p = sub.add_parser("compare")
    p.add_argument("x86", type=Path)
    p.add_argument("arm", type=Path)
    p.add_argument("--doctor", type=Path, required=True, help="doctor --json output (arm64)")
    args = parser.parse_args(argv)
    if args.command == "make":
        make_clips(args.out, args.video)
    elif args.command == "landmarks":
        landmarks(args.video, args.dest, args.models, args.threads, args.frames)
    else:
        doctor = doctor_ok(args.doctor)
        return 0 if compare(args.x86, args.arm) and doctor else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
