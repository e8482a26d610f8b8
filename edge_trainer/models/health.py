"""The daemon's health file and pid file: how a model install learns that a reload worked.

Contract (both files live in the state folder, ``paths.state_dir``):

``edge-trainer.pid``
    The running daemon's process id as decimal text. Written at start, removed at exit.
    ``models install`` sends SIGHUP to this pid to ask for a reload (or, when there is no
    pid file, ``systemctl reload edge-trainer``).

``health.json``
    Written by the daemon (atomically: temp file + rename) after it has loaded its models,
    at start and after every reload::

        {"manifest_id": "20261121T103000123456Z-push", "status": "ok",
         "pid": 1234, "time": 1795256400.25, "detail": ""}

    ``manifest_id`` is the id of the model set it now runs; ``status`` is ``ok``,
    ``degraded`` (models loaded, but something else needs the owner: the history cannot
    be written or the disk is nearly full; ``detail`` says what) or ``error`` (a reload
    failed; ``detail`` says why, and the daemon keeps running the previous set);
    ``time`` is the Unix time of the write. An install that swapped ``current`` at time T
    waits for a report with ``time >= T``: ``ok`` with the new id means healthy; ``error``
    or no report within the timeout means roll back.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

PID_FILE = "edge-trainer.pid"
HEALTH_FILE = "health.json"


@dataclass(frozen=True)
class HealthReport:
    """What the daemon last said about the models it runs."""

    manifest_id: str
    status: str
    pid: int
    time: float
    detail: str = ""

    @property
    def ok(self) -> bool:
        """True when the daemon reported that it loaded its models and all is well."""
        return self.status == "ok"

    @property
    def loaded(self) -> bool:
        """True when the daemon runs its models: ``ok``, or ``degraded`` by something
        else (the history cannot be written, the disk is nearly full)."""
        return self.status in ("ok", "degraded")


def write_health(state_dir: Path, manifest_id: str, status: str = "ok", detail: str = "") -> Path:
    """Write ``health.json`` atomically, for the daemon after each (re)load.

    Args:
        state_dir: The daemon's state folder.
        manifest_id: Id of the model set now loaded (the previous one after a failed reload).
        status: ``ok``, or ``error`` when the requested reload failed.
        detail: Why, when ``status`` is ``error``.

    Returns:
        The path written.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    report = HealthReport(manifest_id, status, os.getpid(), time.time(), detail)
    path = state_dir / HEALTH_FILE
    tmp = path.with_name(f".{HEALTH_FILE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(report)) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def read_health(state_dir: Path) -> HealthReport | None:
    """The last health report, or None when there is none or it cannot be parsed."""
    path = state_dir / HEALTH_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return HealthReport(
            manifest_id=str(data["manifest_id"]),
            status=str(data["status"]),
            pid=int(data.get("pid", 0)),
            time=float(data["time"]),
            detail=str(data.get("detail", "")),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring unreadable health file %s: %s", path, exc)
        return None


def write_pid_file(state_dir: Path) -> Path:
    """Write this process's pid to ``edge-trainer.pid``, for the daemon at start."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / PID_FILE
    tmp = path.with_name(f".{PID_FILE}.tmp")
    tmp.write_text(f"{os.getpid()}\n", encoding="utf-8")
    tmp.replace(path)
    return path


def remove_pid_file(state_dir: Path) -> None:
    """Remove the pid file if it is ours (the daemon calls this at exit)."""
    path = state_dir / PID_FILE
    if read_pid(state_dir) == os.getpid():
        path.unlink(missing_ok=True)


def read_pid(state_dir: Path) -> int | None:
    """The pid in ``edge-trainer.pid`` if that process is alive, else None."""
    try:
        pid = int((state_dir / PID_FILE).read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        # Alive but owned by another user (the service user); signalling may still work
        # when we run as root, so report it.
        return pid
    return pid


def wait_healthy(
    state_dir: Path, manifest_id: str, since: float, timeout_s: float, poll_s: float = 0.1
) -> tuple[bool, str]:
    """Wait for the daemon to report ``manifest_id`` loaded after time ``since``.

    Returns:
        ``(True, "")`` when healthy, else ``(False, reason)`` after an ``error`` report or
        the timeout.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        report = read_health(state_dir)
        if report is not None and report.time >= since:
            if report.loaded and report.manifest_id == manifest_id:
                return True, ""
            if not report.loaded:
                return False, f"the daemon reported an error: {report.detail or 'no detail'}"
        if time.monotonic() >= deadline:
            seen = (
                f"last report: {report.status} {report.manifest_id}"
                if report is not None
                else "no health report"
            )
            return False, f"the daemon did not report healthy within {timeout_s:g}s ({seen})"
        time.sleep(poll_s)
