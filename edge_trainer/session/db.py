"""Reading the history database: connection, row conversion, queries, read-only access."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from edge_trainer.errors import EdgeTrainerError, InputError
from edge_trainer.events import RepRecord
from edge_trainer.session import schema
from edge_trainer.session.records import DiscountedRep, SessionRow, StoredSet, velocity_loss_pct

log = logging.getLogger(__name__)

DATABASE_NAME = "history.sqlite3"


class StoreError(EdgeTrainerError, OSError):
    """The history database cannot be opened, read or written."""


def database_path(state_dir: str | os.PathLike[str], name: str = DATABASE_NAME) -> Path:
    """Where the history database lives: ``name`` under ``state_dir`` unless it is absolute."""
    p = Path(name)
    return p if p.is_absolute() else Path(state_dir) / p


def mean(values: Sequence[float]) -> float | None:
    """Mean rounded to milliseconds, None for no values."""
    return round(sum(values) / len(values), 3) if values else None


def aggregate(reps: Sequence[RepRecord], partials: Sequence[RepRecord]) -> dict[str, Any]:
    """Set columns computed from its reps (used on normal end and on recovery alike)."""
    faults: dict[str, int] = {}
    for rep in (*reps, *partials):
        for code in dict.fromkeys(rep.faults):
            faults[code] = faults.get(code, 0) + 1
    return {
        "rep_count": len(reps),
        "partial_count": len(partials),
        "concentric_avg_s": mean([r.concentric_s for r in reps]),
        "eccentric_avg_s": mean([r.eccentric_s for r in reps]),
        "pause_avg_s": mean([r.pause_s for r in reps]),
        "tut_s": round(sum(r.concentric_s + r.eccentric_s + r.pause_s for r in reps), 3),
        "faults_json": json.dumps(faults, sort_keys=True),
    }


def rep_from_row(row: sqlite3.Row) -> RepRecord:
    """A ``reps`` row as a RepRecord."""
    return RepRecord(
        index=row["idx"],
        start_s=row["start_s"],
        end_s=row["end_s"],
        concentric_s=row["concentric_s"],
        eccentric_s=row["eccentric_s"],
        pause_s=row["pause_s"],
        velocity=row["velocity"],
        faults=tuple(json.loads(row["faults_json"])),
        partial=bool(row["partial"]),
    )


class HistoryReader:
    """Read-only access to an existing history database.

    Raises:
        StoreError: the file is missing, not a database, or from a newer edge-trainer.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise StoreError(
                f"no history database at {self.path} (nothing recorded yet, or wrong "
                "--config / --db?)"
            )
        self._conn: sqlite3.Connection | None = connect(self.path, readonly=True)
        try:
            version = schema.user_version(self._conn)
        except sqlite3.Error as exc:
            self.close()
            raise damaged(self.path, exc) from exc
        if version != schema.LATEST:
            self.close()
            raise StoreError(
                f"{self.path} has schema version {version}, this edge-trainer reads "
                f"{schema.LATEST}; start the service once to migrate it, or upgrade"
            )

    def _c(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"history database {self.path} is closed")
        return self._conn

    def get_set(self, set_id: int) -> StoredSet:
        """One set with its reps. Raises InputError if there is no such set."""
        try:
            return get_set(self._c(), set_id, self.path)
        except sqlite3.Error as exc:
            raise damaged(self.path, exc) from exc

    def previous_set(
        self, session_id: int, exercise: str, before_set_id: int | None = None
    ) -> StoredSet | None:
        """The latest closed set of ``exercise`` in a session (before ``before_set_id``)."""
        try:
            return previous_set(self._c(), session_id, exercise, before_set_id)
        except sqlite3.Error as exc:
            raise damaged(self.path, exc) from exc

    def recent_sets(self, last: int = 20) -> list[StoredSet]:
        """The ``last`` most recent sets, oldest first, without their reps."""
        try:
            return recent_sets(self._c(), last)
        except sqlite3.Error as exc:
            raise damaged(self.path, exc) from exc

    def sessions(self, last: int = 20) -> list[SessionRow]:
        """The ``last`` most recent sessions, oldest first."""
        try:
            return sessions(self._c(), last)
        except sqlite3.Error as exc:
            raise damaged(self.path, exc) from exc

    def member_sets(
        self, member_id: str, exercise: str | None = None, before_set_id: int | None = None
    ) -> list[StoredSet]:
        """A member's closed sets, oldest first, without their reps."""
        try:
            return member_sets(self._c(), member_id, exercise, before_set_id)
        except sqlite3.Error as exc:
            raise damaged(self.path, exc) from exc

    def box_id(self) -> str:
        """The box id recorded in the file."""
        try:
            return box_id(self._c())
        except sqlite3.Error as exc:
            raise damaged(self.path, exc) from exc

    def backup(self, dst: sqlite3.Connection) -> None:
        """Copy a consistent snapshot of the whole file into ``dst``."""
        try:
            self._c().backup(dst)
        except sqlite3.Error as exc:
            raise damaged(self.path, exc) from exc

    def integrity_check(self) -> str:
        """SQLite's own integrity check; ``"ok"`` when the file is sound."""
        return self._check("integrity_check")

    def quick_check(self) -> str:
        """SQLite's quick check (no index cross-checks); ``"ok"`` when the file is sound."""
        return self._check("quick_check")

    def _check(self, pragma: str) -> str:
        try:
            rows = self._c().execute(f"PRAGMA {pragma}").fetchall()
        except sqlite3.Error as exc:
            return str(exc)
        return "; ".join(str(r[0]) for r in rows[:3])

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> HistoryReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def damaged(path: Path, exc: BaseException) -> StoreError:
    """The one-line error for a history file SQLite cannot read."""
    return StoreError(
        f"{path} cannot be read ({exc}); 'edge-trainer history --recover {path}' "
        "salvages what it still holds"
    )


def connect(path: Path, readonly: bool) -> sqlite3.Connection:
    """Open the file and check it really is a SQLite database."""
    try:
        if readonly:
            return _connect_reader(path)
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5.0)
        conn.row_factory = sqlite3.Row
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("%s: journal mode is %s, not WAL", path, mode)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a usable history database: {exc}") from exc
    return conn


def _connect_reader(path: Path) -> sqlite3.Connection:
    uri = path.absolute().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False, timeout=5.0)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        # A WAL database read by a user who may not create its -shm file (the daemon is
        # not running, so there is no WAL to merge): read the file as it is.
        conn.close()
        conn = sqlite3.connect(
            f"{uri}?mode=ro&immutable=1", uri=True, check_same_thread=False, timeout=5.0
        )
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        log.debug("%s opened immutable (no write access to its folder)", path)
    conn.row_factory = sqlite3.Row
    return conn


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema up to date, as a StoreError on failure."""
    try:
        schema.migrate(conn)
    except ValueError as exc:
        raise StoreError(f"{path}: {exc}") from exc
    except sqlite3.Error as exc:
        raise StoreError(f"migrating {path} failed: {exc}") from exc


def set_from_row(
    row: sqlite3.Row,
    reps: Sequence[RepRecord] = (),
    discounted: Sequence[DiscountedRep] = (),
) -> StoredSet:
    """A ``sets`` row (and optionally its reps) as a StoredSet."""
    return StoredSet(
        id=row["id"],
        session_id=row["session_id"],
        exercise=row["exercise"],
        status=row["status"],
        start_s=row["started_s"],
        end_s=row["ended_s"],
        wall_start=row["wall_start"],
        wall_end=row["wall_end"],
        rep_count=row["rep_count"],
        partial_count=row["partial_count"],
        concentric_avg_s=row["concentric_avg_s"],
        eccentric_avg_s=row["eccentric_avg_s"],
        pause_avg_s=row["pause_avg_s"],
        velocity_loss_pct=row["velocity_loss_pct"],
        time_under_tension_s=row["tut_s"],
        faults=json.loads(row["faults_json"]),
        summary=row["summary"],
        summary_source=row["summary_source"],
        reps=tuple(r for r in reps if not r.partial),
        partial_reps=tuple(r for r in reps if r.partial),
        discounted_count=row["discounted_count"],
        discounted=tuple(discounted),
        member_id=row["member_id"],
    )


def with_reps(conn: sqlite3.Connection, row: sqlite3.Row) -> StoredSet:
    """A ``sets`` row with its reps; an open set gets figures computed from them."""
    rep_rows = conn.execute(
        "SELECT * FROM reps WHERE set_id = ? ORDER BY partial, idx", (row["id"],)
    ).fetchall()
    reps = [rep_from_row(r) for r in rep_rows if not r["discounted"]]
    discounted = [
        DiscountedRep(rep_from_row(r), r["discount_reason"] or "")
        for r in rep_rows
        if r["discounted"]
    ]
    stored = set_from_row(row, reps, discounted)
    if row["status"] != "open":
        return stored
    # An open set's columns are filled at its end; show what its reps say so far.
    agg = aggregate(stored.reps, stored.partial_reps)
    return dataclasses.replace(
        stored,
        rep_count=agg["rep_count"],
        partial_count=agg["partial_count"],
        concentric_avg_s=agg["concentric_avg_s"],
        eccentric_avg_s=agg["eccentric_avg_s"],
        pause_avg_s=agg["pause_avg_s"],
        time_under_tension_s=agg["tut_s"],
        faults=json.loads(agg["faults_json"]),
        velocity_loss_pct=velocity_loss_pct(stored.reps),
    )


def get_set(conn: sqlite3.Connection | None, set_id: int, path: Path) -> StoredSet:
    """One set with its reps; InputError if there is none with that id."""
    if conn is None:
        raise StoreError(f"history database {path} is closed")
    row = conn.execute("SELECT * FROM sets WHERE id = ?", (set_id,)).fetchone()
    if row is None:
        raise InputError(f"no set with id {set_id} in {path}")
    return with_reps(conn, row)


def previous_set(
    conn: sqlite3.Connection, session_id: int, exercise: str, before_set_id: int | None
) -> StoredSet | None:
    """The newest closed set of ``exercise`` in the session, before ``before_set_id``."""
    row = conn.execute(
        "SELECT * FROM sets WHERE session_id = ? AND exercise = ? AND status != 'open' "
        "AND id < ? ORDER BY id DESC LIMIT 1",
        (session_id, exercise, before_set_id if before_set_id is not None else 2**62),
    ).fetchone()
    return None if row is None else with_reps(conn, row)


def recent_sets(conn: sqlite3.Connection, last: int) -> list[StoredSet]:
    """The ``last`` newest sets, oldest first, without reps (open ones computed)."""
    rows = conn.execute(
        "SELECT * FROM (SELECT * FROM sets ORDER BY id DESC LIMIT ?) ORDER BY id", (last,)
    ).fetchall()
    return [with_reps(conn, r) if r["status"] == "open" else set_from_row(r) for r in rows]


def member_sets(
    conn: sqlite3.Connection, member_id: str, exercise: str | None, before_set_id: int | None
) -> list[StoredSet]:
    """A member's closed sets (optionally of one exercise, before a set), oldest first."""
    query = "SELECT * FROM sets WHERE member_id = ? AND status != 'open' AND id < ?"
    args: list[object] = [member_id, before_set_id if before_set_id is not None else 2**62]
    if exercise is not None:
        query += " AND exercise = ?"
        args.append(exercise)
    rows = conn.execute(query + " ORDER BY wall_start, id", args).fetchall()
    return [set_from_row(r) for r in rows]


def box_id(conn: sqlite3.Connection) -> str:
    """The box id recorded in the file (made when the file was created or migrated)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'box_id'").fetchone()
    return str(row[0]) if row is not None else ""


def sessions(conn: sqlite3.Connection, last: int) -> list[SessionRow]:
    """The ``last`` newest sessions with their set counts, oldest first."""
    rows = conn.execute(
        "SELECT *, (SELECT COUNT(*) FROM sets WHERE session_id = x.id) AS n FROM "
        "(SELECT * FROM sessions ORDER BY id DESC LIMIT ?) AS x ORDER BY id",
        (last,),
    ).fetchall()
    return [
        SessionRow(
            id=r["id"],
            started_s=r["started_s"],
            ended_s=r["ended_s"],
            wall_start=r["wall_start"],
            wall_end=r["wall_end"],
            end_reason=r["end_reason"],
            set_count=r["n"],
        )
        for r in rows
    ]
