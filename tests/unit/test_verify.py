"""Verification of model-written summaries against the facts."""

from __future__ import annotations

import pytest

from edge_trainer.coach.facts import build_facts
from edge_trainer.coach.verify import (
    allowed_numbers,
    check_sentence,
    check_summary,
    numbers_in,
    other_exercises_named,
)
from edge_trainer.events import RepRecord, SetRecord


def facts(exercise: str = "squat"):  # type: ignore[no-untyped-def]
    reps = tuple(
        RepRecord(i, 3.0 * i, 3.0 * i + 2.6, 1.1, 1.5, faults=("knees_in",) if i in (3, 5) else ())
        for i in range(1, 9)
    )
    return build_facts(SetRecord(exercise, 0.0, 30.0, reps, velocity_loss_pct=23.0))


def values(text: str) -> list[float]:
    return [v for _, v in numbers_in(text)]


def test_numbers_in_digits_and_words() -> None:
    assert values("8 reps at 1.5 s, 23% loss, the 3rd rep") == [8, 1.5, 23, 3]
    assert values("Eight squats, twenty-one total, thirty five, the fifth rep") == [8, 21, 35, 5]
    assert values("one point five seconds, a dozen") == [1.5, 12]
    assert values("two hundred") == [200]


def test_one_as_a_pronoun_and_first_second_are_not_numbers() -> None:
    assert values("That was a good one, first set, hold for a second") == []
    assert values("one more rep") == [1]


def test_allowed_numbers_come_from_the_sheet() -> None:
    allowed = allowed_numbers(facts())
    assert {8, 1.1, 1.5, 3, 5, 23} <= allowed
    assert 9 not in allowed


def test_made_up_number_is_rejected() -> None:
    f = facts()
    assert check_sentence("Nice work on 8 squats.", f).ok
    assert check_sentence("Eight squats with knees caving on reps three and five.", f).ok
    verdict = check_sentence("You did 9 squats.", f)
    assert not verdict.ok and verdict.reason == "number '9' is not in the facts"
    assert not check_sentence("Your tempo was 2.5 s.", f).ok
    assert not check_sentence("Ten squats, well done.", f).ok


def test_other_exercise_is_rejected_own_is_fine() -> None:
    f = facts()
    assert check_sentence("Strong squats today.", f).ok
    verdict = check_sentence("Next, try some lunges.", f)
    assert not verdict.ok and "lunges" in verdict.reason
    assert other_exercises_named("Push-ups and a deadlift", "squat") == ["Push-ups", "deadlift"]
    assert other_exercises_named("Good bench press, keep the bench tight", "bench_press") == []
    assert other_exercises_named("Great push-ups", "push_up") == []
    assert other_exercises_named("Great pushups", "pushup") == []


@pytest.mark.parametrize("text", ["<|assistant|> Good set.", "Good set </s>", "### Summary"])
def test_template_leaks_are_rejected(text: str) -> None:
    assert not check_sentence(text, facts()).ok


def test_length_and_sentence_caps() -> None:
    f = facts()
    ok = ["8 squats, nice and steady.", "Watch your knees on reps 3 and 5."]
    assert check_summary(ok, f, max_chars=280, max_sentences=2).ok
    assert not check_summary(ok, f, max_chars=40, max_sentences=2).ok
    assert not check_summary([*ok, "Rest now."], f, max_chars=280, max_sentences=2).ok
    assert not check_summary([], f, max_chars=280, max_sentences=2).ok
