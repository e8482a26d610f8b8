"""Core subcommands: run, analyze, demo, check-config."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edge_trainer import config as config_mod
from edge_trainer import inputs
from edge_trainer.errors import InputError

if TYPE_CHECKING:
    from edge_trainer.app import App


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
    app = App(cfg, "demo", video=args.video)
    code = app.run()
    for line in demo_report(app):
        print(line)
    return code


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
    return lines
