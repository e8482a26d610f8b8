"""Personal bests, "last time" in the fact sheet, and how they are said."""

from __future__ import annotations

import dataclasses

from edge_trainer.coach.cues import CuePolicy
from edge_trainer.coach.facts import PreviousFacts, build_facts
from edge_trainer.coach.summary import deterministic_summary
from edge_trainer.coach.verify import check_sentence
from edge_trainer.events import RepRecord, SetRecord
from edge_trainer.members.bests import Best, bests, last_time, new_best
from edge_trainer.session.records import StoredSet


def stored(set_id: int, reps: int, up: float | None = 0.8, session: int = 1, ex: str = "push_up"):
    return StoredSet(
        id=set_id, session_id=session, exercise=ex, status="done", start_s=0.0, end_s=1.0,
        wall_start=1000.0 + set_id, wall_end=1001.0 + set_id, rep_count=reps, partial_count=0,
        concentric_avg_s=up, eccentric_avg_s=0.9, pause_avg_s=0.0, velocity_loss_pct=None,
        time_under_tension_s=1.0,
    )  # fmt: skip


def test_most_reps_or_fastest_at_the_same_reps() -> None:
    earlier = [stored(1, 8), stored(2, 10, up=0.9), stored(3, 10, up=0.8)]
    assert new_best("push_up", 12, 0.8, []) == Best(12)  # the first set is the first best
    assert new_best("push_up", 11, 1.2, earlier) == Best(11, previous_reps=10)
    assert new_best("push_up", 10, 0.7, earlier) == Best(10, faster=True, previous_reps=10)
    assert new_best("push_up", 10, 0.78, earlier) is None  # not clearly faster
    assert new_best("push_up", 9, 0.5, earlier) is None
    assert new_best("unknown", 20, 0.5, earlier) is None
    assert new_best("push_up", 0, None, earlier) is None
    # Sets of another exercise, or without reps, do not count.
    assert new_best("push_up", 3, 0.8, [stored(4, 20, ex="squat"), stored(5, 0)]) == Best(3)
    assert bests(earlier)["push_up"].id == 3


def test_last_time_is_from_an_earlier_session() -> None:
    earlier = [stored(1, 8, session=1), stored(2, 9, session=2), stored(3, 11, session=3)]
    assert last_time(earlier, 3) is not None and last_time(earlier, 3).id == 2  # type: ignore[union-attr]
    assert last_time(earlier[2:], 3) is None


def _record(reps: int) -> SetRecord:
    return SetRecord(
        "push_up", 0.0, 10.0, tuple(RepRecord(i, i, i + 1.5, 0.7, 1.2) for i in range(1, reps + 1))
    )


def test_fact_sheet_and_summary_say_last_time() -> None:
    facts = build_facts(_record(12), None, PreviousFacts(10))
    assert "Reps: 12, 2 more than last time" in facts.sheet()
    summary = deterministic_summary(facts)
    assert "2 more than last time" in summary.text
    assert check_sentence("Great set, you did 12 push-ups, 2 more than last time.", facts).ok
    assert not check_sentence("Great set, you did 12 push-ups, 3 more than last time.", facts).ok
    # This session's previous set is the comparison when there is one.
    both = build_facts(_record(12), _record(11), PreviousFacts(10))
    assert "1 more than last set" in both.sheet() and "last time" not in both.sheet()
    fewer = build_facts(_record(8), None, PreviousFacts(10))
    assert "2 fewer than last time" in fewer.sheet()
    assert not check_sentence("Nice work, you did 8 push-ups, 2 more than last time.", fewer).ok
    assert dataclasses.replace(fewer, last_time=None).compared is None


def test_best_and_greeting_are_said() -> None:
    policy = CuePolicy()
    assert policy.personal_best("push_up", 12, False, 5.0).text == "New best: 12 push ups"
    assert (
        policy.personal_best("squat", 8, True, 5.0).text == "New best: 8 squats, your fastest yet"
    )
    assert policy.greeting("Ana", 1.0).text == "Hello Ana"
