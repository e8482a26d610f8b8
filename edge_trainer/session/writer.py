"""The history store behind one writer thread, so the frame thread never waits for fsync."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from edge_trainer.events import RepRecord, SetRecord
from edge_trainer.session.records import SessionRow, StoredSet
from edge_trainer.session.store import HistoryStore, StoreError

log = logging.getLogger(__name__)

Committed = Callable[[str, tuple[Any, ...]], None]

_STOP = ("", ())


class QueuedHistory:
    """Same write API as ``HistoryStore``; writes are queued and committed in order.

    Ids are reserved synchronously, so ``start_session``/``start_set`` return at once.
    The queue is bounded: if the disk stalls long enough to fill it, a write waits up to
    ``put_timeout_s`` and is then dropped, counted in ``dropped`` and logged (the frame
    loop must not hang on a dead SD card). Reads flush first, so they see every write
    queued before them. ``close()`` flushes everything, then closes the store.

    Trade-off against calling ``HistoryStore`` directly: a rep is on disk a few
    milliseconds after ``add_rep`` returns rather than when it returns. Pass
    ``on_committed`` to act (for instance, announce) only once a write is durable.

    Args:
        store: The store to write to (owned: closed by ``close()``).
        maxsize: Queue capacity in writes.
        put_timeout_s: How long a write may wait for room before it is dropped.
        on_committed: Called on the writer thread as ``(method, args)`` after each commit.
    """

    def __init__(
        self,
        store: HistoryStore,
        maxsize: int = 256,
        put_timeout_s: float = 2.0,
        on_committed: Committed | None = None,
    ) -> None:
        self.store = store
        self.put_timeout_s = put_timeout_s
        self.on_committed = on_committed
        self._queue: queue.Queue[tuple[str, tuple[Any, ...]]] = queue.Queue(maxsize)
        self.dropped = 0
        self.errors = 0
        self.written = 0
        self._closed = False
        self._pending = 0
        self._idle = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="history-writer", daemon=True)
        self._thread.start()

    @property
    def path(self) -> Any:
        """The database file."""
        return self.store.path

    # -- writes (queued) -------------------------------------------------------------

    def _put(self, method: str, *args: Any) -> None:
        if self._closed:
            raise StoreError(f"history writer for {self.store.path} is closed")
        with self._idle:
            self._pending += 1
        try:
            self._queue.put((method, args), timeout=self.put_timeout_s)
        except queue.Full:
            self._done()
            self.dropped += 1
            log.error("history writer queue full (disk stalled?): dropped %s", method)

    def new_session_id(self) -> int:
        """Reserve the next session id."""
        return self.store.new_session_id()

    def new_set_id(self) -> int:
        """Reserve the next set id."""
        return self.store.new_set_id()

    def start_session(self, t: float, session_id: int | None = None) -> int:
        """Queue a new session; returns its id at once."""
        sid = self.store.new_session_id() if session_id is None else session_id
        self._put("start_session", t, sid)
        return sid

    def end_session(self, session_id: int, t: float, reason: str) -> None:
        """Queue the end of a session."""
        self._put("end_session", session_id, t, reason)

    def start_set(
        self,
        session_id: int,
        exercise: str,
        t: float,
        set_id: int | None = None,
        min_reps: int = 1,
    ) -> int:
        """Queue a new open set; returns its id at once."""
        set_id = self.store.new_set_id() if set_id is None else set_id
        self._put("start_set", session_id, exercise, t, set_id, min_reps)
        return set_id

    def add_rep(self, set_id: int, rep: RepRecord) -> None:
        """Queue one rep."""
        self._put("add_rep", set_id, rep)

    def finish_set(
        self,
        set_id: int,
        record: SetRecord,
        summary: str | None = None,
        summary_source: str | None = None,
    ) -> None:
        """Queue the close of a set with its final record."""
        self._put("finish_set", set_id, record, summary, summary_source)

    def discard_set(self, set_id: int) -> None:
        """Queue closing a set the end-of-set pass found empty (see ``HistoryStore``)."""
        self._put("discard_set", set_id)

    def close_set_from_reps(self, set_id: int, status: str = "interrupted") -> None:
        """Queue closing an open set from its committed reps."""
        self._put("close_set_from_reps", set_id, status)

    def set_summary(self, set_id: int, text: str, source: str = "llm") -> None:
        """Queue a summary for a set."""
        self._put("set_summary", set_id, text, source)

    # -- reads (after a flush) -------------------------------------------------------

    def get_set(self, set_id: int) -> StoredSet:
        """One set with its reps, including every write queued before this call."""
        self.flush()
        return self.store.get_set(set_id)

    def previous_set(
        self, session_id: int, exercise: str, before_set_id: int | None = None
    ) -> StoredSet | None:
        """The latest closed set of ``exercise`` in a session (before ``before_set_id``)."""
        self.flush()
        return self.store.previous_set(session_id, exercise, before_set_id)

    def recent_sets(self, last: int = 20) -> list[StoredSet]:
        """The ``last`` most recent sets, oldest first, without their reps."""
        self.flush()
        return self.store.recent_sets(last)

    def member_sets(
        self, member_id: str, exercise: str | None = None, before_set_id: int | None = None
    ) -> list[StoredSet]:
        """A member's closed sets, oldest first, after every queued write."""
        self.flush()
        return self.store.member_sets(member_id, exercise, before_set_id)

    def set_member(self, set_id: int, member_id: str) -> None:
        """Queue recording whose set it is."""
        self._put("set_member", set_id, member_id)

    def anonymise(self, member_ids: set[str] | frozenset[str]) -> None:
        """Queue unlinking removed members from their sets."""
        self._put("anonymise", member_ids)

    def sessions(self, last: int = 20) -> list[SessionRow]:
        """The ``last`` most recent sessions, oldest first."""
        self.flush()
        return self.store.sessions(last)

    # -- lifecycle -------------------------------------------------------------------

    def flush(self, timeout: float | None = 5.0) -> bool:
        """Wait until every queued write is committed; returns False on timeout."""
        with self._idle:
            return self._idle.wait_for(
                lambda: self._pending == 0 or not self._thread.is_alive(), timeout
            )

    def close(self, timeout: float = 10.0) -> None:
        """Commit everything queued, stop the thread and close the store; idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.error("history writer did not finish within %.0f s", timeout)
                return
        self.store.close()

    def __enter__(self) -> QueuedHistory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _done(self) -> None:
        with self._idle:
            self._pending -= 1
            if self._pending == 0:
                self._idle.notify_all()

    def _run(self) -> None:
        while True:
            method, args = self._queue.get()
            if method == "":
                return
            try:
                getattr(self.store, method)(*args)
                self.written += 1
                if self.on_committed is not None:
                    self.on_committed(method, args)
            except Exception:
                # StoreError (disk full, I/O error) or a failing callback: keep writing.
                self.errors += 1
                log.exception("history writer: %s failed", method)
            finally:
                self._done()
