"""The workout session state machine: pure, event-driven, timed only by source timestamps."""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Callable
from dataclasses import dataclass

from edge_trainer.events import (
    CameraLost,
    CameraRestored,
    Command,
    Event,
    ExerciseChanged,
    FormFault,
    MemberSignedIn,
    PartialRep,
    PersonAppeared,
    PersonLost,
    RepCompleted,
    SetEnded,
    SetRecord,
    SetStarted,
)

# How long an ``end_set`` request may go unanswered before the session ends without it.
PENDING_END_GRACE_S = 1.0

# Exercise labels that mean "no exercise"; they never become the displayed exercise.
NOT_AN_EXERCISE = frozenset({"unknown", "rest", "none", ""})


class SessionState(enum.Enum):
    """Where the workout is."""

    IDLE = "idle"  # nobody there, no session running
    PRESENT = "present"  # a session runs, no set yet
    SET_ACTIVE = "set_active"  # reps are being counted
    REST = "rest"  # between sets; the rest timer runs


@dataclass(frozen=True, slots=True)
class SessionView:
    """What the display needs to show the session, as plain values.

    Equal views render the same screen, so a display can redraw only on change; rest
    seconds are whole seconds for that reason.

    Attributes:
        state: Current state.
        session_no: 1-based session number since start (0 before the first).
        set_no: 1-based set number within the session (0 before the first set).
        exercise: Recognised or chosen exercise, None until one is known.
        exercise_locked: True when a button fixed the exercise (not auto-detected).
        reps: Full reps in the current (or just finished) set.
        partial_reps: Partial reps in the current (or just finished) set.
        last_concentric_s: Concentric seconds of the last rep.
        last_eccentric_s: Eccentric seconds of the last rep.
        last_fault: Last form fault code in this set.
        last_fault_t: Source time of that fault (for a timed flash).
        last_fault_rep: Number of the rep that fault was on.
        rest_s: Whole seconds rested so far (REST only).
        rest_remaining_s: Whole seconds left of the rest target (REST only, 0 when over).
        summary: Summary of the last set (the LLM's once it arrives).
        set_exercise: Exercise of the last finished set: what the summary and the rest
            screen are about, even when the next exercise is already being recognised.
        person_present: Someone is in view.
        camera_ok: Frames are flowing.
        muted: Speech is muted.
        member_id: The signed-in member's opaque id (None: a guest).
        member_name: Their display name.
        signed_in_t: Source time they signed in (the greeting shows for a while).
    """

    state: SessionState = SessionState.IDLE
    session_no: int = 0
    set_no: int = 0
    exercise: str | None = None
    exercise_locked: bool = False
    reps: int = 0
    partial_reps: int = 0
    last_concentric_s: float | None = None
    last_eccentric_s: float | None = None
    last_fault: str | None = None
    last_fault_t: float | None = None
    last_fault_rep: int = 0
    rest_s: int = 0
    rest_remaining_s: int = 0
    summary: str = ""
    set_exercise: str | None = None
    person_present: bool = False
    camera_ok: bool = True
    muted: bool = False
    member_id: str | None = None
    member_name: str | None = None
    signed_in_t: float | None = None


@dataclass(frozen=True, slots=True)
class SessionOutput:
    """Base of what the machine reports; ``t`` is the source time."""

    t: float


@dataclass(frozen=True, slots=True)
class StateChanged(SessionOutput):
    """The session moved from one state to another."""

    old: SessionState
    new: SessionState


@dataclass(frozen=True, slots=True)
class SessionBegan(SessionOutput):
    """A new workout session began."""

    session_no: int


@dataclass(frozen=True, slots=True)
class SessionFinished(SessionOutput):
    """The session ended; ``reason`` is ``absence``, ``command`` or ``shutdown``."""

    session_no: int
    reason: str


@dataclass(frozen=True, slots=True)
class Request(SessionOutput):
    """Something the machine needs the exercise stage to do (it cannot do it itself).

    Attributes:
        action: ``end_set`` (call ``analyzer.end_set(t)``), ``start_set`` (a button asked
            for a set; the analyzer starts it with the first rep) or ``set_exercise``
            (call ``analyzer.set_exercise(exercise, t)``; None means auto).
        exercise: For ``set_exercise``.
    """

    action: str
    exercise: str | None = None


class SessionMachine:
    """Turns exercise events, commands and ticks into session states and a view.

    Pure: no I/O, no clock reads; time comes from the events and from ``tick(t)``.
    ``handle`` and ``tick`` return what happened as ``SessionOutput`` values, in order.

    Args:
        absence_end_s: Seconds with nobody in view that end the session.
        rest_target_s: Rest period the rest timer counts down from.
        exercises: Exercise names the ``next_exercise`` button cycles through (then auto).
        summarize: Writes the summary of a finished set at once, without the LLM (the
            coach's deterministic one); None shows none until ``set_summary``.
    """

    def __init__(
        self,
        absence_end_s: float = 120.0,
        rest_target_s: float = 90.0,
        exercises: tuple[str, ...] = (),
        summarize: Callable[[SetRecord], str] | None = None,
    ) -> None:
        self.absence_end_s = absence_end_s
        self.rest_target_s = rest_target_s
        self.exercises = exercises
        self.summarize = summarize
        self._view = SessionView()
        self._absent_since: float | None = None
        self._rest_started: float | None = None
        self._pending_end: tuple[str, float] | None = None  # (reason, requested at)

    @property
    def view(self) -> SessionView:
        """The current view model."""
        return self._view

    @property
    def state(self) -> SessionState:
        """The current state."""
        return self._view.state

    def _set(self, **changes: object) -> None:
        self._view = dataclasses.replace(self._view, **changes)  # type: ignore[arg-type]

    def _goto(self, new: SessionState, t: float, out: list[SessionOutput]) -> None:
        old = self._view.state
        if old is not new:
            self._set(state=new)
            out.append(StateChanged(t, old, new))

    def _ensure_session(self, t: float, out: list[SessionOutput]) -> None:
        if self._view.state is SessionState.IDLE:
            self._set(
                session_no=self._view.session_no + 1,
                set_no=0,
                reps=0,
                partial_reps=0,
                last_fault=None,
                last_fault_t=None,
                last_fault_rep=0,
                summary="",
            )
            out.append(SessionBegan(t, self._view.session_no))
            self._goto(SessionState.PRESENT, t, out)

    def _end_session(self, t: float, reason: str, out: list[SessionOutput]) -> None:
        if self._view.state is SessionState.SET_ACTIVE:
            # The analyzer owns the set: ask it to end it; the session ends on SetEnded
            # (or on the next tick if the request is not honoured).
            if self._pending_end is None:
                self._pending_end = (reason, t)
                out.append(Request(t, "end_set"))
            return
        if self._view.state is SessionState.IDLE:
            return
        self._pending_end = None
        self._absent_since = None
        self._rest_started = None
        out.append(SessionFinished(t, self._view.session_no, reason))
        # The session's end signs the member out: the next person is a guest.
        self._set(rest_s=0, rest_remaining_s=0, member_id=None, member_name=None, signed_in_t=None)
        self._goto(SessionState.IDLE, t, out)

    def handle(self, event: Event) -> list[SessionOutput]:
        """Apply one event; returns the outputs it caused."""
        out: list[SessionOutput] = []
        t = event.t
        if isinstance(event, PersonAppeared):
            self._absent_since = None
            self._set(person_present=True)
            self._ensure_session(t, out)
        elif isinstance(event, PersonLost):
            self._set(person_present=False)
            if self._absent_since is None:
                self._absent_since = t
        elif isinstance(event, SetStarted):
            self._start_set(t, event.exercise, out)
        elif isinstance(event, (RepCompleted, PartialRep)):
            if self._view.state is not SessionState.SET_ACTIVE:
                self._start_set(t, event.exercise, out)
            if isinstance(event, RepCompleted):
                self._set(
                    reps=self._view.reps + 1,
                    last_concentric_s=event.rep.concentric_s,
                    last_eccentric_s=event.rep.eccentric_s,
                )
            else:
                self._set(partial_reps=self._view.partial_reps + 1)
        elif isinstance(event, FormFault):
            self._set(last_fault=event.fault, last_fault_t=t, last_fault_rep=event.rep_index)
        elif isinstance(event, ExerciseChanged):
            if event.exercise not in NOT_AN_EXERCISE and not self._view.exercise_locked:
                self._set(exercise=event.exercise)
        elif isinstance(event, SetEnded):
            self._end_set(t, event.record, out)
        elif isinstance(event, CameraLost):
            self._set(camera_ok=False)
        elif isinstance(event, CameraRestored):
            self._set(camera_ok=True)
        elif isinstance(event, Command):
            self._command(t, event.name, out)
        elif isinstance(event, MemberSignedIn):
            self._sign_in(t, event, out)
        out.extend(self._timers(t))
        return out

    def tick(self, t: float) -> list[SessionOutput]:
        """Advance the timers to source time ``t`` (call it every frame or so)."""
        return self._timers(t)

    def force_end(self, t: float, reason: str = "shutdown") -> list[SessionOutput]:
        """End the session now, even mid-set (shutdown); the set's record is not awaited."""
        out: list[SessionOutput] = []
        self._pending_end = None
        if self._view.state is SessionState.SET_ACTIVE:
            self._goto(SessionState.REST, t, out)
        self._end_session(t, reason, out)
        return out

    def set_summary(self, text: str) -> None:
        """Show a better summary of the last set (the LLM's) once it is ready."""
        self._set(summary=text)

    def _sign_in(self, t: float, event: MemberSignedIn, out: list[SessionOutput]) -> None:
        """A card starts a session (or switches its member); the same card again is a no-op."""
        self._ensure_session(t, out)
        if not self._view.person_present and self._absent_since is None:
            self._absent_since = t  # a card shown by nobody who then trains still times out
        if event.member_id == self._view.member_id:
            return
        self._set(member_id=event.member_id, member_name=event.name, signed_in_t=t)

    def _start_set(self, t: float, exercise: str, out: list[SessionOutput]) -> None:
        self._ensure_session(t, out)
        self._rest_started = None
        shown = self._view.exercise if self._view.exercise_locked else exercise
        if shown in NOT_AN_EXERCISE:
            shown = self._view.exercise
        self._set(
            set_no=self._view.set_no + 1,
            exercise=shown,
            reps=0,
            partial_reps=0,
            last_concentric_s=None,
            last_eccentric_s=None,
            last_fault=None,
            last_fault_t=None,
            last_fault_rep=0,
            rest_s=0,
            rest_remaining_s=0,
        )
        self._goto(SessionState.SET_ACTIVE, t, out)

    def _end_set(self, t: float, record: SetRecord, out: list[SessionOutput]) -> None:
        if self._view.state is not SessionState.SET_ACTIVE:
            return
        if not record.reps and not record.partial_reps:
            # The end-of-set pass took back every rep: no set happened, no rest starts.
            self._set(set_no=max(0, self._view.set_no - 1), reps=0, partial_reps=0)
            self._goto(SessionState.PRESENT, t, out)
            return
        self._rest_started = t
        self._set(
            reps=record.rep_count,
            partial_reps=len(record.partial_reps),
            summary=self.summarize(record) if self.summarize is not None else "",
            set_exercise=record.exercise,
            rest_s=0,
            rest_remaining_s=math.ceil(self.rest_target_s),
        )
        self._goto(SessionState.REST, t, out)
        if self._pending_end is not None:
            reason = self._pending_end[0]
            self._pending_end = None
            self._end_session(t, reason, out)

    def _command(self, t: float, name: str, out: list[SessionOutput]) -> None:
        if name == "end_session":
            self._end_session(t, "command", out)
        elif name == "start_stop_set":
            if self._view.state is SessionState.SET_ACTIVE:
                out.append(Request(t, "end_set"))
            else:
                self._ensure_session(t, out)
                out.append(Request(t, "start_set"))
        elif name == "next_exercise":
            choice = self._next_exercise()
            self._set(exercise_locked=choice is not None)
            if choice is not None:
                self._set(exercise=choice)
            out.append(Request(t, "set_exercise", choice))
        elif name == "mute":
            self._set(muted=not self._view.muted)

    def _next_exercise(self) -> str | None:
        """Cycle: auto -> first exercise -> ... -> last -> auto."""
        if not self.exercises:
            return None
        if not self._view.exercise_locked or self._view.exercise not in self.exercises:
            return self.exercises[0]
        i = self.exercises.index(self._view.exercise)
        return self.exercises[i + 1] if i + 1 < len(self.exercises) else None

    def _timers(self, t: float) -> list[SessionOutput]:
        out: list[SessionOutput] = []
        if self._pending_end is not None and t - self._pending_end[1] >= PENDING_END_GRACE_S:
            # The end_set request went unanswered: end the session without the record.
            reason = self._pending_end[0]
            self._pending_end = None
            self._goto(SessionState.REST, t, out)
            self._end_session(t, reason, out)
        if self._rest_started is not None and self._view.state is SessionState.REST:
            rested = max(0.0, t - self._rest_started)
            self._set(
                rest_s=int(rested),
                rest_remaining_s=max(0, math.ceil(self.rest_target_s - rested)),
            )
        if (
            self._absent_since is not None
            and self._view.state is not SessionState.IDLE
            and t - self._absent_since >= self.absence_end_s
        ):
            self._end_session(t, "absence", out)
        return out
