"""The deterministic set summary: written from the fact sheet alone, always available."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from edge_trainer.coach.facts import SetFacts, build_facts, fmt_number
from edge_trainer.events import SetRecord
from edge_trainer.exercise.faults import fault

SummarySource = Literal["llm", "deterministic", "mixed"]


@dataclass(frozen=True, slots=True)
class Summary:
    """A spoken set summary.

    Attributes:
        sentences: The sentences in speaking order.
        source: ``llm`` (every sentence the model's, each checked), ``deterministic``
            (none), or ``mixed`` (some model sentences, the others in their deterministic
            wording: rejected, or not reached in time).
        reason: Why deterministic text was used (empty when the model wrote it all).
        cancelled: A new set started before the summary was finished; nothing more of it
            is spoken.
        stats: Generation figures (tokens, seconds) when the model ran.
    """

    sentences: tuple[str, ...]
    source: SummarySource = "deterministic"
    reason: str = ""
    cancelled: bool = False
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The whole summary as one string."""
        return " ".join(self.sentences)


def plural(label: str, count: int) -> str:
    """``squat`` -> ``squats``, ``bench press`` -> ``bench presses`` (unless count is 1)."""
    if count == 1:
        return label
    if label.endswith(("s", "sh", "ch", "x")):
        return label + "es"
    return label + "s"


def _reps_list(reps: tuple[int, ...]) -> str:
    if len(reps) == 1:
        return f"rep {reps[0]}"
    return "reps " + ", ".join(map(str, reps[:-1])) + f" and {reps[-1]}"


def _well(f: SetFacts) -> str:
    if f.reps == 0:
        extra = f", only {f.partial_reps} partial" if f.partial_reps else ""
        return f"No full {plural(f.label, 2)} were counted{extra}."
    text = f"{f.reps} {plural(f.label, f.reps)}"
    if not f.faults:
        text += ", no form faults"
    if f.previous is not None and f.reps > f.previous.reps:
        text += f", {f.reps - f.previous.reps} more than last set"
    elif f.previous is None and f.last_time is not None and f.reps > f.last_time.reps:
        text += f", {f.reps - f.last_time.reps} more than last time"
    return text + "."


_STEADY = "Keep that same steady tempo."


def _fix(f: SetFacts) -> str | None:
    if f.reps == 0:
        return "Go through the full range so each rep counts."
    if f.faults:
        top = f.faults[0]
        cue = fault(top.code).cue
        seen = _reps_list(top.reps)
        advice = f"{cue[0].lower()}{cue[1:]} next set"
        return f"{seen[0].upper()}{seen[1:]} showed {top.phrase}: {advice}."
    if f.avg_down_s is not None and f.avg_down_s < 1.0:
        return f"Slow the lowering down, it averaged only {fmt_number(f.avg_down_s)} s."
    if f.slow_rep_stands_out and f.slowest_up_s is not None:
        slow = fmt_number(f.slowest_up_s)
        return f"Rep {f.slowest_rep} slowed to {slow} s up, so brace before each rep."
    return _STEADY


def _next(f: SetFacts) -> str | None:
    if f.reps == 0:
        return None
    loss = f.velocity_loss_pct
    if loss is not None and loss >= 30:
        return f"Speed dropped {loss}%, so take a full rest before the next set."
    if loss is not None and loss < 15 and not f.faults:
        return "Speed held well, so try adding a rep next set."
    return "Rest, then go again with the same focus."


@dataclass(frozen=True, slots=True)
class CoachLine:
    """One sentence of the coached summary, in its deterministic (true) wording.

    Attributes:
        role: ``well`` (what went well) or ``fix`` (the fix for the top fault, or the
            next step on a clean set).
        text: The deterministic sentence: what the model re-words, and what is spoken
            when the model's wording is rejected.
        cue: On a faulted set's fix line, the top fault's cue, which must be said.
    """

    role: Literal["well", "fix"]
    text: str
    cue: str = ""


def coach_lines(facts: SetFacts) -> tuple[CoachLine, CoachLine]:
    """The two sentences a coached summary says: what went well, then the fix or next step.

    A faulted set's second sentence is the top fault's fix. A clean set's is the most
    telling of the rest: a full rest after a big speed drop, else the tempo advice when
    there is one, else what to do next.
    """
    well = CoachLine("well", _well(facts))
    fix = _fix(facts)
    if facts.reps == 0 or facts.faults:
        cue = fault(facts.faults[0].code).cue if facts.faults else ""
        return well, CoachLine("fix", fix or "", cue)
    loss = facts.velocity_loss_pct
    if fix is None or fix == _STEADY or (loss is not None and loss >= 30):
        return well, CoachLine("fix", _next(facts) or _STEADY)
    return well, CoachLine("fix", fix)


def deterministic_summary(facts: SetFacts) -> Summary:
    """Summarise a set from its facts alone: what went well, what to fix, what next.

    Every number in the text comes from ``facts.sheet()``, so it passes verification.
    """
    sentences = [s for s in (_well(facts), _fix(facts), _next(facts)) if s]
    return Summary(tuple(sentences), "deterministic")


def summarize_set(record: SetRecord) -> str:
    """The deterministic summary of a finished set, as the box shows and stores it at once."""
    return deterministic_summary(build_facts(record)).text
