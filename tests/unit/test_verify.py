"""Verification of model-written summaries against the facts."""

from __future__ import annotations

import pytest

from edge_trainer.coach.facts import SetFacts, build_facts
from edge_trainer.coach.verify import (
    allowed_numbers,
    check_sentence,
    check_summary,
    numbers_in,
    other_exercises_named,
)
from edge_trainer.events import RepRecord, SetRecord
from tests.llm_fixture import knees_in_facts


def facts(exercise: str = "squat") -> SetFacts:
    return knees_in_facts(exercise=exercise)  # type: ignore[no-any-return]


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


def squats(previous: int | None = None, loss: float | None = 23.0, faults: bool = True) -> SetFacts:
    reps = tuple(
        RepRecord(
            i, 3.0 * i, 3.0 * i + 2.6, 2.4 if i == 6 else 1.1, 1.5,
            faults=("squat_knee_valgus",) if faults and i in (3, 5) else (),
        )
        for i in range(1, 9)
    )  # fmt: skip
    prev = None
    if previous is not None:
        prev = SetRecord(
            "squat", 0.0, 30.0, tuple(RepRecord(i, 0, 1, 1, 1) for i in range(1, previous + 1))
        )
    return build_facts(SetRecord("squat", 0.0, 30.0, reps, velocity_loss_pct=loss), prev)


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Nice work, you did 8 squats.", ""),
        ("You did 9 squats.", "9 is not the rep count (8)"),
        ("Knees out next set, they caved in on reps 3 and 5.", ""),
        ("Knees out next set, they caved in on reps 3 and 4.", "rep 4 is neither"),
        ("Rep 6 slowed to 2.4 s up.", ""),
        ("Rep 3 slowed to 2.4 s up.", ""),  # rep 3 is a faulted rep, the time is the slowest
        ("You lowered in 1.1 s.", "1.1 s is not a time in the facts"),
        ("Your speed dropped 23%.", ""),
        ("Your speed dropped 8%.", "8% is not the velocity loss"),
        ("You did 8 squats, 2 more than last time.", "needs a previous set"),
        ("You got 8 clean squats.", "8 is not the count of clean reps (6)"),
        ("You got 6 clean squats.", "praises the form"),  # strictly: no praise of faulted sets
    ],
)
def test_each_number_is_checked_in_its_role(sentence: str, reason: str) -> None:
    verdict = check_sentence(sentence, squats())
    assert verdict.ok == (not reason) and reason in verdict.reason, verdict


def test_a_comparison_needs_the_previous_set_and_its_direction() -> None:
    more = squats(previous=6)
    assert check_sentence("You did 8 squats, 2 more than last time.", more).ok
    assert not check_sentence("You did 8 squats, 2 fewer than last time.", more).ok
    assert not check_sentence("You did 8 squats, 3 more than last set.", more).ok
    fewer = squats(previous=10)
    assert check_sentence("That was 2 fewer than last set.", fewer).ok
    assert not check_sentence("You improved on last set.", fewer).ok
    assert not check_sentence("You added one rep.", fewer).ok


@pytest.mark.parametrize(
    "sentence",
    [
        "Great form on every rep.",  # praise of a faulted set
        "You did 8 perfect squats.",
        "You did not cave your knees in.",  # denies a listed fault
        "Next set, chest up, you leaned forward.",  # a fault not in the facts
        "Your speed held all set.",  # 23% velocity loss
        "Try adding a rep next set.",  # advice the facts do not support
    ],
)
def test_claims_against_the_facts_are_rejected(sentence: str) -> None:
    assert not check_sentence(sentence, squats()).ok


def test_clean_set_claims() -> None:
    clean = squats(loss=9.0, faults=False)
    assert check_sentence("You did 8 squats with no form faults.", clean).ok
    assert check_sentence("Your speed held, so add a rep next set.", clean).ok
    assert not check_sentence("Your knees caved in on the last reps.", clean).ok
    assert not check_sentence("Your speed dropped a lot.", clean).ok


@pytest.mark.parametrize(
    "sentence",
    [
        "The person performed a squat exercise with 8 repetitions.",
        "They did 8 squats.",
        "You're an exercise coach.",
        "Here is the summary of the set.",
        "I think you did 8 squats.",
        "Did you feel your knees?",
        "1. Knees out.",
    ],
)
def test_voice_third_person_meta_questions_and_echoes_are_rejected(sentence: str) -> None:
    assert not check_sentence(sentence, squats()).ok


def test_they_for_body_parts_is_fine() -> None:
    assert check_sentence("Next set, knees out, they caved in on reps 3 and 5.", squats()).ok


def test_the_fix_line_must_say_the_cue_and_why() -> None:
    f = squats()
    ok = "Next set, knees out, they caved in on reps 3 and 5."
    assert check_sentence(ok, f, cue="Knees out").ok
    assert not check_sentence("Nice work on 8 squats.", f, cue="Knees out").ok
    # After the cue, the words must say what went wrong.
    assert not check_sentence("Next set, knees out, you did it.", f, cue="Knees out").ok
    assert not check_sentence("Next set, knees out, they were fine.", f, cue="Knees out").ok
    assert check_sentence("Next set, knees out, knees out.", f, cue="Knees out").ok


def test_other_exercise_is_rejected_own_is_fine() -> None:
    f = facts()
    assert check_sentence("Strong squats today.", f).ok
    verdict = check_sentence("Next, try some lunges.", f)
    assert not verdict.ok and "lunges" in verdict.reason
    assert other_exercises_named("Push-ups and a deadlift", "squat") == ["Push-ups", "deadlift"]
    assert other_exercises_named("Good bench press, keep the bench tight", "bench_press") == []
    assert other_exercises_named("Great push-ups", "push_up") == []
    assert other_exercises_named("Great pushups", "pushup") == []
    assert other_exercises_named("Strong dumbbell rows", "dumbbell_row") == []
    assert other_exercises_named("Strong shoulder presses", "shoulder_press") == []


@pytest.mark.parametrize("text", ["<|assistant|> Good set.", "Good set </s>", "### Summary"])
def test_template_leaks_are_rejected(text: str) -> None:
    assert not check_sentence(text, facts()).ok


def test_length_and_sentence_caps() -> None:
    f = facts()
    ok = ["Nice work, 8 squats.", "Watch your knees on reps 3 and 5."]
    assert check_summary(ok, f, max_chars=280, max_sentences=2).ok
    assert not check_summary(ok, f, max_chars=30, max_sentences=2).ok
    assert not check_summary([*ok, "Rest now."], f, max_chars=280, max_sentences=2).ok
    assert not check_summary([], f, max_chars=280, max_sentences=2).ok
