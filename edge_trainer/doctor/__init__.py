"""``edge-trainer doctor``: check the box's devices, models and system; a fix for each failure."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from edge_trainer.config import Config
from edge_trainer.doctor.checklist import Check, Env, Status
from edge_trainer.doctor.devices import (
    I2C_PINS,
    check_audio,
    check_buttons,
    check_camera,
    check_display,
    check_voice,
)
from edge_trainer.doctor.history import check_history
from edge_trainer.doctor.system import (
    check_clock,
    check_disk,
    check_llm,
    check_models,
    check_permissions,
)

__all__ = [
    "CHECKS", "I2C_PINS", "Check", "Env", "Status", "check_audio", "check_buttons",
    "check_camera", "check_clock", "check_disk", "check_display", "check_history", "check_llm",
    "check_models", "check_permissions", "check_voice", "cmd_doctor", "format_checklist",
    "register", "run_checks",
]  # fmt: skip

MARKS = {"ok": " ok ", "fail": "FAIL", "warn": "warn", "emulated": "emul", "skipped": "skip"}

CHECKS: tuple[Callable[[Config, Env], Check], ...] = (
    check_camera, check_display, check_buttons, check_audio, check_voice,
    check_models, check_llm, check_disk, check_history, check_clock, check_permissions,
)  # fmt: skip


def run_checks(cfg: Config, env: Env | None = None) -> list[Check]:
    """Run every check; a check that raises is reported as failed, never aborts the rest."""
    env = env or Env()
    out = []
    for fn in CHECKS:
        name = fn.__name__.removeprefix("check_")
        try:
            out.append(fn(cfg, env))
        except Exception as exc:  # a broken check must not hide the others
            out.append(Check(name, "fail", f"check crashed: {exc!r}", "report this as a bug"))
    return out


def format_checklist(checks: list[Check]) -> str:
    """The human checklist: one line per check, a ``fix:`` line under each problem."""
    lines = []
    for c in checks:
        lines.append(f"[{MARKS[c.status]}] {c.name:<12} {c.detail}")
        if c.fix and c.status in ("fail", "warn"):
            lines.append(f"       {'':<12} fix: {c.fix}")
    failed = [c.name for c in checks if c.failed]
    lines.append(
        f"{len(failed)} required check(s) failed: {', '.join(failed)}"
        if failed
        else "all required checks passed"
    )
    return "\n".join(lines)


def register(sub: Any) -> None:
    """Add ``edge-trainer doctor`` to the CLI."""
    p = sub.add_parser("doctor", help="check camera, display, buttons, audio, models, system")
    p.add_argument("--config", type=Path, help="TOML config (default: as 'models')")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    from edge_trainer import config as config_mod
    from edge_trainer.config import find as config_path

    path = config_path(args.config)
    checks = run_checks(config_mod.load(path))
    if args.json:
        print(json.dumps([asdict(c) | {"failed": c.failed} for c in checks], indent=2))
    else:
        print(f"edge-trainer doctor (config: {path or 'built-in defaults'})")
        print(format_checklist(checks))
    return 1 if any(c.failed for c in checks) else 0
