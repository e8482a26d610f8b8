"""Rows read back from the history database, shaped like the exercise stage's records."""

from __future__ import annotations

from dataclasses import dataclass, field

from edge_trainer.events import RepRecord, SetRecord
from edge_trainer.exercise.tempo import velocity_loss_pct as set_velocity_loss


@dataclass(frozen=True, slots=True)
class DiscountedRep:
    """A rep that was announced while the set ran but is not part of its final count.

    Attributes:
        rep: The rep as it was stored when announced.
        reason: Why it does not count (the end-of-set pass did not confirm it, or the
            set had fewer reps than ``exercise.min_set_reps``).
    """

    rep: RepRecord
    reason: str


@dataclass(frozen=True, slots=True)
class StoredSet:
    """One set as the history database holds it.

    Attributes:
        id: Set id (unique in the database).
        session_id: The session the set belongs to.
        exercise: Exercise name.
        status: ``open`` (being recorded), ``done`` (ended normally) or ``interrupted``
            (closed from its rep rows after a crash, kill or power loss).
        start_s: Source time the set started.
        end_s: Source time it ended (None while open).
        wall_start: Unix time the set row was written.
        wall_end: Unix time the set was closed (None while open).
        rep_count: Full reps.
        partial_count: Partial reps.
        concentric_avg_s: Mean concentric seconds over full reps.
        eccentric_avg_s: Mean eccentric seconds over full reps.
        pause_avg_s: Mean pause seconds over full reps.
        velocity_loss_pct: Velocity loss over the set, if known.
        time_under_tension_s: Sum of phase times over full reps.
        faults: Fault code -> number of reps it was found in.
        summary: The spoken/displayed summary, once written.
        summary_source: Who wrote the summary (``llm``, ``template``, ...).
        reps: Full reps, in order (empty when listed without reps).
        partial_reps: Partial reps, in order (empty when listed without reps).
        discounted_count: Announced reps the set's final record did not confirm.
        discounted: Those reps with the reason (empty when listed without reps).
        member_id: The member who did the set (None: a guest, or a removed member).
    """

    id: int
    session_id: int
    exercise: str
    status: str
    start_s: float
    end_s: float | None
    wall_start: float
    wall_end: float | None
    rep_count: int
    partial_count: int
    concentric_avg_s: float | None
    eccentric_avg_s: float | None
    pause_avg_s: float | None
    velocity_loss_pct: float | None
    time_under_tension_s: float
    faults: dict[str, int] = field(default_factory=dict)
    summary: str | None = None
    summary_source: str | None = None
    reps: tuple[RepRecord, ...] = ()
    partial_reps: tuple[RepRecord, ...] = ()
    discounted_count: int = 0
    discounted: tuple[DiscountedRep, ...] = ()
    member_id: str | None = None

    @property
    def interrupted(self) -> bool:
        """True if the set was closed by recovery rather than by its normal end."""
        return self.status == "interrupted"

    def to_record(self) -> SetRecord:
        """The set as a ``SetRecord``, so summaries work the same on live and stored sets."""
        return SetRecord(
            exercise=self.exercise,
            start_s=self.start_s,
            end_s=self.end_s if self.end_s is not None else self.start_s,
            reps=self.reps,
            partial_reps=self.partial_reps,
            velocity_loss_pct=self.velocity_loss_pct,
        )


@dataclass(frozen=True, slots=True)
class SessionRow:
    """One workout session.

    Attributes:
        id: Session id.
        started_s: Source time it began.
        ended_s: Source time it ended (None while running or if never closed).
        wall_start: Unix time it began.
        wall_end: Unix time it ended.
        end_reason: ``absence``, ``command``, ``shutdown`` or ``interrupted``.
        set_count: Number of sets recorded in it.
    """

    id: int
    started_s: float
    ended_s: float | None
    wall_start: float
    wall_end: float | None
    end_reason: str | None
    set_count: int = 0


def velocity_loss_pct(reps: tuple[RepRecord, ...] | list[RepRecord]) -> float | None:
    """The exercise stage's velocity loss of a set, from its stored reps (1 decimal)."""
    loss = set_velocity_loss([r.velocity for r in reps])
    return None if loss is None else round(loss, 1)
