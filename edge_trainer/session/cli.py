"""The ``edge-trainer history`` command: list, export and plot recorded sets."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from edge_trainer import config as config_mod
from edge_trainer import inputs


def register(sub: Any) -> None:
    """Add the ``history`` subcommand to the CLI."""
    p = sub.add_parser(
        "history",
        help="list, export or plot recorded sets",
        description="Show recorded sets (newest last). The database is "
        "paths.state_dir/session.database from the config.",
    )
    p.add_argument(
        "--config",
        type=Path,
        help=f"TOML config (default: {config_mod.DEFAULT_CONFIG_PATH} if it exists, "
        "else the built-in defaults)",
    )
    p.add_argument("--db", type=Path, help="history database file (overrides the config)")
    p.add_argument("--last", type=int, default=20, metavar="N", help="show the last N sets")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    fmt.add_argument("--plot", type=int, metavar="SET_ID", help="plot one set's reps to a PNG")
    fmt.add_argument(
        "--recover",
        type=Path,
        metavar="FILE",
        help="copy what SQLite can still read from a damaged history file into a new one "
        "(FILE is left as it is)",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        help="PNG file for --plot (default: set-SET_ID.png); new database for --recover "
        "(default: FILE.recovered.sqlite3)",
    )
    p.set_defaults(func=cmd_history)


def resolve_db(args: argparse.Namespace) -> Path:
    """The database path from ``--db``, ``--config``, the system config, or the defaults."""
    from edge_trainer.session.db import database_path

    if args.db is not None:
        return Path(args.db)
    path = args.config
    if path is None and config_mod.DEFAULT_CONFIG_PATH.is_file():
        path = config_mod.DEFAULT_CONFIG_PATH
    cfg = config_mod.load(path)
    return database_path(cfg.paths.state_dir, cfg.session.database)


def cmd_history(args: argparse.Namespace) -> int:
    """Run ``edge-trainer history``."""
    from edge_trainer.errors import InputError
    from edge_trainer.session import history
    from edge_trainer.session.db import HistoryReader

    if args.last < 1:
        raise InputError(f"--last must be at least 1, got {args.last}")
    if args.output is not None and args.plot is None and args.recover is None:
        raise InputError("-o/--output is only used with --plot SET_ID or --recover FILE")
    inputs.output_file(args.output, "-o/--output", create_folder=args.plot is not None)
    if args.recover is not None:
        return recover(args.recover, args.output)
    with HistoryReader(resolve_db(args)) as reader:
        if args.plot is not None:
            stored = reader.get_set(args.plot)
            out = args.output or Path(f"set-{args.plot}.png")
            history.plot_set(stored, out)
            print(f"wrote {out}")
            return 0
        sets = reader.recent_sets(args.last)
    if args.json:
        sys.stdout.write(history.to_json(sets) + "\n")
    elif args.csv:
        sys.stdout.write(history.to_csv(sets))
    else:
        sys.stdout.write(history.to_table(sets))
    return 0


def recover(src: Path, out: Path | None) -> int:
    """Run ``edge-trainer history --recover FILE``."""
    from edge_trainer.session.salvage import salvage

    inputs.regular_file(src, "history file")
    dst = out or src.with_name(src.name + ".recovered.sqlite3")
    counts = salvage(src, dst)
    skipped = f", {counts['skipped']} unreadable stretch(es) skipped" if counts["skipped"] else ""
    print(
        f"recovered {counts['sessions']} session(s), {counts['sets']} set(s), "
        f"{counts['reps']} rep(s) from {src} into {dst}{skipped}"
    )
    return 0
