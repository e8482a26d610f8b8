"""One summary request: its facts, fallback, what has been spoken, and the final Summary."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from edge_trainer.coach.facts import SetFacts, build_facts
from edge_trainer.coach.summary import Summary, SummarySource, deterministic_summary
from edge_trainer.coach.verify import Verdict, allowed_numbers, check_sentence
from edge_trainer.events import SetRecord

SentenceCallback = Callable[[str], None]
DoneCallback = Callable[[Summary], None]


@dataclass
class SummaryJob:
    """A set summary being written.

    Attributes:
        id: Request id (increasing).
        facts: The set's fact sheet.
        fallback: The deterministic summary of the same facts.
        on_sentence: Gets each sentence to speak.
        on_done: Gets the final Summary.
        requested: Monotonic time of the request.
        spoken: Model sentences accepted and handed on so far.
        first_sentence_s: Seconds from the request to the first accepted sentence.
        stats: Generation figures reported by the worker.
    """

    id: int
    facts: SetFacts
    fallback: Summary
    on_sentence: SentenceCallback
    on_done: DoneCallback
    requested: float
    spoken: list[str] = field(default_factory=list)
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
    ) -> SummaryJob:
        """A job for a finished set, with its facts and deterministic summary ready."""
        facts = build_facts(record, previous)
        return cls(
            job_id, facts, deterministic_summary(facts), on_sentence, on_done, time.monotonic()
        )

    def check(self, sentence: str, max_chars: int) -> Verdict:
        """Verify a model sentence; if it passes, count it as spoken."""
        verdict = check_sentence(sentence, self.facts, allowed_numbers(self.facts))
        length = len(" ".join([*self.spoken, sentence]))
        if verdict.ok and length > max_chars:
            verdict = Verdict(False, f"{length} characters, more than {max_chars}")
        if verdict.ok:
            if self.first_sentence_s is None:
                self.first_sentence_s = time.monotonic() - self.requested
            self.spoken.append(sentence)
        return verdict

    def finish(
        self, source: SummarySource, reason: str, cancelled: bool = False
    ) -> tuple[tuple[str, ...], Summary]:
        """The deterministic sentences still to speak, and the final Summary.

        Unless the model finished on its own (``source == "llm"``), the deterministic
        summary takes over from the sentence after the last one the model got through.
        """
        rest: tuple[str, ...] = ()
        if source != "llm":
            rest = self.fallback.sentences[len(self.spoken) :]
            if not self.spoken:
                source = "deterministic"
        stats = dict(self.stats)
        if self.first_sentence_s is not None:
            stats["first_sentence_latency_s"] = round(self.first_sentence_s, 4)
        summary = Summary(tuple(self.spoken) + rest, source, reason, cancelled, stats)
        return rest, summary
