"""A damaged history database: found at open, moved aside (never deleted), salvaged on demand."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from edge_trainer.session.db import StoreError

log = logging.getLogger(__name__)

# Files SQLite keeps beside a WAL database; they belong to it and move with it.
SIDE_FILES = ("-wal", "-shm")


class DamagedHistoryError(StoreError):
    """The history database exists but SQLite finds it damaged (or it was emptied)."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"history database {path} is damaged: {problem}")


def problem(path: Path) -> str | None:
    """Why the existing file at ``path`` is not a sound history database, or None.

    A missing file is no problem (a new one is made). A zero-byte file is one: SQLite
    would take it for a new database and the history it held would go unnoticed.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    if size == 0:
        return "the file is empty (0 bytes)"
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=5.0)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        conn.close()
    verdict = "; ".join(str(r[0]) for r in rows[:3])
    return None if verdict == "ok" else f"quick_check: {verdict}"


def set_aside(path: Path, clock: Callable[[], float] = time.time) -> Path:
    """Rename ``path`` (and its -wal/-shm files) to ``NAME.damaged-STAMP``; returns it."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(clock()))
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    try:
        path.rename(target)
        for suffix in SIDE_FILES:
            side = path.with_name(path.name + suffix)
            if side.exists():
                side.rename(target.with_name(target.name + suffix))
    except OSError as exc:
        raise StoreError(f"cannot move the damaged {path} aside: {exc.strerror or exc}") from exc
    return target
