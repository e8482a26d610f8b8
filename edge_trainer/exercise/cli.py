"""``edge-trainer analyze``: count, time and judge the reps in a video or landmark file."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from edge_trainer import inputs
from edge_trainer.errors import InputError, ModelError
from edge_trainer.events import Event, SetRecord
from edge_trainer.exercise.trace import SetExplanation, trace_json

log = logging.getLogger(__name__)

DEFAULT_FPS = 30.0


def register(sub: Any) -> None:
    """Add the ``analyze`` subcommand."""
    p = sub.add_parser(
        "analyze",
        help="count, time and check the reps in a video or a landmark .npy",
        description="Analyse a video file, or a (frames, 33, 4) BlazePose landmark .npy "
        "(x, y, z, visibility; all-NaN rows where nobody was found).",
    )
    p.add_argument("input", type=Path, metavar="INPUT", help="video file or landmark .npy")
    p.add_argument("--exercise", metavar="NAME", help="skip recognition: the exercise done")
    p.add_argument(
        "--fps", type=float, help=f"frame rate (.npy default {DEFAULT_FPS:g}; video: its own)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    p.add_argument("--annotate", type=Path, metavar="OUT.mp4", help="write an annotated video")
    p.add_argument(
        "--explain",
        type=Path,
        metavar="PLOT.png",
        help="draw why each set was counted and named as it was (the 'plot' extra)",
    )
    p.add_argument("--config", type=Path, help="TOML config (default: built-in defaults)")
    p.set_defaults(func=cmd_analyze)


@dataclass
class _Run:
    """What one analysis produced."""

    frames: int
    fps: float
    sets: list[SetRecord]
    events: list[Event]
    pose_ms: float | None
    rows: list[npt.NDArray[np.float64] | None] = field(default_factory=list)
    explanations: list[SetExplanation] = field(default_factory=list)


def cmd_analyze(args: argparse.Namespace) -> int:
    from edge_trainer import config as config_mod
    from edge_trainer.exercise.catalogue import names as exercise_names
    from edge_trainer.exercise.offline import offline

    known = exercise_names()

    started = time.perf_counter()
    inputs.fps(args.fps)
    inputs.clip(args.input)
    inputs.output_file(args.annotate, "--annotate")
    inputs.output_file(args.explain, "--explain")
    if args.fps is not None and not args.fps > 0:
        raise InputError(f"--fps must be a positive number of frames per second, got {args.fps}")
    if args.exercise is not None and args.exercise not in (*known, "unknown"):
        raise InputError(
            f"unknown exercise '{args.exercise}'; choose one of: {', '.join(known)}, unknown"
        )
    if args.config is not None:
        cfg = config_mod.load(args.config)
    else:
        from edge_trainer.config import find as config_path

        cfg = config_mod.load(config_path(None))
    ex_cfg = offline(cfg.exercise)
    if args.exercise is not None:
        ex_cfg = config_mod.replace(ex_cfg, exercise=args.exercise)
    if not args.input.exists():
        raise InputError(f"cannot read '{args.input}': no such file")
    landmarks = load_landmarks(args.input) if args.input.suffix.lower() == ".npy" else None
    recognizer = None if ex_cfg.exercise != "auto" else _recognizer(Path(cfg.paths.models_dir))
    if landmarks is not None:
        run = _run_npy(landmarks, args.fps or DEFAULT_FPS, ex_cfg, recognizer)
    else:
        run = _run_video(
            args.input, args.fps, cfg, ex_cfg, recognizer, keep_rows=args.annotate is not None
        )
    total_s = time.perf_counter() - started
    report = build_report(str(args.input), run, total_s)
    if args.annotate is not None:
        _annotate(args.input, args.annotate, run)
    if args.explain is not None:
        from edge_trainer.analysis.explain import plot_explanations

        plot_explanations(run.explanations, args.explain, f"{args.input.name}: why this count")
    if args.json:
        sys.stdout.write(json.dumps(report) + "\n")
    else:
        sys.stdout.write(format_report(report))
    return 0


def _recognizer(models_dir: Path) -> Any:
    """The exercise recognizer from the model store, or None (logged) if there is none."""
    try:
        from edge_trainer.exercise.recognition import ExerciseRecognizer

        return ExerciseRecognizer.from_store(models_dir)
    except (ModelError, ImportError, OSError) as exc:
        log.warning("no exercise classifier (%s): sets are reported as 'unknown'", exc)
        return None


def load_landmarks(path: Path) -> npt.NDArray[np.float64]:
    """Load and check a landmark ``.npy``: float ``(frames, 33, 4)`` with some pose in it.

    Raises:
        InputError: not a readable .npy, the wrong shape or type, or no pose at all.
    """
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(f"cannot read '{path}' as a .npy array: {exc}") from exc
    if arr.ndim != 3 or arr.shape[1:] != (33, 4):
        raise InputError(
            f"'{path}' has shape {arr.shape}; expected (frames, 33, 4): BlazePose landmarks "
            "x, y, z, visibility"
        )
    if not np.issubdtype(arr.dtype, np.floating):
        raise InputError(f"'{path}' holds {arr.dtype} values; expected floats")
    if arr.shape[0] == 0 or not np.isfinite(arr[..., :2]).any():
        raise InputError(f"'{path}' has no pose in any frame (all NaN or empty)")
    return np.asarray(arr, dtype=np.float64)


def _run_npy(arr: npt.NDArray[np.float64], fps: float, ex_cfg: Any, recognizer: Any) -> _Run:
    from edge_trainer.exercise.offline import analyze_rows

    explanations: list[SetExplanation] = []
    sets, events = analyze_rows(arr, fps, ex_cfg, recognizer, explanations=explanations)
    rows: list[npt.NDArray[np.float64] | None] = list(arr)
    return _Run(len(arr), fps, sets, events, None, rows, explanations)


def _run_video(
    path: Path, fps: float | None, cfg: Any, ex_cfg: Any, recognizer: Any, *, keep_rows: bool
) -> _Run:
    from edge_trainer.camera.video import VideoFileSource
    from edge_trainer.exercise.analyzer import Analyzer

    estimator = _pose_estimator(cfg)
    source = VideoFileSource(path, fps_override=fps)
    source.open()
    analyzer = Analyzer(ex_cfg, recognizer)
    events: list[Event] = []
    rows: list[npt.NDArray[np.float64] | None] = []
    pose_s = 0.0
    frames = 0
    total = source.frame_count
    t = 0.0
    try:
        while (frame := source.read()) is not None:
            t0 = time.perf_counter()
            pose = estimator.estimate(frame.image, frame.t)
            pose_s += time.perf_counter() - t0
            events += analyzer.update(pose, frame.t)
            if keep_rows:
                rows.append(None if pose is None else pose.as_row().astype(np.float64))
            frames += 1
            t = frame.t
            _progress(frames, total)
    finally:
        source.close()
        estimator.close()
        if total:
            sys.stderr.write("\n")
    events += analyzer.finish(t + 1.0 / source.fps)
    pose_ms = pose_s / frames * 1000.0 if frames else None
    return _Run(frames, source.fps, analyzer.sets, events, pose_ms, rows, analyzer.explanations)


def _pose_estimator(cfg: Any) -> Any:
    """BlazePose from the model store; the MediaPipe reference if that is all there is."""
    try:
        from edge_trainer.pose.blazepose import BlazePoseEstimator

        return BlazePoseEstimator.from_store(Path(cfg.paths.models_dir), cfg.pose)
    except ModelError as exc:
        raise ModelError(
            f"{exc}; video analysis needs the pose models: run 'edge-trainer models fetch-pose'"
        ) from exc


def _progress(done: int, total: int) -> None:
    if total <= 0 or (done % 10 and done != total):
        return
    frac = min(1.0, done / total)
    bar = "#" * int(frac * 30)
    sys.stderr.write(f"\r[{bar:<30}] {frac * 100:5.1f}% {done}/{total} frames")
    sys.stderr.flush()


def build_report(name: str, run: _Run, total_s: float) -> dict[str, Any]:
    """The ``--json`` object (schema fixed by the product's CLI contract)."""
    sets = []
    for s in run.sets:
        sets.append(
            {
                "exercise": s.exercise,
                "start_s": round(s.start_s, 3),
                "end_s": round(s.end_s, 3),
                "reps": s.rep_count,
                "partial_reps": len(s.partial_reps),
                "velocity_loss_pct": None
                if s.velocity_loss_pct is None
                else round(s.velocity_loss_pct, 1),
                "time_under_tension_s": round(s.time_under_tension_s, 3),
                "rep_details": [
                    {
                        "start_s": round(r.start_s, 3),
                        "end_s": round(r.end_s, 3),
                        "concentric_s": round(r.concentric_s, 3),
                        "eccentric_s": round(r.eccentric_s, 3),
                        "faults": list(r.faults),
                    }
                    for r in s.reps
                ],
                "trace": _trace(run, s),
            }
        )
    return {
        "input": name,
        "fps": float(run.fps),
        "frames": int(run.frames),
        "duration_s": round(run.frames / run.fps, 3),
        "total_reps": sum(s.rep_count for s in run.sets),
        "sets": sets,
        "timing": {
            "pose_ms_per_frame": None if run.pose_ms is None else round(run.pose_ms, 2),
            "total_s": round(total_s, 3),
        },
    }


def _trace(run: _Run, record: SetRecord) -> dict[str, Any] | None:
    """Why the set was counted and named as it was (``None`` if the analysis kept no trace)."""
    found = next((e for e in run.explanations if e.record is record), None)
    return None if found is None else trace_json(found)


def format_report(report: dict[str, Any]) -> str:
    """The readable table printed without ``--json``."""
    lines = [
        f"{report['input']}: {report['frames']} frames, {report['duration_s']:.1f} s at "
        f"{report['fps']:g} fps, {report['total_reps']} reps in {len(report['sets'])} set(s)"
    ]
    for n, s in enumerate(report["sets"], 1):
        vl = s["velocity_loss_pct"]
        lines.append(
            f"set {n}: {s['exercise']}  {s['start_s']:.1f}-{s['end_s']:.1f} s  reps {s['reps']}"
            f"  partial {s['partial_reps']}  TUT {s['time_under_tension_s']:.1f} s"
            f"  velocity loss {'-' if vl is None else f'{vl:.0f}%'}"
        )
        trace = s.get("trace")
        if trace:
            lines.append(f"  named: {trace['exercise_reason']}")
            for r in trace["rejected"]:
                lines.append(f"  not a rep {r['start_s']:.1f}-{r['end_s']:.1f} s: {r['reason']}")
        lines.append("   rep   start    end   conc   ecc  faults")
        for i, r in enumerate(s["rep_details"], 1):
            lines.append(
                f"  {i:4d} {r['start_s']:7.2f} {r['end_s']:6.2f} {r['concentric_s']:6.2f}"
                f" {r['eccentric_s']:5.2f}  {', '.join(r['faults']) or '-'}"
            )
    timing = report["timing"]
    pose = timing["pose_ms_per_frame"]
    lines.append(
        f"time {timing['total_s']:.1f} s" + ("" if pose is None else f", pose {pose:.1f} ms/frame")
    )
    return "\n".join(lines) + "\n"


def _annotate(src: Path, out: Path, run: _Run) -> None:
    """Write ``out`` with the skeleton, the rep counter and fault flags drawn per frame."""
    from edge_trainer.exercise.annotate import write_annotated

    try:
        write_annotated(src, out, run.rows, run.events, run.fps)
    except OSError as exc:
        raise InputError(f"cannot write '{out}': {exc}") from exc
