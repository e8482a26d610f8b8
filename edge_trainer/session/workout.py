"""The session as the app uses it: the state machine plus its durable record in the store."""

from __future__ import annotations

import dataclasses
import logging
import threading

from edge_trainer.events import Event, PartialRep, RepCompleted, SetEnded
from edge_trainer.session.machine import (
    SessionBegan,
    SessionFinished,
    SessionMachine,
    SessionOutput,
    SessionState,
    SessionView,
    StateChanged,
    deterministic_summary,
)
from edge_trainer.session.records import StoredSet
from edge_trainer.session.store import HistoryStore, StoreError
from edge_trainer.session.writer import QueuedHistory

log = logging.getLogger(__name__)


class WorkoutSession:
    """Feeds events to the ``SessionMachine`` and records sessions, sets and reps.

    Each rep is committed to the store inside ``handle`` before it returns, so subscribe
    this before the speech output on the event bus: a rep that has been announced is on
    disk. A failing store is logged and counted, never raised: the workout goes on.

    Thread safety: ``handle``/``tick``/``close`` run on the frame thread;
    ``attach_summary`` may come from any thread (an internal lock guards the machine).

    Args:
        machine: The state machine.
        store: Where to record: a ``HistoryStore`` (each rep durable when ``handle``
            returns), a ``QueuedHistory`` (committed on its writer thread), or None.
    """

    def __init__(self, machine: SessionMachine, store: HistoryStore | QueuedHistory | None) -> None:
        self.machine = machine
        self.store = store
        self.session_id: int | None = None
        self.set_id: int | None = None
        self.last_set_id: int | None = None
        self.store_errors = 0
        # A set the session end closed before its SetEnded arrived.
        self._cut_short: int | None = None
        self._lock = threading.Lock()

    @property
    def view(self) -> SessionView:
        """The current view model for the display."""
        return self.machine.view

    def handle(self, event: Event) -> list[SessionOutput]:
        """Apply one event to the machine and record what it means; returns the outputs."""
        with self._lock:
            if isinstance(event, SetEnded):
                # Close the set before the outputs: a pending session end follows it.
                self._finish_set(event)
            outputs = self.machine.handle(event)
            self._record(outputs)
            if isinstance(event, (RepCompleted, PartialRep)):
                self._add_rep(event)
            return outputs

    def tick(self, t: float) -> list[SessionOutput]:
        """Advance the machine's timers to source time ``t``."""
        with self._lock:
            outputs = self.machine.tick(t)
            self._record(outputs)
            return outputs

    def close(self, t: float, reason: str = "shutdown") -> list[SessionOutput]:
        """End the session for shutdown; an open set is closed from its committed reps.

        Feed the analyzer's ``finish(t)`` events through ``handle`` first, so the set
        gets its final record; whatever is still open then is kept as ``interrupted``.
        """
        with self._lock:
            outputs = self.machine.force_end(t, reason)
            self._record(outputs)
            return outputs

    def attach_summary(self, set_id: int, text: str, source: str = "llm") -> None:
        """Store a set's summary (e.g. the LLM's) and show it if it is the latest set."""
        with self._lock:
            if set_id == self.last_set_id:
                self.machine.set_summary(text)
            self._write("set_summary", set_id, text, source)

    def previous_set(self, exercise: str, before_set_id: int | None = None) -> StoredSet | None:
        """The previous closed set of ``exercise`` in this session, for comparisons."""
        if self.store is None or self.session_id is None:
            return None
        try:
            return self.store.previous_set(self.session_id, exercise, before_set_id)
        except StoreError:
            self.store_errors += 1
            log.exception("reading the previous set failed")
            return None

    # -- recording -------------------------------------------------------------------

    def _write(self, method: str, *args: object) -> object:
        if self.store is None:
            return None
        try:
            return getattr(self.store, method)(*args)
        except StoreError:
            self.store_errors += 1
            log.exception("history store: %s failed", method)
            return None

    def _record(self, outputs: list[SessionOutput]) -> None:
        for out in outputs:
            if isinstance(out, SessionBegan):
                sid = self._write("start_session", out.t)
                self.session_id = sid if isinstance(sid, int) else None
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

    def _open_set(self, t: float, exercise: str) -> None:
        if self.set_id is not None:
            self._write("close_set_from_reps", self.set_id, "interrupted")
        if self.session_id is None:
            sid = self._write("start_session", t)
            self.session_id = sid if isinstance(sid, int) else None
        if self.session_id is None:
            self.set_id = None
            return
        set_id = self._write("start_set", self.session_id, exercise, t)
        self.set_id = set_id if isinstance(set_id, int) else None
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
        if self.set_id is None and self._cut_short is not None:
            # The session ended before this SetEnded arrived and kept the set as
            # interrupted; its final record replaces that.
            set_id, self._cut_short = self._cut_short, None
            self._write("finish_set", set_id, record, deterministic_summary(record), "template")
            return
        if not record.reps and not record.partial_reps:
            # The end-of-set pass took back every live rep: it was not a set after all.
            if self.set_id is not None:
                self._write("discard_set", self.set_id)
                self.set_id = None
            return
        if self.set_id is None:
            # A set the machine never saw start (events lost upstream): keep its reps.
            self._open_set(record.start_s, record.exercise)
            if self.set_id is None:
                return
        self._write("finish_set", self.set_id, record, deterministic_summary(record), "template")
        self.last_set_id, self.set_id = self.set_id, None
