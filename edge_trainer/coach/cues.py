"""The cue policy: which events are worth saying, in what words, how urgently, how often.

Pure logic: events in, ``Cue`` objects out, time only from the events' source
timestamps. The cue queue (``cue_queue``) decides *when* a cue is actually spoken
(priority order, supersession, expiry); this module decides *whether* and *what*.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal

from edge_trainer.config import Config
from edge_trainer.events import (
    CameraLost,
    CameraRestored,
    Event,
    FormFault,
    PartialRep,
    RepCompleted,
    SetEnded,
    SetStarted,
)
from edge_trainer.exercise import catalogue
from edge_trainer.exercise.faults import fault

CueKind = Literal[
    "rep", "fault", "encourage", "rest", "set", "summary", "exercise", "status", "member", "best"
]


class Priority(enum.IntEnum):
    """Higher is more urgent; the cue queue serves the highest first."""

    INFO = 10  # the exercise named (when rep numbers are not spoken)
    REST = 20  # rest countdown
    ENCOURAGE = 30  # push near the end of a set
    REP = 40  # rep numbers
    SUMMARY = 50  # end-of-set summary
    FAULT = 60  # form faults: safety first, ahead of a queued rep count
    ALERT = 70  # the box itself has a problem (camera lost)


@dataclass(frozen=True, slots=True)
class Cue:
    """One thing to say.

    Attributes:
        text: Words for the speech engine.
        priority: ``Priority`` value; higher is spoken first.
        kind: What the cue is about (for logs, counters and supersession).
        t: Source time of the event that caused the cue.
        expiry_s: Seconds after that event within which speech must start; a cue not
            started by then is stale and dropped.
        key: Cues with the same non-empty key replace each other while queued (the
            newer wins), e.g. a rep count superseded by the next one.
    """

    text: str
    priority: int
    kind: CueKind
    t: float
    expiry_s: float
    key: str = ""


_NOT_EXERCISES = frozenset({"", "unknown", "rest", "none"})

_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five")


def fault_phrase(code: str) -> str:
    """The short spoken cue for a fault code (``squat_shallow`` -> ``Go deeper``)."""
    return fault(code).cue


def exercise_phrase(name: str) -> str:
    """``push_up`` -> ``push ups``, as spoken with the first rep of a set."""
    entry = catalogue.get(name)
    if entry is not None:
        return entry.called
    words = name.replace("_", " ")
    return words if words.endswith("s") else words + "s"


# An encouragement not started this soon after its rep is dropped: it follows the rep
# number (~0.7 s spoken) or nothing, never a fault cue, and never delays the next count.
ENCOURAGE_MAX_AGE_S = 1.0


@dataclass(frozen=True, slots=True)
class CueSettings:
    """Tuning of the cue policy; ``from_config`` fills it from the config file.

    Attributes:
        max_age_s: Expiry of rep, fault and encouragement cues.
        summary_max_age_s: Expiry of set and summary cues (said between sets).
        fault_cooldown_reps: A fault is repeated only after this many more reps...
        fault_cooldown_s: ...and this many seconds since it was last said.
        target_reps: Reps per set the lifter aims for; 0 means no target (no
            "two more" prompts).
        velocity_loss_steps_pct: Velocity losses (vs the set's fastest early rep) at
            which to encourage, each at most once per set.
        rest_target_s: Rest period the countdown runs down from.
        rest_calls_s: Remaining rest seconds at which the countdown speaks.
        count_reps: Speak each rep number.
    """

    max_age_s: float = 2.0
    summary_max_age_s: float = 30.0
    fault_cooldown_reps: int = 3
    fault_cooldown_s: float = 8.0
    target_reps: int = 0
    velocity_loss_steps_pct: tuple[float, ...] = (20.0, 35.0)
    rest_target_s: float = 90.0
    rest_calls_s: tuple[int, ...] = (60, 30, 10, 0)
    count_reps: bool = True

    @classmethod
    def from_config(cls, cfg: Config) -> CueSettings:
        """Settings from the ``speech`` and ``session`` sections."""
        sp = cfg.speech
        return cls(
            max_age_s=sp.max_cue_age_s,
            summary_max_age_s=sp.summary_max_age_s,
            fault_cooldown_reps=sp.fault_cooldown_reps,
            fault_cooldown_s=sp.fault_cooldown_s,
            target_reps=sp.target_reps,
            velocity_loss_steps_pct=sp.encourage_velocity_loss_pct,
            rest_target_s=cfg.session.rest_target_s,
            rest_calls_s=sp.rest_calls_s,
            count_reps=sp.count_reps,
        )


@dataclass(slots=True)
class _SetState:
    exercise: str
    reps: int = 0
    early_best_velocity: float | None = None
    encouraged: set[float] = field(default_factory=set)
    faulted_reps: set[int] = field(default_factory=set)


class CuePolicy:
    """Turns events into cues; call ``on_event`` for each event and ``tick`` each frame.

    Not thread-safe: call it from the thread that publishes events.
    """

    EARLY_REPS = 3  # velocity reference: the fastest of a set's first reps

    def __init__(self, settings: CueSettings | None = None) -> None:
        """Start with no set, no rest and no fault history."""
        self.settings = settings or CueSettings()
        self._set: _SetState | None = None
        self._rep_total = 0  # reps across sets, for fault cooldowns
        self._fault_last: dict[str, tuple[int, float]] = {}  # code -> (rep total, t)
        self._rest_start: float | None = None
        self._rest_called: set[int] = set()
        self._last_exercise: str | None = None
        self._camera_lost_said = False
        self.last_summary: str = ""

    def on_event(self, event: Event) -> list[Cue]:
        """The cues ``event`` calls for, most urgent first (may be none)."""
        if isinstance(event, RepCompleted):
            return self._rep(event)
        if isinstance(event, FormFault):
            return self._fault(event.fault, event.rep_index, event.t)
        if isinstance(event, PartialRep):
            # Before a set's first counted rep nobody has heard a count: a part-rep then
            # is most often the move into position (getting down, stepping back), and
            # "Full range" would land on someone who is not training yet.
            if self._set is None or self._set.reps == 0:
                return []
            return self._fault("partial", -event.rep.index, event.t)
        if isinstance(event, SetStarted):
            self._set = _SetState(event.exercise)
            self._rest_start = None
            return []
        if isinstance(event, SetEnded):
            return self._set_ended(event)
        if isinstance(event, CameraLost):
            if self._camera_lost_said:
                return []
            self._camera_lost_said = True
            return [_cue("Camera lost", Priority.ALERT, "status", event.t, 10.0)]
        if isinstance(event, CameraRestored):
            self._camera_lost_said = False
        return []

    def tick(self, t: float) -> list[Cue]:
        """Rest countdown calls due at source time ``t`` (call once per frame)."""
        if self._rest_start is None:
            return []
        remaining = self.settings.rest_target_s - (t - self._rest_start)
        due = [
            c for c in self.settings.rest_calls_s if remaining <= c and c not in self._rest_called
        ]
        if not due:
            return []
        self._rest_called.update(due)
        call = min(due)  # after a gap, only the latest call is still worth saying
        if call <= 0:
            self._rest_start = None
            text = "Rest over. Next set when you're ready"
        else:
            text = _seconds_phrase(call) + " rest left"
        return [_cue(text, Priority.REST, "rest", t, 1.5, key="rest")]

    def stop_rest(self) -> None:
        """Stop the rest countdown (session ended)."""
        self._rest_start = None

    def greeting(self, name: str, t: float) -> Cue:
        """A member signed in with their card: greet them by name."""
        return _cue(f"Hello {name}", Priority.SUMMARY, "member", t, self.settings.summary_max_age_s)

    def personal_best(self, exercise: str, reps: int, faster: bool, t: float) -> Cue:
        """A new personal best, said after the set: "New best: 12 push ups"."""
        name = exercise_phrase(exercise) if reps != 1 else exercise.replace("_", " ")
        text = f"New best: {reps} {name}" + (", your fastest yet" if faster else "")
        return _cue(text, Priority.SUMMARY, "best", t, self.settings.summary_max_age_s)

    def summary(self, text: str, t: float) -> Cue:
        """The cue for a set summary (from the LLM or the deterministic writer)."""
        self.last_summary = text
        return _cue(text, Priority.SUMMARY, "summary", t, self.settings.summary_max_age_s)

    def repeat_summary(self, t: float) -> Cue | None:
        """The last summary again (button C), or None if there has been none."""
        if not self.last_summary:
            return None
        return self.summary(self.last_summary, t)

    # --- handlers ----------------------------------------------------------------------

    def _rep(self, event: RepCompleted) -> list[Cue]:
        if self._set is None or self._set.exercise != event.exercise:
            self._set = _SetState(event.exercise)
            self._rest_start = None
        state = self._set
        # A set's first rep names its exercise ("Squats. 1"): named on the recogniser's
        # first guess instead, a bend to pick up a weight would be announced as deadlifts.
        name = self._announce(event.exercise) if state.reps == 0 else ""
        state.reps = max(state.reps, event.rep.index)
        self._rep_total += 1
        cues: list[Cue] = []
        age = self.settings.max_age_s
        count = str(event.rep.index) if self.settings.count_reps else ""
        # Decided for every rep (it tracks the early reps' speed); a faulty rep says its
        # correction instead: one thing per rep.
        encourage = self._encouragement(state, event)
        for code in event.rep.faults:
            # A faulty rep's number and its correction go out as one cue ("4. Go
            # deeper"): said apart, the more urgent fault would go first and hold the
            # count back by a whole phrase. Its FormFault events then add nothing.
            phrase = self._fault_due(code, event.rep.index, event.t)
            if phrase:
                return [_cue(_joined(name, count, phrase), Priority.FAULT, "fault", event.t, age)]
        if count:
            cues.append(_cue(_joined(name, count), Priority.REP, "rep", event.t, age, key="rep"))
        elif name:
            cues.append(_cue(name, Priority.INFO, "exercise", event.t, age))
        if encourage:
            # Only right after the count: started later it would hold up the next one.
            late = min(age, ENCOURAGE_MAX_AGE_S)
            cues.append(_cue(encourage, Priority.ENCOURAGE, "encourage", event.t, late))
        return cues

    def _announce(self, exercise: str) -> str:
        """The exercise's spoken name if it is a new one to announce, else ``""``."""
        if exercise in _NOT_EXERCISES or exercise == self._last_exercise:
            return ""
        self._last_exercise = exercise
        return exercise_phrase(exercise).capitalize()

    def _encouragement(self, state: _SetState, event: RepCompleted) -> str | None:
        target = self.settings.target_reps
        if target > 0:
            left = target - event.rep.index
            if 1 <= left <= 2:
                return f"{_NUMBER_WORDS[left].capitalize()} more"
            if left == 0:
                return "That's the target. Nice work"
        velocity = event.rep.velocity
        if velocity is None or velocity <= 0:
            return None
        if event.rep.index <= self.EARLY_REPS:
            best = state.early_best_velocity
            state.early_best_velocity = velocity if best is None else max(best, velocity)
            return None
        best = state.early_best_velocity
        if best is None:
            return None
        loss = 100.0 * (1.0 - velocity / best)
        reached = [s for s in self.settings.velocity_loss_steps_pct if loss >= s]
        fresh = [s for s in reached if s not in state.encouraged]
        if not fresh:
            return None
        state.encouraged.update(reached)
        return (
            "Drive! Strong finish"
            if max(reached) == max(self.settings.velocity_loss_steps_pct)
            else "Stay strong, keep it fast"
        )

    def _fault(self, code: str, rep_index: int, t: float) -> list[Cue]:
        phrase = self._fault_due(code, rep_index, t)
        if phrase is None:
            return []
        return [_cue(phrase, Priority.FAULT, "fault", t, self.settings.max_age_s)]

    def _fault_due(self, code: str, rep_index: int, t: float) -> str | None:
        """The fault's phrase if it is to be said now (and it is then marked said)."""
        state = self._set
        if state is not None and rep_index in state.faulted_reps:
            return None  # one correction per rep is all anyone can take in
        last = self._fault_last.get(code)
        if last is not None:
            reps_since = self._rep_total - last[0]
            if reps_since < self.settings.fault_cooldown_reps or (
                t - last[1] < self.settings.fault_cooldown_s
            ):
                return None
        self._fault_last[code] = (self._rep_total, t)
        if state is not None:
            state.faulted_reps.add(rep_index)
        return fault_phrase(code)

    def _set_ended(self, event: SetEnded) -> list[Cue]:
        record = event.record
        self._set = None
        if not record.reps and not record.partial_reps:
            return []  # the end-of-set pass found no set after all: nothing to announce
        self._rest_start = event.t
        self._rest_called = set()
        known = record.exercise not in _NOT_EXERCISES
        if record.rep_count == 1:
            one = record.exercise.replace("_", " ") if known else "rep"
            text = f"Set done. One {one}"
        else:
            name = exercise_phrase(record.exercise) if known else "reps"
            text = f"Set done. {record.rep_count} {name}"
        if record.partial_reps:
            text += f", {len(record.partial_reps)} partial"
        return [_cue(text, Priority.SUMMARY, "set", event.t, self.settings.summary_max_age_s)]


def _cue(
    text: str, prio: Priority, kind: CueKind, t: float, expiry: float, *, key: str = ""
) -> Cue:
    return Cue(text=text, priority=int(prio), kind=kind, t=t, expiry_s=expiry, key=key)


def _joined(*parts: str) -> str:
    """Spoken parts as one cue, each a short sentence: ``Squats. 4. Go deeper``."""
    return ". ".join(p for p in parts if p)


def _seconds_phrase(seconds: int) -> str:
    if seconds % 60 == 0:
        minutes = seconds // 60
        return "One minute" if minutes == 1 else f"{minutes} minutes"
    return f"{seconds} seconds"
