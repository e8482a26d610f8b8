"""The deterministic summary, and sentence hand-off of streamed text."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from edge_trainer.coach.facts import build_facts
from edge_trainer.coach.llm import SentenceSplitter
from edge_trainer.coach.llm_process import cpu_ticks
from edge_trainer.coach.summary import coach_lines, deterministic_summary, plural
from edge_trainer.coach.verify import check_sentence, check_summary
from edge_trainer.events import RepRecord, SetRecord


def rep(
    i: int, up: float = 1.0, down: float = 1.5, faults: tuple[str, ...] = (), v: float | None = None
) -> RepRecord:
    return RepRecord(i, 3.0 * i, 3.0 * i + up + down, up, down, velocity=v, faults=faults)


SETS = {
    "clean": SetRecord("squat", 0, 30, tuple(rep(i) for i in range(1, 9)), velocity_loss_pct=8.0),
    "faults": SetRecord(
        "squat",
        0,
        30,
        tuple(rep(i, faults=("squat_knee_valgus",) if i in (3, 5) else ()) for i in range(1, 9)),
    ),
    "fast_lowering": SetRecord("push_up", 0, 20, tuple(rep(i, 0.6, 0.7) for i in range(1, 11))),
    "grinder": SetRecord(
        "bench_press", 0, 20, (rep(1, 1.0), rep(2, 1.0), rep(3, 2.4)), velocity_loss_pct=41.0
    ),
    "nothing": SetRecord("lunge", 0, 10, (), partial_reps=(rep(1, 0.4), rep(2, 0.4))),
    "one": SetRecord("deadlift", 0, 10, (rep(1, 2.0),)),
}


@pytest.mark.parametrize("name", sorted(SETS))
def test_deterministic_summary_passes_its_own_verification(name: str) -> None:
    prev = SetRecord(SETS[name].exercise, 0, 9, (rep(1), rep(2)))
    for previous in (None, prev):
        facts = build_facts(SETS[name], previous)
        summary = deterministic_summary(facts)
        assert 2 <= len(summary.sentences) <= 3
        assert check_summary(summary.sentences, facts, max_chars=280, max_sentences=3).ok, (
            summary.text
        )
        assert summary.source == "deterministic"


def test_what_went_well_what_to_fix_what_next() -> None:
    s = deterministic_summary(build_facts(SETS["faults"])).sentences
    assert s[0] == "8 squats."
    assert s[1] == "Reps 3 and 5 showed knees caving in: knees out next set."
    clean = deterministic_summary(build_facts(SETS["clean"])).sentences
    assert clean[0] == "8 squats, no form faults."
    assert "Speed held well" in clean[2]
    grinder = deterministic_summary(build_facts(SETS["grinder"])).text
    assert "Rep 3 slowed to 2.4 s up" in grinder and "41%" in grinder
    assert "lowering" in deterministic_summary(build_facts(SETS["fast_lowering"])).text
    assert deterministic_summary(build_facts(SETS["nothing"])).sentences[0] == (
        "No full lunges were counted, only 2 partial."
    )


def test_more_reps_than_last_set_is_praised() -> None:
    prev = SetRecord("squat", 0, 9, tuple(rep(i) for i in range(1, 7)))
    first = deterministic_summary(build_facts(SETS["clean"], prev)).sentences[0]
    assert first == "8 squats, no form faults, 2 more than last set."


def test_plural() -> None:
    assert [plural(x, 2) for x in ("squat", "bench press", "push-up")] == [
        "squats",
        "bench presses",
        "push-ups",
    ]
    assert plural("squat", 1) == "squat"


def test_splitter_hands_off_each_sentence_once_it_is_certain() -> None:
    sp = SentenceSplitter()
    assert sp.feed("Great set, 8 squats") == []
    assert sp.feed(". Tempo was 1") == ["Great set, 8 squats."]
    assert sp.feed(".5 s up") == []  # 1.5 is a number, not a sentence end
    assert sp.feed(" on average. Next") == ["Tempo was 1.5 s up on average."]
    assert sp.feed(" time vs. last set go deeper!") == []
    assert sp.feed("\nRest") == ["Next time vs. last set go deeper!"]
    assert sp.flush() == "Rest"
    assert sp.flush() is None


def test_splitter_drops_punctuation_only_fragments() -> None:
    sp = SentenceSplitter()
    assert sp.feed("Good... .. ! Solid work. ") == ["Good...", "Solid work."]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_cpu_ticks_tell_a_busy_process_from_a_stopped_one() -> None:
    before = cpu_ticks(os.getpid())
    end = time.process_time() + 0.05
    while time.process_time() < end:
        pass
    after = cpu_ticks(os.getpid())
    assert before is not None and after is not None and after > before
    assert cpu_ticks(2**22 + 12345) is None  # no such process


def test_coach_lines_say_what_went_well_then_the_fix_or_next_step() -> None:
    well, fix = coach_lines(build_facts(SETS["faults"]))
    assert (well.role, well.text) == ("well", "8 squats.")
    assert fix.cue == "Knees out" and fix.text.endswith("knees out next set.")
    # Clean sets: a big speed drop asks for rest; otherwise the tempo advice, if any.
    _, rest = coach_lines(build_facts(SETS["grinder"]))
    assert rest.cue == "" and rest.text.startswith("Speed dropped 41%")
    _, tempo = coach_lines(build_facts(SETS["fast_lowering"]))
    assert tempo.text.startswith("Slow the lowering down")
    _, held = coach_lines(build_facts(SETS["clean"]))
    assert held.text == "Speed held well, so try adding a rep next set."
    _, nothing = coach_lines(build_facts(SETS["nothing"]))
    assert nothing.text == "Go through the full range so each rep counts." and not nothing.cue


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_coach_line_passes_verification_in_its_role(name: str) -> None:
    facts = build_facts(SETS[name])
    for line in coach_lines(facts):
        assert check_sentence(line.text, facts, cue=line.cue).ok, line


def test_a_rejected_model_sentence_is_replaced_by_its_own_line() -> None:
    from edge_trainer.coach.job import SummaryJob

    job = SummaryJob.create(1, SETS["faults"], None, lambda _s: None, lambda _s: None)
    said, verdict = job.take(0, "Nice work, you did 8 squats.")
    assert verdict.ok and said == "Nice work, you did 8 squats."
    said, verdict = job.take(1, "Next set, knees out, rep 4 showed knees caving in.")
    assert not verdict.ok and said == job.lines[1].text
    rest, summary = job.finish("llm", "")
    assert rest == () and summary.source == "mixed"
    assert summary.sentences == ("Nice work, you did 8 squats.", job.lines[1].text)
    assert summary.reason == "rejected: rep 4 is neither a faulted nor the slowest rep"


def test_a_model_sentence_past_the_length_cap_is_replaced() -> None:
    from edge_trainer.coach.job import SummaryJob

    job = SummaryJob.create(1, SETS["faults"], None, lambda _s: None, lambda _s: None)
    said, verdict = job.take(0, "Nice work, you did 8 squats.", max_chars=10)
    assert not verdict.ok and said == "8 squats." and "characters" in verdict.reason
    _rest, summary = job.finish("mixed", "budget reached (seconds)")
    assert summary.source == "deterministic"
    assert summary.sentences == tuple(line.text for line in job.lines)
