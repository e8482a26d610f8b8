"""One summary request: its facts, coached lines, what has been spoken, and the final Summary."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from edge_trainer.coach.facts import PreviousFacts, SetFacts, build_facts
from edge_trainer.coach.prompt import prefill
from edge_trainer.coach.summary import (
    CoachLine,
    Summary,
    SummarySource,
    coach_lines,
    deterministic_summary,
)
from edge_trainer.coach.verify import Verdict, check_sentence
from edge_trainer.events import SetRecord

log = logging.getLogger(__name__)

SentenceCallback = Callable[[str], None]
DoneCallback = Callable[[Summary], None]


@dataclass
class SummaryJob:
    """A set summary being written.

    The model re-words the coached lines one by one; each of its sentences is checked and,
    if rejected, the line's deterministic sentence is spoken in its place.

    Attributes:
        id: Request id (increasing).
        facts: The set's fact sheet.
        fallback: The deterministic summary of the same facts (no model sentence at all).
        lines: The coached summary's lines (what went well, the fix or next step).
        starts: The first words of the model's answer for each line.
        on_sentence: Gets each sentence to speak.
        on_done: Gets the final Summary.
        requested: Monotonic time of the request.
        spoken: Sentences handed on so far, one per line.
        from_model: How many of them the model wrote.
        rejected: Why each rejected model sentence was rejected.
        first_sentence_s: Seconds from the request to the first sentence handed on.
        stats: Generation figures reported by the worker.
    """

    id: int
    facts: SetFacts
    fallback: Summary
    lines: tuple[CoachLine, ...]
    starts: tuple[str, ...]
    on_sentence: SentenceCallback
    on_done: DoneCallback
    requested: float
    spoken: list[str] = field(default_factory=list)
    from_model: int = 0
    rejected: list[str] = field(default_factory=list)
    first_sentence_s: float | None = None
    stats: dict[str, float] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        job_id: int,
        record: SetRecord,
        previous: SetRecord | None,
        on_sentence: SentenceCallback,
        on_done: DoneCallback,
        *,
        rng: random.Random | None = None,
        last_time: PreviousFacts | None = None,
    ) -> SummaryJob:
        """A job for a finished set, with its facts, lines and deterministic summary ready."""
        facts = build_facts(record, previous, last_time)
        lines = coach_lines(facts)
        rng = rng or random.Random()
        starts = tuple(prefill(line, rng) for line in lines)
        fallback = deterministic_summary(facts)
        return cls(job_id, facts, fallback, lines, starts, on_sentence, on_done, time.monotonic())

    def notes(self) -> list[tuple[str, str]]:
        """What the worker re-words: each line's deterministic sentence and answer start."""
        return [(line.text, start) for line, start in zip(self.lines, self.starts, strict=True)]

    def take(self, index: int, sentence: str, max_chars: int = 280) -> tuple[str, Verdict]:
        """The sentence to speak for line ``index``: the model's if it passes, else the line's.

        A model sentence that would take the summary past ``max_chars`` is rejected too.

        Returns:
            ``(sentence to speak, verdict on the model's sentence)``.
        """
        line = self.lines[index]
        verdict = check_sentence(sentence, self.facts, cue=line.cue)
        length = len(" ".join([*self.spoken, sentence]))
        if verdict.ok and length > max_chars:
            verdict = Verdict(False, f"{length} characters, more than {max_chars}")
        if verdict.ok:
            self.from_model += 1
            out = sentence
        else:
            self.rejected.append(verdict.reason)
            log.info("LLM sentence rejected (%s): %r", verdict.reason, sentence)
            out = line.text
        if self.first_sentence_s is None:
            self.first_sentence_s = time.monotonic() - self.requested
        self.spoken.append(out)
        return out, verdict

    def finish(
        self, source: SummarySource, reason: str, cancelled: bool = False
    ) -> tuple[tuple[str, ...], Summary]:
        """The deterministic sentences still to speak, and the final Summary.

        With no line spoken, the deterministic summary is spoken whole; otherwise the
        lines not reached are spoken in their deterministic wording.
        """
        rest: tuple[str, ...]
        if not self.spoken:
            rest = self.fallback.sentences if source != "llm" else ()
        else:
            rest = tuple(line.text for line in self.lines[len(self.spoken) :])
        said = len(self.spoken) + len(rest)
        if self.from_model == 0:
            source = "deterministic"
        elif self.from_model < said:
            source = "mixed"
        else:
            source = "llm"
        if self.rejected and not reason:
            reason = "rejected: " + "; ".join(self.rejected)
        stats = dict(self.stats)
        if self.first_sentence_s is not None:
            stats["first_sentence_latency_s"] = round(self.first_sentence_s, 4)
        summary = Summary(tuple(self.spoken) + rest, source, reason, cancelled, stats)
        return rest, summary
