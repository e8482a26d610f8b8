"""The ``edge-trainer members`` command: add, list, rename, remove, print cards, merge lists."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from edge_trainer import config as config_mod
from edge_trainer import inputs

CARD_HELP = "card file, .png or .pdf (default: NAME-card.png)"


def register(sub: Any) -> None:
    """Add the ``members`` subcommand to the CLI."""
    p = sub.add_parser(
        "members",
        help="members and their cards (an opaque id and a display name each)",
        description="The box's members. A member's card carries only their opaque id; "
        "the list is paths.state_dir/members.file from the config.",
    )
    p.add_argument("--config", type=Path, help="TOML config (default: as 'run' finds it)")
    p.add_argument("--file", type=Path, help="member list file (overrides the config)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    a = actions.add_parser("add", help="add a member and write their card")
    a.add_argument("name")
    a.add_argument(
        "-o", "--output", type=Path, help="card file, .png or .pdf (default NAME-card.png)"
    )
    a.set_defaults(func=cmd_add)

    a = actions.add_parser("list", help="list the members")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.set_defaults(func=cmd_list)

    a = actions.add_parser("rename", help="change a member's display name (the card stays)")
    a.add_argument("member", help="name or id")
    a.add_argument("new_name")
    a.set_defaults(func=cmd_rename)

    a = actions.add_parser(
        "remove", help="remove a member: their card stops working, their sets stay, anonymised"
    )
    a.add_argument("member", help="name or id")
    a.set_defaults(func=cmd_remove)

    a = actions.add_parser("card", help="write a member's card again")
    a.add_argument("member", help="name or id")
    a.add_argument(
        "-o", "--output", type=Path, help="card file, .png or .pdf (default NAME-card.png)"
    )
    a.set_defaults(func=cmd_card)

    a = actions.add_parser("export", help="print the whole list as JSON (removed members too)")
    a.set_defaults(func=cmd_export)

    a = actions.add_parser(
        "merge", help="fold other boxes' lists into this one (the newer change of each wins)"
    )
    a.add_argument("lists", nargs="+", type=Path, metavar="LIST")
    a.set_defaults(func=cmd_merge)


def list_path(args: argparse.Namespace) -> Path:
    """The member list from ``--file``, or the config's state folder."""
    from edge_trainer.members.registry import members_path

    if args.file is not None:
        return Path(args.file)
    cfg = config_mod.load(config_mod.find(args.config))
    return members_path(cfg.paths.state_dir, cfg.members.file)


def _card_path(name: str, output: Path | None) -> Path:
    if output is not None:
        return output
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "member"
    return Path(f"{slug}-card.png")


def _write_card(member: Any, output: Path | None) -> Path:
    from edge_trainer.members.card import write_card

    out = _card_path(member.name, output)
    inputs.output_file(out, "-o/--output")
    return write_card(member, out)


def cmd_add(args: argparse.Namespace) -> int:
    """Run ``members add``."""
    from edge_trainer.members.registry import MemberList

    path = list_path(args)
    members = MemberList.load(path)
    member = members.add(args.name)
    out = _card_path(member.name, args.output)
    inputs.output_file(out, "-o/--output")  # before the list changes: nothing half done
    members.save(path)
    _write_card(member, out)
    print(f"added {member.name} (member {member.id}); card: {out}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """Run ``members list``."""
    from edge_trainer.members.registry import MemberList

    members = MemberList.load(list_path(args)).active()
    if args.json:
        rows = [{"id": m.id, "name": m.name, "created": _day(m.created)} for m in members]
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return 0
    if not members:
        print("no members yet ('edge-trainer members add NAME')")
        return 0
    width = max(len(m.name) for m in members)
    print(f"{'ID':8}  {'NAME':{width}}  ADDED")
    for m in members:
        print(f"{m.id:8}  {m.name:{width}}  {_day(m.created)}")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    """Run ``members rename``."""
    from edge_trainer.members.registry import MemberList

    path = list_path(args)
    members = MemberList.load(path)
    old = members.find(args.member)
    new = members.rename(args.member, args.new_name)
    members.save(path)
    print(f"renamed {old.name} to {new.name} (member {new.id}; the card stays valid)")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    """Run ``members remove``."""
    from edge_trainer.members.registry import MemberList

    path = list_path(args)
    members = MemberList.load(path)
    gone = members.remove(args.member)
    members.save(path)
    print(
        f"removed {gone.name} (member {gone.id}): the card no longer signs in; their sets "
        "stay in the history without their name"
    )
    return 0


def cmd_card(args: argparse.Namespace) -> int:
    """Run ``members card``."""
    from edge_trainer.members.registry import MemberList

    member = MemberList.load(list_path(args)).find(args.member)
    out = _write_card(member, args.output)
    print(f"wrote {member.name}'s card to {out}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Run ``members export``."""
    from edge_trainer.members.registry import MemberList

    data = MemberList.load(list_path(args)).to_json()
    sys.stdout.write(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    """Run ``members merge``."""
    from edge_trainer.members.registry import MemberList

    path = list_path(args)
    members = MemberList.load(path)
    totals = {"added": 0, "renamed": 0, "removed": 0}
    for other in args.lists:
        inputs.regular_file(other, "member list")
        for key, count in members.merge(MemberList.load(other)).items():
            totals[key] += count
    members.save(path)
    print(
        f"members: {len(members.active())} ({totals['added']} added, {totals['renamed']} "
        f"renamed, {totals['removed']} removed) in {path}"
    )
    return 0


def _day(stamp: float) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(stamp))
