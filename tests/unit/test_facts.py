"""Fact sheets built from recorded sets."""

from __future__ import annotations

from edge_trainer.coach.facts import build_facts, exercise_label, fault_phrase
from edge_trainer.events import RepRecord, SetRecord


def rep(
    i: int, up: float, down: float = 1.5, faults: tuple[str, ...] = (), **kw: object
) -> RepRecord:
    return RepRecord(i, 3.0 * i, 3.0 * i + up + down, up, down, faults=faults, **kw)  # type: ignore[arg-type]


def squat_set(**kw: object) -> SetRecord:
    reps = (
        rep(1, 1.0, 1.6),
        rep(2, 1.1, 1.7),
        rep(3, 1.2, 1.5, ("squat_knee_valgus",)),
        rep(4, 1.3, 1.6),
        rep(5, 1.9, 1.4, ("squat_knee_valgus", "squat_shallow")),
    )
    return SetRecord("squat", 0.0, 20.0, reps, partial_reps=(rep(6, 0.6, partial=True),), **kw)  # type: ignore[arg-type]


def test_counts_tempo_and_slowest_rep() -> None:
    f = build_facts(squat_set(velocity_loss_pct=23.6))
    assert (f.reps, f.partial_reps) == (5, 1)
    assert f.avg_up_s == 1.3  # (1.0+1.1+1.2+1.3+1.9)/5 = 1.3
    assert f.avg_down_s == 1.6
    assert (f.slowest_rep, f.slowest_up_s) == (5, 1.9)
    assert f.velocity_loss_pct == 24
    assert f.clean_reps == 3


def test_faults_grouped_by_phrase_most_frequent_first() -> None:
    f = build_facts(squat_set())
    assert [(x.phrase, x.reps) for x in f.faults] == [
        ("knees caving in", (3, 5)),
        ("shallow depth", (5,)),
    ]
    # Two codes that mean the same thing are one fault.
    reps = (rep(1, 1.0, faults=("squat_knee_valgus",)), rep(2, 1.0, faults=("squat_knee_valgus",)))
    merged = build_facts(SetRecord("squat", 0, 9, reps)).faults
    assert len(merged) == 1 and merged[0].reps == (1, 2)


def test_sheet_states_every_fact_once_per_line() -> None:
    prev = SetRecord("squat", 0.0, 20.0, tuple(rep(i, 1.0) for i in range(1, 8)))
    sheet = build_facts(squat_set(velocity_loss_pct=23.6), prev).sheet()
    assert sheet.splitlines() == [
        "Exercise: squat",
        "Reps: 5 plus 1 partial, 2 fewer than last set",
        "Tempo: 1.3 s up, 1.6 s down",
        "Slowest: rep 5, 1.9 s up",
        "Faults: knees caving in on reps 3, 5; shallow depth on rep 5",
        "Velocity loss: 24%",
    ]


def test_previous_set_of_another_exercise_is_not_compared() -> None:
    other = SetRecord("lunge", 0.0, 10.0, (rep(1, 1.0),))
    assert build_facts(squat_set(), other).previous is None


def test_partial_flagged_inside_reps_counts_as_partial() -> None:
    reps = (rep(1, 1.0), rep(2, 0.4, partial=True), rep(3, 1.2))
    f = build_facts(SetRecord("push_up", 0, 9, reps))
    assert (f.reps, f.partial_reps, f.label) == (2, 1, "push-up")


def test_empty_set_has_no_tempo_lines() -> None:
    f = build_facts(SetRecord("squat", 0.0, 5.0, (), partial_reps=(rep(1, 0.5, partial=True),)))
    assert f.sheet() == "Exercise: squat\nReps: 0 plus 1 partial"


def test_labels_for_unknown_codes() -> None:
    assert exercise_label("bench_press") == "bench press"
    assert exercise_label("kettlebell_swing") == "kettlebell swing"
    assert fault_phrase("push_up_hip_sag") == "hips sagging"
    assert fault_phrase("wobbly_knees") == "wobbly knees"
