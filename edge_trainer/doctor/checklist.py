"""The doctor's vocabulary: a checklist line (Check) and the system it looks at (Env)."""

from __future__ import annotations

import getpass
import grp
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Status = Literal["ok", "fail", "warn", "emulated", "skipped"]


@dataclass(frozen=True)
class Check:
    """One line of the checklist."""

    name: str
    status: Status
    detail: str
    fix: str = ""
    required: bool = True

    @property
    def failed(self) -> bool:
        """True for a failed required check (the ones that set the exit code)."""
        return self.status == "fail" and self.required


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)


def _groups() -> set[str]:
    return {grp.getgrgid(g).gr_name for g in os.getgroups()} | {grp.getgrgid(os.getgid()).gr_name}


def _probe_i2c(port: int, address: int) -> None:
    from smbus2 import SMBus

    with SMBus(port) as bus:
        bus.read_byte(address)


@dataclass
class Env:
    """The parts of the system the checks look at; tests point them at their own."""

    dev: Path = Path("/dev")
    asound: Path = Path("/proc/asound")
    pin_factory: Any = None
    which: Callable[[str], str | None] = shutil.which
    run: Callable[[list[str]], subprocess.CompletedProcess[str]] = _run
    now: Callable[[], float] = time.time
    groups: Callable[[], set[str]] = _groups
    is_root: bool = field(default_factory=lambda: os.geteuid() == 0)
    probe_i2c: Callable[[int, int], None] = _probe_i2c
    camera_seconds: float = 2.0
    disk_usage: Callable[[Path], Any] = shutil.disk_usage
    writable: Callable[[Path], bool] = field(default=lambda p: os.access(p, os.W_OK | os.X_OK))


def need_group(env: Env, group: str, what: str) -> str:
    """A failure detail when the current user lacks ``group``, else ''."""
    if env.is_root or group in env.groups():
        return ""
    return f"user {getpass.getuser()} is not in group '{group}' (needed for {what})"


def group_fix(group: str) -> str:
    return (
        f"sudo usermod -aG {group} {getpass.getuser()} and log in again "
        "(the service gets it from SupplementaryGroups in its unit)"
    )
