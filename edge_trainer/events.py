"""Events that flow from the exercise stage to the session and outputs.

Events are small frozen dataclasses. Timestamps are the source's frame timestamps in
seconds (never a clock read), so a recorded clip replays to the same events.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RepRecord:
    """One repetition, with its timing and form verdicts.

    Attributes:
        index: 1-based number of the rep within its set (partial reps are numbered apart).
        start_s: Source time the rep started.
        end_s: Source time the rep ended.
        concentric_s: Seconds of the lifting (muscle-shortening) phase.
        eccentric_s: Seconds of the lowering phase.
        pause_s: Seconds held at the turning points.
        velocity: Mean concentric velocity in body heights per second (None if unknown).
        faults: Fault codes found in this rep (see ``exercise.rules``).
        partial: True if the range of motion was too short to count as a rep.
    """

    index: int
    start_s: float
    end_s: float
    concentric_s: float
    eccentric_s: float
    pause_s: float = 0.0
    velocity: float | None = None
    faults: tuple[str, ...] = ()
    partial: bool = False


@dataclass(frozen=True, slots=True)
class SetRecord:
    """A finished set as the exercise stage measured it."""

    exercise: str
    start_s: float
    end_s: float
    reps: tuple[RepRecord, ...]
    partial_reps: tuple[RepRecord, ...] = ()
    velocity_loss_pct: float | None = None

    @property
    def rep_count(self) -> int:
        """Number of full reps."""
        return len(self.reps)

    @property
    def time_under_tension_s(self) -> float:
        """Sum of concentric, eccentric and pause time over the full reps."""
        return sum(r.concentric_s + r.eccentric_s + r.pause_s for r in self.reps)


@dataclass(frozen=True, slots=True)
class Event:
    """Base of all events; ``t`` is the source time in seconds."""

    t: float


@dataclass(frozen=True, slots=True)
class PersonAppeared(Event):
    """A person became visible to the camera."""


@dataclass(frozen=True, slots=True)
class PersonLost(Event):
    """The tracked person has not been seen for a while."""


@dataclass(frozen=True, slots=True)
class ExerciseChanged(Event):
    """The recognised exercise changed (``unknown`` or ``rest`` included)."""

    exercise: str
    previous: str | None = None
    confidence: float = 0.0


@dataclass(frozen=True, slots=True)
class SetStarted(Event):
    """A set began (first rep seen, or the start button pressed)."""

    exercise: str


@dataclass(frozen=True, slots=True)
class RepCompleted(Event):
    """A full rep completed; emitted as soon as the rep's last frame is seen."""

    exercise: str
    rep: RepRecord


@dataclass(frozen=True, slots=True)
class PartialRep(Event):
    """A movement that started like a rep but did not reach full range."""

    exercise: str
    rep: RepRecord


@dataclass(frozen=True, slots=True)
class FormFault(Event):
    """A form rule failed on a rep."""

    exercise: str
    rep_index: int
    fault: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SetEnded(Event):
    """A set finished; ``record`` is final (the end-of-set pass may have corrected it)."""

    record: SetRecord


@dataclass(frozen=True, slots=True)
class CameraLost(Event):
    """The camera stopped delivering frames; capture is retrying."""

    reason: str = ""


@dataclass(frozen=True, slots=True)
class CameraRestored(Event):
    """Frames flow again after a CameraLost."""


@dataclass(frozen=True, slots=True)
class MemberSignedIn(Event):
    """A member's card was read between sets: their sets are recorded under their id.

    Attributes:
        member_id: The opaque id the card carries.
        name: The member's display name, for the greeting.
    """

    member_id: str
    name: str


@dataclass(frozen=True, slots=True)
class PersonalBest(Event):
    """A member's set beat every earlier set of its exercise at this box.

    Attributes:
        member_id: Whose best it is.
        exercise: The exercise.
        reps: Full reps of the set.
        faster: True when the best is the fastest mean lifting time at these reps
            (not more reps than ever).
        set_id: The stored set.
    """

    member_id: str
    exercise: str
    reps: int
    faster: bool = False
    set_id: int | None = None


@dataclass(frozen=True, slots=True)
class Command(Event):
    """A user command from a button, a key or a script.

    Attributes:
        name: One of ``COMMANDS``.
    """

    name: str


COMMANDS = (
    "start_stop_set",
    "next_exercise",
    "auto_exercise",
    "repeat_summary",
    "end_session",
    "mute",
)


@dataclass(frozen=True, slots=True)
class Status(Event):
    """A one-line status for the terminal, systemd STATUS and logs."""

    text: str
    fields: dict[str, float | int | str] = field(default_factory=dict)
