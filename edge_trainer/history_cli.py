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
    fmt.add_argument(
        "--progress",
        action="store_true",
        help="with --member: plot their weekly progress per exercise to a PNG",
    )
    p.add_argument(
        "--member", metavar="NAME", help="only this member's sets (a name or a member id)"
    )
    p.add_argument(
        "--members", type=Path, metavar="FILE", help="member list for --member (default: the "
        "config's paths.state_dir/members.file)",
    )  # fmt: skip
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        help="PNG file for --plot (default: set-SET_ID.png) or --progress (default: "
        "progress.png); new database for --recover (default: FILE.recovered.sqlite3)",
    )
    p.set_defaults(func=cmd_history)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    a = actions.add_parser(
        "merge",
        help="fold history exports of several boxes into one database (again: adds nothing)",
    )
    a.add_argument("exports", nargs="+", type=Path, metavar="EXPORT")
    a.add_argument(
        "--db", type=Path, required=True, help="the merged database (created if missing)"
    )
    a.set_defaults(func=cmd_merge)
    a = actions.add_parser(
        "export", help="write a consistent copy of this box's history (for a fleet merge)"
    )
    a.add_argument("-o", "--output", type=Path, required=True, help="the new file")
    a.add_argument("--config", type=Path, help="TOML config (default: as 'run' finds it)")
    a.add_argument("--db", type=Path, help="history database file (overrides the config)")
    a.set_defaults(func=cmd_export)


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
    plotting = args.plot is not None or args.progress
    if args.output is not None and not plotting and args.recover is None:
        raise InputError(
            "-o/--output is only used with --plot SET_ID, --progress or --recover FILE"
        )
    if args.progress and args.member is None:
        raise InputError("--progress needs --member NAME")
    inputs.output_file(args.output, "-o/--output", create_folder=plotting)
    if args.recover is not None:
        return recover(args.recover, args.output)
    member = _member(args) if args.member is not None else None
    with HistoryReader(resolve_db(args)) as reader:
        if args.plot is not None:
            stored = reader.get_set(args.plot)
            out = args.output or Path(f"set-{args.plot}.png")
            history.plot_set(stored, out)
            print(f"wrote {out}")
            return 0
        if member is not None:
            sets = reader.member_sets(member[0])
            if args.progress:
                from edge_trainer.members.progress import plot_progress

                out = args.output or Path("progress.png")
                plot_progress(member[1], sets, out)
                print(f"wrote {out}")
                return 0
            sets = sets[-args.last :]
        else:
            sets = reader.recent_sets(args.last)
    if args.json:
        sys.stdout.write(history.to_json(sets) + "\n")
    elif args.csv:
        sys.stdout.write(history.to_csv(sets))
    else:
        sys.stdout.write(history.to_table(sets))
    return 0


def _member(args: argparse.Namespace) -> tuple[str, str]:
    """``(member id, name)`` of ``--member``: a name in the member list, or an id."""
    from edge_trainer.errors import InputError
    from edge_trainer.members.registry import MemberList, members_path, valid_id

    if args.members is not None:
        path = Path(args.members)
    else:
        cfg = config_mod.load(config_mod.find(args.config))
        path = members_path(cfg.paths.state_dir, cfg.members.file)
    try:
        member = MemberList.load(path).find(args.member)
    except InputError:
        if valid_id(args.member.strip()):  # a removed member's, or one of another list
            return args.member.strip(), args.member.strip()
        raise
    return member.id, member.name


def cmd_merge(args: argparse.Namespace) -> int:
    """Run ``edge-trainer history merge``."""
    from edge_trainer.session.merge import merge

    for path in args.exports:
        inputs.regular_file(path, "history export")
    inputs.output_file(args.db, "--db", create_folder=True)
    report = merge(args.db, list(args.exports))
    for line in report.conflicts:
        print(f"conflict: {line}", file=sys.stderr)
    print(
        f"merged {len(args.exports)} export(s) into {args.db}: {report.sessions} session(s) "
        f"and {report.sets} set(s) added, {report.updated} updated, {report.unchanged} "
        f"already there, {len(report.conflicts)} conflict(s)"
    )
    return 1 if report.conflicts else 0


def cmd_export(args: argparse.Namespace) -> int:
    """Run ``edge-trainer history export``."""
    from edge_trainer.session.merge import export

    inputs.output_file(args.output, "-o/--output", create_folder=True)
    box = export(resolve_db(args), args.output)
    print(f"exported the history of box {box} to {args.output}")
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
