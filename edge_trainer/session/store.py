"""The durable workout history: one SQLite file, each rep and set committed as it happens."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from edge_trainer.errors import InputError
from edge_trainer.events import RepRecord, SetRecord
from edge_trainer.session import damage, db
from edge_trainer.session.damage import DamagedHistoryError, set_aside
from edge_trainer.session.db import HistoryReader, StoreError, database_path
from edge_trainer.session.reconcile import Reconciled, reconcile
from edge_trainer.session.records import SessionRow, StoredSet, velocity_loss_pct

__all__ = [
    "DamagedHistoryError",
    "HistoryReader",
    "HistoryStore",
    "StoreError",
    "database_path",
    "open_history",
]

log = logging.getLogger(__name__)


class HistoryStore:
    """The workout history in SQLite (WAL, ``synchronous=FULL``).

    One process writes (the daemon holds an exclusive lock file next to the database);
    any number may read (``HistoryStore.reader``). Every write method commits before it
    returns, so a rep is on disk once ``add_rep`` returns: a kill -9 or power loss after
    that cannot lose it. Opening for writing migrates an older schema and closes sets a
    crash left open, from their rep rows (marked ``interrupted``).

    Methods may be called from any thread; writes are serialised by an internal lock.
    Ids are allocated in memory by the single writer, so a writer thread in front of the
    store can hand them out without waiting for the disk.

    Args:
        path: The database file (created with its folder if missing).
        clock: Wall clock for the ``wall_*`` columns (source times come with the events).
    """

    def __init__(
        self, path: str | os.PathLike[str], *, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.RLock()
        self._lock_fd: int | None = None
        self._open_sets: dict[int, int] = {}
        self.recovered_sets: list[int] = []
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {self.path.parent}: {exc.strerror or exc}") from exc
        self._take_writer_lock()
        try:
            # Checked before SQLite writes to it: a damaged file is moved aside whole.
            found = damage.problem(self.path)
            if found is not None:
                raise DamagedHistoryError(self.path, found)
            self._conn = db.connect(self.path, readonly=False)
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            db.migrate(self._conn, self.path)
            self._next_session = self._max_id("sessions") + 1
            self._next_set = self._max_id("sets") + 1
            self.recovered_sets = self._recover()
        except BaseException:
            self.close()
            raise

    @classmethod
    def reader(cls, path: str | os.PathLike[str]) -> HistoryReader:
        """Open an existing database read-only (safe while the daemon writes to it)."""
        return HistoryReader(path)

    # -- lifecycle -------------------------------------------------------------------

    def _take_writer_lock(self) -> None:
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o640)
        except OSError as exc:
            raise StoreError(f"cannot open {lock_path}: {exc.strerror or exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            raise StoreError(
                f"history database {self.path} is in use by another edge-trainer process"
            ) from exc
        self._lock_fd = fd

    def close(self) -> None:
        """Close the database and release the writer lock; safe to call twice."""
        with self._lock:
            conn = getattr(self, "_conn", None)
            if conn is not None:
                try:
                    conn.close()
                except sqlite3.Error:
                    log.exception("closing %s failed", self.path)
                self._conn = None  # type: ignore[assignment]
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # closing the descriptor releases the flock
                self._lock_fd = None

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed (and fsynced) on exit."""
        with self._lock:
            conn = self._conn
            if conn is None:
                raise StoreError(f"history database {self.path} is closed")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreError(f"writing {self.path} failed: {exc}") from exc

    def _max_id(self, table: str) -> int:
        row = self._conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()
        return int(row[0])

    # -- writes ------------------------------------------------------------------------

    def new_session_id(self) -> int:
        """Reserve the next session id (a queued writer hands it out before the insert)."""
        with self._lock:
            sid = self._next_session
            self._next_session += 1
            return sid

    def new_set_id(self) -> int:
        """Reserve the next set id."""
        with self._lock:
            set_id = self._next_set
            self._next_set += 1
            return set_id

    def start_session(self, t: float, session_id: int | None = None) -> int:
        """Record a new session that began at source time ``t``; returns its id.

        Args:
            t: Source time.
            session_id: An id from ``new_session_id()``; None reserves one now.
        """
        sid = self.new_session_id() if session_id is None else session_id
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO sessions (id, started_s, wall_start) VALUES (?, ?, ?)",
                (sid, t, self._clock()),
            )
        return sid

    def end_session(self, session_id: int, t: float, reason: str) -> None:
        """Mark a session ended (``absence``, ``command``, ``shutdown``...)."""
        with self._tx() as conn:
            conn.execute(
                "UPDATE sessions SET ended_s = ?, wall_end = ?, end_reason = ? "
                "WHERE id = ? AND ended_s IS NULL",
                (t, self._clock(), reason, session_id),
            )

    def start_set(
        self,
        session_id: int,
        exercise: str,
        t: float,
        set_id: int | None = None,
        min_reps: int = 1,
    ) -> int:
        """Record an open set; its reps are added as they complete. Returns the set id.

        Args:
            session_id: The session it belongs to.
            exercise: Exercise name as known at the start (corrected at the end).
            t: Source time.
            set_id: An id from ``new_set_id()``; None reserves one now.
            min_reps: Full reps the set needs to count (``exercise.min_set_reps``; 1 for
                a chosen exercise), applied when a crash or shutdown closes it.
        """
        set_id = self.new_set_id() if set_id is None else set_id
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO sets (id, session_id, exercise, status, started_s, wall_start, "
                "min_reps) VALUES (?, ?, ?, 'open', ?, ?, ?)",
                (set_id, session_id, exercise, t, self._clock(), max(1, min_reps)),
            )
            self._open_sets[set_id] = session_id
        return set_id

    def add_rep(self, set_id: int, rep: RepRecord) -> None:
        """Commit one rep (full or partial) of an open set; durable when this returns."""
        with self._tx() as conn:
            self._insert_rep(conn, set_id, self._session_of(set_id), rep)

    def _session_of(self, set_id: int) -> int:
        session_id = self._open_sets.get(set_id)
        if session_id is None:
            raise StoreError(f"set {set_id} is not open for writing")
        return session_id

    def _interrupted_session_of(self, set_id: int) -> int:
        with self._lock:
            row = (
                self._conn.execute(
                    "SELECT session_id FROM sets WHERE id = ? AND status = 'interrupted'", (set_id,)
                ).fetchone()
                if self._conn is not None
                else None
            )
        if row is None:
            raise StoreError(f"set {set_id} is not open for writing")
        return int(row[0])

    def _insert_rep(
        self,
        conn: sqlite3.Connection,
        set_id: int,
        session_id: int,
        rep: RepRecord,
        discount_reason: str | None = None,
    ) -> None:
        # REPLACE: a rep re-sent with the same number carries the newer measurement.
        conn.execute(
            "INSERT OR REPLACE INTO reps (set_id, session_id, idx, partial, start_s, end_s, "
            "concentric_s, eccentric_s, pause_s, velocity, faults_json, wall_time, "
            "discounted, discount_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                set_id,
                session_id,
                rep.index,
                int(rep.partial),
                rep.start_s,
                rep.end_s,
                rep.concentric_s,
                rep.eccentric_s,
                rep.pause_s,
                rep.velocity,
                json.dumps(list(rep.faults)),
                self._clock(),
                int(discount_reason is not None),
                discount_reason,
            ),
        )

    def finish_set(
        self,
        set_id: int,
        record: SetRecord,
        summary: str | None = None,
        summary_source: str | None = None,
    ) -> None:
        """Close a set with its final record (the end-of-set pass may have corrected reps).

        The set's count is the record's, but no rep stored while it ran is lost: each is
        confirmed by a final rep (and takes its measurement) or kept as ``discounted``
        with the reason. A set whose final record has no rep at all is kept the same way
        when reps were stored, and removed only when none were. Everything happens in
        one transaction. A set closed as ``interrupted`` may still be finished: its final
        record wins.
        """
        session_id = self._open_sets.get(set_id)
        if session_id is None:
            session_id = self._interrupted_session_of(set_id)
        with self._tx() as conn:
            live = self._live_reps(conn, set_id)
            if not live and not record.reps and not record.partial_reps:
                self._delete_set(conn, set_id)
            else:
                final = reconcile(
                    live, record.reps, record.partial_reps, min_reps=self._min_reps(conn, set_id)
                )
                self._replace_reps(conn, set_id, session_id, final)
                columns = db.aggregate(final.reps, final.partials)
                if record.exercise:
                    columns["exercise"] = record.exercise
                loss = record.velocity_loss_pct if final.reps else None
                columns["velocity_loss_pct"] = (
                    loss if loss is not None else velocity_loss_pct(final.reps)
                )
                end_s = (
                    record.end_s
                    if final.reps
                    else max((r.end_s for r in live), default=record.end_s)
                )
                self._close_set(conn, set_id, "done", end_s, columns)
                if summary is not None and final.reps:
                    conn.execute(
                        "UPDATE sets SET summary = ?, summary_source = ? WHERE id = ?",
                        (summary, summary_source, set_id),
                    )
        self._open_sets.pop(set_id, None)

    def discard_set(self, set_id: int) -> None:
        """Close a set the end-of-set pass found had no reps: removed if none were stored,
        else kept with its stored reps discounted (an announced rep is never deleted)."""
        self.finish_set(set_id, SetRecord("", 0.0, 0.0, ()))  # "": keep its exercise

    def close_set_from_reps(self, set_id: int, status: str = "interrupted") -> None:
        """Close an open set from the reps already committed (shutdown without a SetEnded)."""
        with self._tx() as conn:
            self._close_from_reps(conn, set_id, status)
        self._open_sets.pop(set_id, None)

    def set_member(self, set_id: int, member_id: str) -> None:
        """Record whose set it is (the member signed in when it started)."""
        with self._tx() as conn:
            conn.execute("UPDATE sets SET member_id = ? WHERE id = ?", (member_id, set_id))

    def anonymise(self, member_ids: set[str] | frozenset[str]) -> int:
        """Unlink removed members from their sets (the sets stay, as a guest's).

        Returns:
            Sets changed.
        """
        if not member_ids:
            return 0
        marks = ", ".join("?" for _ in member_ids)
        with self._tx() as conn:
            cur = conn.execute(
                f"UPDATE sets SET member_id = NULL WHERE member_id IN ({marks})",
                sorted(member_ids),
            )
        if cur.rowcount:
            log.info("%d set(s) of removed members kept without their member", cur.rowcount)
        return int(cur.rowcount)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on the open file (for bulk work such as a merge)."""
        with self._tx() as conn:
            yield conn

    def set_summary(self, set_id: int, text: str, source: str = "llm") -> None:
        """Attach the summary text to a set once it is ready (any thread)."""
        with self._tx() as conn:
            cur = conn.execute(
                "UPDATE sets SET summary = ?, summary_source = ? WHERE id = ?",
                (text, source, set_id),
            )
            if cur.rowcount == 0:
                raise InputError(f"no set with id {set_id} in {self.path}")

    def _close_set(
        self,
        conn: sqlite3.Connection,
        set_id: int,
        status: str,
        end_s: float,
        columns: dict[str, Any],
    ) -> None:
        names = ", ".join(f"{k} = :{k}" for k in columns)
        conn.execute(
            f"UPDATE sets SET status = :status, ended_s = :end_s, wall_end = :wall_end, {names} "
            "WHERE id = :id",
            {**columns, "status": status, "end_s": end_s, "wall_end": self._clock(), "id": set_id},
        )

    def _live_reps(self, conn: sqlite3.Connection, set_id: int) -> list[RepRecord]:
        rows = conn.execute(
            "SELECT * FROM reps WHERE set_id = ? AND discounted = 0 ORDER BY partial, idx",
            (set_id,),
        ).fetchall()
        return [db.rep_from_row(r) for r in rows]

    def _min_reps(self, conn: sqlite3.Connection, set_id: int) -> int:
        row = conn.execute("SELECT min_reps FROM sets WHERE id = ?", (set_id,)).fetchone()
        return int(row[0]) if row is not None else 1

    def _delete_set(self, conn: sqlite3.Connection, set_id: int) -> None:
        # Only ever a set without a single stored rep: nothing was announced in it.
        conn.execute("DELETE FROM reps WHERE set_id = ?", (set_id,))
        conn.execute("DELETE FROM sets WHERE id = ?", (set_id,))

    def _replace_reps(
        self, conn: sqlite3.Connection, set_id: int, session_id: int, final: Reconciled
    ) -> None:
        conn.execute("DELETE FROM reps WHERE set_id = ? AND discounted = 0", (set_id,))
        for rep in final.reps:
            self._insert_rep(conn, set_id, session_id, rep)
        for rep in final.partials:
            self._insert_rep(conn, set_id, session_id, dataclasses.replace(rep, partial=True))
        for rep, reason in final.discounted:
            self._insert_rep(conn, set_id, session_id, rep, reason)
        if final.discounted:
            log.warning(
                "set %d: %d announced rep(s) kept as discounted: %s",
                set_id,
                len(final.discounted),
                final.discounted[0][1],
            )
        conn.execute(
            "UPDATE sets SET discounted_count = "
            "(SELECT COUNT(*) FROM reps WHERE set_id = ? AND discounted = 1) WHERE id = ?",
            (set_id, set_id),
        )

    def _close_from_reps(self, conn: sqlite3.Connection, set_id: int, status: str) -> None:
        row = conn.execute(
            "SELECT started_s, session_id FROM sets WHERE id = ?", (set_id,)
        ).fetchone()
        if row is None:
            return
        started_s, session_id = row
        live = self._live_reps(conn, set_id)
        reps = [r for r in live if not r.partial]
        partials = [r for r in live if r.partial]
        # Its own reps are its final record: the set keeps them all, or none when it
        # has fewer than its set needs (the rule a set that ends normally follows).
        final = reconcile(live, reps, partials, min_reps=self._min_reps(conn, set_id))
        self._replace_reps(conn, set_id, session_id, final)
        columns = db.aggregate(final.reps, final.partials)
        columns["velocity_loss_pct"] = velocity_loss_pct(final.reps)
        end_s = max((r.end_s for r in live), default=started_s)
        self._close_set(conn, set_id, status, end_s, columns)

    def _recover(self) -> list[int]:
        """Close sets and sessions a crash left open; returns the recovered set ids.

        Runs on open, before this process has opened anything. Sets keep every committed
        rep and are marked ``interrupted``; sessions end where their last set ended.
        """
        with self._tx() as conn:
            open_ids = [
                int(r[0])
                for r in conn.execute("SELECT id FROM sets WHERE status = 'open' ORDER BY id")
            ]
            for set_id in open_ids:
                self._close_from_reps(conn, set_id, "interrupted")
            dangling = conn.execute(
                "SELECT id, started_s FROM sessions WHERE ended_s IS NULL"
            ).fetchall()
            for sid, started_s in dangling:
                last = conn.execute(
                    "SELECT MAX(ended_s) FROM sets WHERE session_id = ?", (sid,)
                ).fetchone()[0]
                conn.execute(
                    "UPDATE sessions SET ended_s = ?, wall_end = ?, end_reason = 'interrupted' "
                    "WHERE id = ?",
                    (max(started_s, last or started_s), self._clock(), sid),
                )
        if open_ids:
            log.warning(
                "closed %d set(s) left open by an earlier crash: %s", len(open_ids), open_ids
            )
        return open_ids

    # -- reads -------------------------------------------------------------------------

    def get_set(self, set_id: int) -> StoredSet:
        """One set with its reps. Raises InputError if there is no such set."""
        with self._lock:
            return db.get_set(self._conn, set_id, self.path)

    def previous_set(
        self, session_id: int, exercise: str, before_set_id: int | None = None
    ) -> StoredSet | None:
        """The latest closed set of ``exercise`` in a session (before ``before_set_id``)."""
        with self._lock:
            return db.previous_set(self._conn, session_id, exercise, before_set_id)

    def recent_sets(self, last: int = 20) -> list[StoredSet]:
        """The ``last`` most recent sets, oldest first, without their reps."""
        with self._lock:
            return db.recent_sets(self._conn, last)

    def member_sets(
        self, member_id: str, exercise: str | None = None, before_set_id: int | None = None
    ) -> list[StoredSet]:
        """A member's closed sets (of ``exercise``; before ``before_set_id``), oldest first."""
        with self._lock:
            return db.member_sets(self._conn, member_id, exercise, before_set_id)

    def box_id(self) -> str:
        """This history file's box id (what a fleet merge keys its sets by)."""
        with self._lock:
            return db.box_id(self._conn)

    def sessions(self, last: int = 20) -> list[SessionRow]:
        """The ``last`` most recent sessions, oldest first."""
        with self._lock:
            return db.sessions(self._conn, last)

    def integrity_check(self) -> str:
        """SQLite's own integrity check; ``"ok"`` when the file is sound."""
        with self._lock:
            return str(self._conn.execute("PRAGMA integrity_check").fetchone()[0])


def open_history(path: str | os.PathLike[str], **kwargs: Any) -> tuple[HistoryStore, Path | None]:
    """Open the history for writing; a damaged file is moved aside and a new one started.

    Returns:
        The store, and where the damaged file went (None when the file was sound).
    """
    try:
        return HistoryStore(path, **kwargs), None
    except DamagedHistoryError as exc:
        moved = set_aside(exc.path)
        log.error(
            "%s; moved it to %s and started a new history "
            "('edge-trainer history --recover %s' salvages what it still holds)",
            exc,
            moved,
            moved,
        )
        return HistoryStore(path, **kwargs), moved
