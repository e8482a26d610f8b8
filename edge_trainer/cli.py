"""The ``edge-trainer`` command line: parses arguments and hands off to the app."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from edge_trainer import __version__
from edge_trainer.chatter import NativeChatter
from edge_trainer.errors import ConfigError, EdgeTrainerError

log = logging.getLogger("edge_trainer")

# Modules that add subcommands: each has ``register(subparsers)`` that adds parsers whose
# ``func(args) -> int`` runs the command. Imported when the CLI starts; they import their
# heavy dependencies only inside ``func``.
COMMAND_MODULES = (
    "edge_trainer.commands",
    "edge_trainer.models.cli",
    "edge_trainer.doctor",
    "edge_trainer.history_cli",
    "edge_trainer.coach.cli",
    "edge_trainer.sim.cli",
    "edge_trainer.members.cli",
)


def setup_logging(level: str, debug: bool = False) -> None:
    """Log to stderr (journald under systemd) with lazy %-formatting everywhere."""
    logging.basicConfig(
        level=logging.DEBUG if debug else getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edge-trainer",
        description="An AI personal trainer that runs on a Raspberry Pi.",
    )
    parser.add_argument("--version", action="version", version=f"edge-trainer {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument(
        "--log-level", default="warning", help="debug, info, warning or error (default warning)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.log_level, args.debug)
    # Native libraries' chatter stays off stderr unless --debug asks for everything.
    with contextlib.nullcontext() if args.debug else NativeChatter():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        code: int = args.func(args)
        return code
    except ConfigError as exc:
        for path, reason in exc.problems:
            print(f"{exc.source}: {path}: {reason}", file=sys.stderr)
        if args.debug:
            raise
        return 2
    except EdgeTrainerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.debug:
            raise
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``| head``): nothing left to say, and no traceback; stdout
        # is pointed at /dev/null so the interpreter's own final flush is quiet too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 141
