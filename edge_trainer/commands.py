"""Core subcommands: run, demo, analyze, check-config, config-reference."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edge_trainer import config as config_mod
from edge_trainer import inputs
from edge_trainer.errors import InputError

if TYPE_CHECKING:
    import numpy.typing as npt

    from edge_trainer.analysis.report import Recording
    from edge_trainer.app import App
    from edge_trainer.events import Event
    from edge_trainer.exercise.analyzer import Analyzer

# Frame rate of a landmark file that does not say (``--fps``).
DEFAULT_FPS = 30.0


def register(sub: Any) -> None:
    """Add the core subcommands to the CLI."""
    p = sub.add_parser("run", help="run the box (the systemd service runs this)")
    p.add_argument("--config", type=Path, help="TOML config (default: built-in defaults)")
    p.add_argument("--video", type=Path, help="play this video file as if it were the camera")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="run the emulated box on a clip; outputs go to files")
    p.add_argument("--config", type=Path, help="TOML config (default: built-in defaults)")
    p.add_argument("--video", type=Path, help="clip to play (default: the built-in workout)")
    p.add_argument("--output", type=Path, help="output folder (default: paths.output_dir)")
    p.set_defaults(func=cmd_demo)

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

    p = sub.add_parser("check-config", help="validate a config file")
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_check_config)

    p = sub.add_parser("config-reference", help="print every config key with its default")
    p.set_defaults(func=cmd_config_reference)


def load_config(path: Path | None) -> config_mod.Config:
    """The config of the app: ``path`` loaded and checked, the exercise name included."""
    from edge_trainer.exercise import catalogue

    return config_mod.load(path, catalogue.names())


def cmd_run(args: argparse.Namespace) -> int:
    from edge_trainer.app import App

    path = config_mod.find(args.config)
    cfg = load_config(path)
    if args.video is not None:
        inputs.video_file(args.video)
    return App(cfg, "run", video=args.video, config_path=path).run()


def cmd_demo(args: argparse.Namespace) -> int:
    from edge_trainer.app import App
    from edge_trainer.config import replace

    cfg = load_config(args.config)
    if args.video is not None:
        inputs.video_file(args.video)
    if args.output is not None and (why := config_mod.path_problem(str(args.output))):
        raise InputError(f"--output {args.output}: {why}")
    # The demo is the emulated appliance: every device writes to files instead.
    cfg = replace(
        cfg,
        display=replace(cfg.display, kind="emulator"),
        speech=replace(cfg.speech, kind="wav"),
        buttons=replace(cfg.buttons, kind="emulator"),
        # The clip is read as fast as the CPU allows, so an idle-priority model would get
        # no CPU until it ends; a camera leaves the box idle time between frames.
        llm=replace(cfg.llm, worker_priority="normal"),
    )
    if args.output is not None:
        cfg = replace(cfg, paths=replace(cfg.paths, output_dir=str(args.output)))
    if args.video is None and cfg.camera.source == "video" and not cfg.camera.path:
        register_demo_member(cfg)
    app = App(cfg, "demo", video=args.video)
    code = app.run()
    for line in demo_report(app):
        print(line)
    return code


def register_demo_member(cfg: config_mod.Config) -> None:
    """The built-in clip shows the demo member's card: make them a member of this box."""
    from edge_trainer.members.registry import MemberList, members_path
    from edge_trainer.sim.api import DEMO_MEMBER_ID, DEMO_MEMBER_NAME

    path = members_path(cfg.paths.state_dir, cfg.members.file)
    members = MemberList.load(path)
    if members.get(DEMO_MEMBER_ID) is None:
        members.ensure(DEMO_MEMBER_ID, DEMO_MEMBER_NAME)
        members.save(path)


def cmd_analyze(args: argparse.Namespace) -> int:
    """Count, time and judge the reps of a clip with the live box's pose stage and analyzer."""
    from edge_trainer.analysis.report import build_report, format_report
    from edge_trainer.app import build_analyzer
    from edge_trainer.exercise import catalogue
    from edge_trainer.exercise.offline import offline

    started = time.perf_counter()
    inputs.fps(args.fps)
    stated = inputs.clip(args.input)
    inputs.output_file(args.annotate, "--annotate")
    inputs.output_file(args.explain, "--explain")
    known = catalogue.names()
    if args.exercise is not None and args.exercise not in (*known, "unknown"):
        raise InputError(
            f"unknown exercise '{args.exercise}'; choose one of: {', '.join(known)}, unknown"
        )
    cfg = load_config(config_mod.find(args.config))
    # A recording is analysed whole (see ``offline``); --exercise fixes the exercise.
    settings = offline(cfg.exercise)
    if args.exercise is not None:
        settings = config_mod.replace(settings, exercise=args.exercise)
    cfg = config_mod.replace(cfg, exercise=settings)
    if args.input.suffix.lower() == ".npy":
        rows = inputs.landmarks(args.input)
        run = _analyze_rows(rows, args.fps or DEFAULT_FPS, build_analyzer(cfg))
    else:
        keep_rows = args.annotate is not None
        run = _analyze_video(args.input, args.fps, cfg, stated, keep_rows=keep_rows)
    report = build_report(str(args.input), run, time.perf_counter() - started)
    if args.annotate is not None:
        _annotate(args.input, args.annotate, run)
    if args.explain is not None:
        from edge_trainer.analysis.explain import plot_explanations

        plot_explanations(run.explanations, args.explain, f"{args.input.name}: why this count")
    sys.stdout.write(json.dumps(report) + "\n" if args.json else format_report(report))
    return 0


def _analyze_rows(rows: Any, fps: float, analyzer: Analyzer) -> Recording:
    """A landmark file through the analyzer, frame by frame (no pose stage)."""
    from edge_trainer.analysis.report import Recording

    events: list[Event] = []
    for i, row in enumerate(rows):
        events += analyzer.update_row(row, i / fps)
    events += analyzer.finish(len(rows) / fps)
    return Recording(len(rows), fps, analyzer.sets, events, None, list(rows), analyzer.explanations)


def _analyze_video(
    path: Path, fps: float | None, cfg: config_mod.Config, total: int, *, keep_rows: bool
) -> Recording:
    """A video (``total`` frames, as it says) through the live box's pipeline: the same
    pose stage and analyzer, every frame."""
    import numpy as np
    from tqdm import tqdm

    from edge_trainer.analysis.report import Recording
    from edge_trainer.app import build_analyzer, build_pose, build_source, run_recording
    from edge_trainer.chatter import stderr_is_terminal
    from edge_trainer.pose.base import Pose

    # Without the pose models, the one error says how to get them.
    pose = build_pose(cfg)
    analyzer = build_analyzer(cfg)
    source = build_source(cfg.camera, Path(cfg.paths.state_dir), video=path, fps=fps)
    rows: list[npt.NDArray[np.float64] | None] = []
    # A bar on a terminal; nothing when stderr is a file or a pipe. The terminal check is
    # the chatter filter's: it puts a pipe in front of descriptor 2 while it runs.
    progress = tqdm(
        total=total or None,
        unit="frame",
        file=sys.stderr,
        disable=not stderr_is_terminal(),
        leave=False,
    )

    def on_frame(t: float, found: Pose | None) -> None:
        if keep_rows:
            rows.append(None if found is None else found.as_row().astype(np.float64))
        progress.update(1)

    try:
        pipeline, events = run_recording(source, pose, analyzer, on_frame)
    finally:
        progress.close()
        pose.close()
    s = pipeline.stats
    return Recording(
        s.frames, source.fps, analyzer.sets, events, s.pose_ms_per_frame, rows,
        analyzer.explanations,
    )  # fmt: skip


def _annotate(src: Path, out: Path, run: Recording) -> None:
    """Write ``out`` with the skeleton, the rep counter and fault flags drawn per frame."""
    from edge_trainer.analysis.annotate import write_annotated

    try:
        write_annotated(src, out, run.rows, run.events, run.fps)
    except OSError as exc:
        raise InputError(f"cannot write '{out}': {exc}") from exc


def cmd_check_config(args: argparse.Namespace) -> int:
    cfg = load_config(args.file)
    print(
        f"{args.file}: ok ({len(config_mod.describe())} settings, "
        f"camera={cfg.camera.source}, display={cfg.display.kind})"
    )
    return 0


def cmd_config_reference(args: argparse.Namespace) -> int:
    section = ""
    for key, default, doc in config_mod.describe():
        head = key.split(".")[0]
        if head != section:
            section = head
            sys.stdout.write(f"\n[{section}]\n")
        sys.stdout.write(f"# {doc}\n{key.split('.', 1)[1]} = {toml_value(default)}\n")
    return 0


def toml_value(value: Any) -> str:
    """A config value written as TOML (strings quoted and escaped, tuples as arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return repr(value)


def demo_report(app: App) -> list[str]:
    """What the run produced and where it is, for the end of ``demo``."""
    out = app.output_dir.resolve()
    lines = [f"Output folder: {out}"]
    if app.pipeline is not None:
        s = app.pipeline.stats
        ms = s.pose_ms_per_frame
        lines.append(
            f"  frames: {s.frames}, person found in {s.poses}, "
            f"pose {'-' if ms is None else f'{ms:.1f} ms'}/frame, reps: {app.reps}"
        )
    oled = sorted((out / "oled").glob("*.png"))
    lines.append(f"  OLED frames:  {out / 'oled'} ({len(oled)} PNG)")
    if (out / "session.gif").exists():
        lines.append(f"  OLED movie:   {out / 'session.gif'}")
    wavs = sorted((out / "speech").glob("*.wav"))
    lines.append(f"  spoken cues:  {out / 'speech'} ({len(wavs)} WAV, cues.jsonl)")
    if app.event_log is not None:
        lines.append(f"  session log:  {app.event_log.path.resolve()}")
    if app.outputs is not None:
        for set_id, summary in app.outputs.summaries_done:
            lines.append(f"  summary of stored set {set_id} ({summary.source}): {summary.text}")
        lines.extend(member_report(app))
    return lines


def member_report(app: App) -> list[str]:
    """Who signed in, their stored sets and their personal bests, for the demo's report."""
    from edge_trainer.coach.cues import exercise_phrase
    from edge_trainer.members.bests import bests
    from edge_trainer.session import history
    from edge_trainer.session.db import HistoryReader, database_path

    assert app.outputs is not None
    lines = []
    for event in app.outputs.greetings:
        lines.append(f'  signed in:    {event.name} (member {event.member_id}) at {event.t:.1f} s, '
                     f'"Hello {event.name}"')  # fmt: skip
    for best in app.outputs.bests:
        what = "fastest at these reps" if best.faster else "most reps"
        name = exercise_phrase(best.exercise)
        lines.append(f"  new best:     {best.reps} {name} ({what}; set {best.set_id})")
    if not app.outputs.greetings:
        return lines
    member = app.outputs.greetings[-1]
    db = database_path(app.state_dir, app.cfg.session.database)
    with HistoryReader(db) as reader:
        sets = [s for s in reader.member_sets(member.member_id) if s.rep_count]
    lines.append(f"  {member.name}'s history ({len(sets)} set(s) with reps, newest last):")
    lines.extend("    " + row for row in history.to_table(sets[-6:]).splitlines())
    for exercise, s in sorted(bests(sets).items()):
        up = "-" if s.concentric_avg_s is None else f"{s.concentric_avg_s:.2f} s up"
        lines.append(f"  personal best: {exercise} {s.rep_count} reps ({up}), set {s.id}")
    return lines
