"""The fact sheet of a finished set: the only things a summary may say about it."""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass

from edge_trainer.events import RepRecord, SetRecord
from edge_trainer.exercise import catalogue
from edge_trainer.exercise.faults import fault

log = logging.getLogger(__name__)

# How codes outside the catalogue are spoken (the catalogue's exercises say it
# themselves). Other codes are spoken with underscores as spaces.
EXERCISE_LABELS = {
    "pushup": "push-up",
    "sit_up": "sit-up",
    # A repeated movement the classifier does not know is still counted: just "reps".
    "unknown": "rep",
}


def exercise_label(code: str) -> str:
    """The spoken name of an exercise code (``push_up`` -> ``push-up``)."""
    entry = catalogue.get(code)
    if entry is not None:
        return entry.spoken
    return EXERCISE_LABELS.get(code, code.replace("_", " "))


def fault_phrase(code: str) -> str:
    """The spoken name of a fault code (``squat_knee_valgus`` -> ``knees caving in``)."""
    return fault(code).name


def _r1(value: float) -> float:
    return round(value + 0.0, 1)


def fmt_number(value: float) -> str:
    """A number as the fact sheet writes it: no trailing ``.0``."""
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


@dataclass(frozen=True, slots=True)
class FaultFact:
    """One form fault and the reps it was seen in."""

    code: str
    phrase: str
    reps: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PreviousFacts:
    """An earlier set of the same exercise, for comparison: the previous set of this
    session, or the member's set of an earlier session ("last time")."""

    reps: int


@dataclass(frozen=True, slots=True)
class SetFacts:
    """Everything a summary may say about one set, already rounded as it will be spoken.

    Attributes:
        exercise: Exercise code as recorded.
        label: Spoken exercise name.
        reps: Full reps.
        partial_reps: Movements that did not reach full range.
        avg_up_s: Mean concentric (lifting) seconds over full reps.
        avg_down_s: Mean eccentric (lowering) seconds over full reps.
        slowest_rep: Number of the full rep with the longest lifting phase (2+ reps).
        slowest_up_s: That rep's lifting seconds.
        faults: Faults, most frequent first.
        velocity_loss_pct: Velocity loss from the fastest to the last rep, whole percent.
        previous: The previous set of the same exercise in this session, if any.
        last_time: The signed-in member's latest set of the exercise in an earlier
            session, if any (the comparison when this session has none).
    """

    exercise: str
    label: str
    reps: int
    partial_reps: int
    avg_up_s: float | None
    avg_down_s: float | None
    slowest_rep: int | None
    slowest_up_s: float | None
    faults: tuple[FaultFact, ...]
    velocity_loss_pct: int | None
    previous: PreviousFacts | None
    last_time: PreviousFacts | None = None

    @property
    def compared(self) -> PreviousFacts | None:
        """The set a comparison speaks of: this session's previous set, else last time."""
        return self.previous if self.previous is not None else self.last_time

    @property
    def clean_reps(self) -> int:
        """Full reps without any fault."""
        faulty = {i for f in self.faults for i in f.reps}
        return max(0, self.reps - len(faulty))

    @property
    def slow_rep_stands_out(self) -> bool:
        """The slowest rep took clearly longer to lift than the average (a grinder)."""
        return (
            self.slowest_rep is not None
            and self.slowest_up_s is not None
            and self.avg_up_s is not None
            and self.slowest_up_s >= 1.25 * self.avg_up_s
        )

    def _reps_line(self) -> str:
        """The count, partials, and the change since last set (or last time)."""
        reps = f"Reps: {self.reps}"
        if self.partial_reps:
            reps += f" plus {self.partial_reps} partial"
        before, when = (
            (self.previous, "last set")
            if self.previous is not None
            else (self.last_time, "last time")
        )
        if before is not None:
            diff = self.reps - before.reps
            if diff:
                reps += f", {abs(diff)} {'more' if diff > 0 else 'fewer'} than {when}"
            else:
                reps += f", same as {when}"
        return reps

    def sheet(self) -> str:
        """The compact fact sheet given to the LLM, one fact a line.

        Every number a summary may say appears in this text, so verification reads its
        allowed numbers from here.
        """
        # Short labels: on a Pi 5 each prompt token costs about 30 ms before the first word.
        lines = [f"Exercise: {self.label}", self._reps_line()]
        if self.avg_up_s is not None and self.avg_down_s is not None:
            up, down = fmt_number(self.avg_up_s), fmt_number(self.avg_down_s)
            lines.append(f"Tempo: {up} s up, {down} s down")
        if self.slow_rep_stands_out and self.slowest_up_s is not None:
            lines.append(f"Slowest: rep {self.slowest_rep}, {fmt_number(self.slowest_up_s)} s up")
        if self.faults:
            parts = []
            for f in self.faults:
                which = "rep" if len(f.reps) == 1 else "reps"
                parts.append(f"{f.phrase} on {which} {', '.join(map(str, f.reps))}")
            lines.append("Faults: " + "; ".join(parts))
        elif self.reps:
            lines.append("Faults: none")
        if self.velocity_loss_pct is not None:
            lines.append(f"Velocity loss: {self.velocity_loss_pct}%")
        return "\n".join(lines)


def _mean(values: list[float]) -> float | None:
    return _r1(statistics.fmean(values)) if values else None


def _faults(reps: tuple[RepRecord, ...]) -> tuple[FaultFact, ...]:
    seen: dict[str, list[int]] = {}
    for rep in reps:
        for code in dict.fromkeys(rep.faults):
            seen.setdefault(code, []).append(rep.index)
    # Several codes may share a phrase (synonyms from different rule sets): merge them.
    merged: dict[str, tuple[str, set[int]]] = {}
    for code, idx in seen.items():
        phrase = fault_phrase(code)
        _code, found = merged.setdefault(phrase, (code, set()))
        found.update(idx)
    facts = [FaultFact(code, phrase, tuple(sorted(idx))) for phrase, (code, idx) in merged.items()]
    facts.sort(key=lambda f: (-len(f.reps), f.reps))
    return tuple(facts)


def build_facts(
    record: SetRecord, previous: SetRecord | None = None, last_time: PreviousFacts | None = None
) -> SetFacts:
    """Build the fact sheet of a set.

    Args:
        record: The finished set.
        previous: The previous set of the same exercise in this session; ignored when it
            is of another exercise.
        last_time: The member's latest set of the exercise in an earlier session.
    """
    # A partial flagged inside ``reps`` is still a partial.
    reps = tuple(r for r in record.reps if not r.partial)
    partials = len(record.partial_reps) + len(record.reps) - len(reps)
    slowest_rep: int | None = None
    slowest_up: float | None = None
    if len(reps) >= 2:
        slow = max(reps, key=lambda r: (r.concentric_s, r.index))
        slowest_rep, slowest_up = slow.index, _r1(slow.concentric_s)
    loss = record.velocity_loss_pct
    prev: PreviousFacts | None = None
    if previous is not None and previous.exercise != record.exercise:
        log.debug("previous set is %s, not %s: not compared", previous.exercise, record.exercise)
        previous = None
    if previous is not None:
        prev = PreviousFacts(reps=sum(1 for r in previous.reps if not r.partial))
    return SetFacts(
        exercise=record.exercise,
        label=exercise_label(record.exercise),
        reps=len(reps),
        partial_reps=partials,
        avg_up_s=_mean([r.concentric_s for r in reps]),
        avg_down_s=_mean([r.eccentric_s for r in reps]),
        slowest_rep=slowest_rep,
        slowest_up_s=slowest_up,
        faults=_faults(reps),
        velocity_loss_pct=round(loss) if loss is not None else None,
        previous=prev,
        last_time=last_time,
    )
