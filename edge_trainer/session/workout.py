"""The session as the app uses it: the state machine plus its durable record in the store."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from edge_trainer.events import Event, PartialRep, RepCompleted, SetEnded
from edge_trainer.session.machine import (
    SessionBegan,
    SessionFinished,
    SessionMachine,
    SessionOutput,
    SessionState,
    SessionView,
    StateChanged,
)
from edge_trainer.session.records import StoredSet
from edge_trainer.session.store import HistoryStore, StoreError
from edge_trainer.session.writer import QueuedHistory

log = logging.getLogger(__name__)


StoreHealth = Callable[[bool, str], None]

# Writes held in memory while the store fails; far more than a day of training.
MAX_BACKLOG = 100_000


class WorkoutSession:
    """Feeds events to the ``SessionMachine`` and records sessions, sets and reps.

    Each rep is committed to the store inside ``handle`` before it returns, so subscribe
    this before the speech output on the event bus and speak a rep only when
    ``saved`` is true: a rep that has been announced is on disk. A write that fails
    (disk full, I/O error) is kept in memory with every write after it, in order, and
    retried every ``retry_s`` seconds from ``tick``; ``saving`` is False until the
    backlog is written, and ``on_health(ok, detail)`` hears each change.

    Thread safety: ``handle``/``tick``/``close`` run on the frame thread;
    ``attach_summary`` may come from any thread (an internal lock guards the machine).

    Args:
        machine: The state machine.
        store: Where to record: a ``HistoryStore`` (each rep durable when ``handle``
            returns), a ``QueuedHistory`` (committed on its writer thread), or None.
        min_set_reps: Full reps a recognised set needs (``exercise.min_set_reps``); a
            set of a chosen exercise needs one.
        retry_s: Seconds between attempts to write the backlog.
        on_health: Called with ``(False, why)`` when writes start failing and
            ``(True, what)`` when the backlog has been written.
        clock: Monotonic seconds, for the retry pacing.
    """

    def __init__(
        self,
        machine: SessionMachine,
        store: HistoryStore | QueuedHistory | None,
        *,
        min_set_reps: int = 1,
        retry_s: float = 5.0,
        on_health: StoreHealth | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.machine = machine
        self.store = store
        self.min_set_reps = min_set_reps
        self.retry_s = retry_s
        self.on_health = on_health
        self._clock = clock
        self.session_id: int | None = None
        self.set_id: int | None = None
        self.last_set_id: int | None = None
        self.store_errors = 0
        self.store_problem = ""
        # Writes that failed (and every write after them), oldest first.
        self._backlog: deque[tuple[str, tuple[object, ...]]] = deque()
        self._next_retry = 0.0
        self._event_saved = True
        # A set the session end closed before its SetEnded arrived.
        self._cut_short: int | None = None
        self._lock = threading.Lock()

    @property
    def view(self) -> SessionView:
        """The current view model for the display."""
        return self.machine.view

    @property
    def saving(self) -> bool:
        """True while every write so far is in the store (nothing held in memory)."""
        return not self._backlog

    @property
    def saved(self) -> bool:
        """True if every write the last ``handle`` made is in the store."""
        return self._event_saved

    @property
    def unsaved(self) -> int:
        """Writes held in memory, waiting for the store to work again."""
        return len(self._backlog)

    def handle(self, event: Event) -> list[SessionOutput]:
        """Apply one event to the machine and record what it means; returns the outputs."""
        with self._lock:
            self._event_saved = True
            if isinstance(event, SetEnded):
                # Close the set before the outputs: a pending session end follows it.
                self._finish_set(event)
            outputs = self.machine.handle(event)
            self._record(outputs)
            if isinstance(event, (RepCompleted, PartialRep)):
                self._add_rep(event)
            return outputs

    def tick(self, t: float) -> list[SessionOutput]:
        """Advance the machine's timers to source time ``t``; retry unsaved writes."""
        with self._lock:
            if self._backlog and self._clock() >= self._next_retry:
                self._retry()
            outputs = self.machine.tick(t)
            self._record(outputs)
            return outputs

    def close(self, t: float, reason: str = "shutdown") -> list[SessionOutput]:
        """End the session for shutdown; an open set is closed from its committed reps.

        Feed the analyzer's ``finish(t)`` events through ``handle`` first, so the set
        gets its final record; whatever is still open then is kept as ``interrupted``.
        Writes still held in memory get one last attempt.
        """
        with self._lock:
            outputs = self.machine.force_end(t, reason)
            self._record(outputs)
            if self._backlog:
                self._retry()
            if self._backlog:
                log.error(
                    "history store: %d write(s) could not be saved before shutdown (%s)",
                    len(self._backlog),
                    self.store_problem,
                )
            return outputs

    def attach_summary(self, set_id: int, text: str, source: str = "llm") -> None:
        """Store a set's summary (e.g. the LLM's) and show it if it is the latest set."""
        with self._lock:
            if set_id == self.last_set_id:
                self.machine.set_summary(text)
            self._write("set_summary", set_id, text, source)

    def previous_set(self, exercise: str, before_set_id: int | None = None) -> StoredSet | None:
        """The previous closed set of ``exercise`` in this session, for comparisons."""
        if self.store is None or self.session_id is None or self._backlog:
            return None
        try:
            return self.store.previous_set(self.session_id, exercise, before_set_id)
        except StoreError:
            self.store_errors += 1
            log.exception("reading the previous set failed")
            return None

    def member_sets(
        self, member_id: str, exercise: str, before_set_id: int | None = None
    ) -> list[StoredSet] | None:
        """A member's earlier closed sets of ``exercise`` (None when they cannot be read:
        a store that fails or holds unsaved writes cannot be trusted for a record)."""
        if self.store is None or self._backlog:
            return None
        try:
            return self.store.member_sets(member_id, exercise, before_set_id)
        except StoreError:
            self.store_errors += 1
            log.exception("reading the member's earlier sets failed")
            return None

    def anonymise(self, member_ids: set[str] | frozenset[str]) -> None:
        """Unlink removed members from their stored sets (the sets stay)."""
        with self._lock:
            self._write("anonymise", member_ids)

    # -- recording -------------------------------------------------------------------

    def _write(self, method: str, *args: object) -> None:
        if self.store is None:
            return
        if self._backlog:
            # Keep the order: nothing is written past a write still waiting.
            self._hold(method, args)
            return
        try:
            getattr(self.store, method)(*args)
        except StoreError as exc:
            self.store_errors += 1
            self._hold(method, args)
            self.store_problem = str(exc)
            self._next_retry = self._clock() + self.retry_s
            log.error("history store: %s failed, kept in memory and retried: %s", method, exc)
            if self.on_health is not None:
                self.on_health(False, f"not saving: {exc}")

    def _hold(self, method: str, args: tuple[object, ...]) -> None:
        self._event_saved = False
        if len(self._backlog) >= MAX_BACKLOG:
            dropped = self._backlog.popleft()
            log.error("history backlog full: dropped the oldest unsaved %s", dropped[0])
        self._backlog.append((method, args))

    def _retry(self) -> None:
        assert self.store is not None
        written = 0
        while self._backlog:
            method, args = self._backlog[0]
            try:
                getattr(self.store, method)(*args)
            except StoreError as exc:
                self.store_problem = str(exc)
                self._next_retry = self._clock() + self.retry_s
                log.debug("history store still failing (%d held): %s", len(self._backlog), exc)
                return
            self._backlog.popleft()
            written += 1
        log.warning("history store works again: %d held write(s) saved", written)
        self.store_problem = ""
        if self.on_health is not None:
            self.on_health(True, f"history saved again ({written} held writes)")

    def _record(self, outputs: list[SessionOutput]) -> None:
        for out in outputs:
            if isinstance(out, SessionBegan):
                self._open_session(out.t)
            elif isinstance(out, StateChanged) and out.new is SessionState.SET_ACTIVE:
                self._open_set(out.t, self.machine.view.exercise or "unknown")
            elif isinstance(out, SessionFinished):
                if self.set_id is not None:
                    self._write("close_set_from_reps", self.set_id, "interrupted")
                    self._cut_short = self.set_id
                    self.last_set_id, self.set_id = self.set_id, None
                if self.session_id is not None:
                    self._write("end_session", self.session_id, out.t, out.reason)
                self.session_id = None

    def _open_session(self, t: float) -> None:
        if self.store is None:
            return
        self.session_id = self.store.new_session_id()
        self._write("start_session", t, self.session_id)

    def _open_set(self, t: float, exercise: str) -> None:
        if self.set_id is not None:
            self._write("close_set_from_reps", self.set_id, "interrupted")
        if self.session_id is None:
            self._open_session(t)
        if self.session_id is None or self.store is None:
            self.set_id = None
            return
        # A chosen exercise keeps any set; a recognised one needs min_set_reps.
        min_reps = 1 if self.machine.view.exercise_locked else self.min_set_reps
        self.set_id = self.store.new_set_id()
        self._write("start_set", self.session_id, exercise, t, self.set_id, min_reps)
        member = self.machine.view.member_id
        if member is not None:
            self._write("set_member", self.set_id, member)
        self._cut_short = None

    def _add_rep(self, event: RepCompleted | PartialRep) -> None:
        if self.set_id is None:
            return
        rep = event.rep
        if isinstance(event, PartialRep) and not rep.partial:
            rep = dataclasses.replace(rep, partial=True)
        self._write("add_rep", self.set_id, rep)

    def _finish_set(self, event: SetEnded) -> None:
        record = event.record
        summarize = self.machine.summarize
        summary = summarize(record) if record.reps and summarize is not None else None
        if self.set_id is None and self._cut_short is not None:
            # The session ended before this SetEnded arrived and kept the set as
            # interrupted; its final record replaces that.
            set_id, self._cut_short = self._cut_short, None
            self._write("finish_set", set_id, record, summary, "template")
            return
        if self.set_id is None:
            if not record.reps and not record.partial_reps:
                return
            # A set the machine never saw start (events lost upstream): keep its reps.
            self._open_set(record.start_s, record.exercise)
            if self.set_id is None:
                return
        # The store keeps every rep stored while the set ran, even when the end-of-set
        # pass took some (or all) of them back: those are kept as discounted.
        self._write("finish_set", self.set_id, record, summary, "template")
        if record.reps or record.partial_reps:
            self.last_set_id = self.set_id
        self.set_id = None
