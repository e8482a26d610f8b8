"""Every form rule on a constructed good rep and a constructed faulty one, and view gating."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from edge_trainer.exercise import catalogue
from edge_trainer.exercise.form import judge, rules_for
from edge_trainer.exercise.rules.base import Finding, RepContext
from tests.unit.exercise_figures import (
    Row,
    bench,
    front_pose,
    lunge,
    plank,
    rep_rows,
    side_pose,
    squat,
)

Pose = Callable[[float], Row]


def _pull(top_flex: float, bottom_flex: float = 0.0) -> Pose:
    def pose(p: float) -> Row:
        # Hands on the bar overhead; the body rises as the elbows bend.
        return side_pose(arm=178, elbow=bottom_flex + (top_flex - bottom_flex) * p,
                         ground=0.98 - 0.22 * p)  # fmt: skip

    return pose


# (code, exercise, good rep, faulty rep)
CASES: list[tuple[str, str, Pose, Pose]] = [
    ("squat_shallow", "squat", squat, lambda p: squat(0.4 * p)),
    ("squat_torso_lean", "squat", squat,
     lambda p: side_pose(shin=35 * p, thigh=85 * p, trunk=68 * p)),
    ("squat_knee_valgus", "squat", lambda p: front_pose(crouch=p),
     lambda p: front_pose(crouch=p, knee_in=0.06 * p)),
    ("lunge_knee_past_toes", "lunge", lunge, lambda p: lunge(p, front_shin=45)),
    ("lunge_shallow", "lunge", lunge, lambda p: lunge(0.35 * p)),
    ("deadlift_back_round", "deadlift", lambda p: side_pose(trunk=70 * p, shin=10 * p),
     lambda p: side_pose(trunk=70 * p, shin=10 * p, neck=50 * p)),
    ("deadlift_no_lockout", "deadlift", lambda p: side_pose(trunk=70 * p),
     lambda p: side_pose(trunk=35 + 40 * p)),
    ("push_up_hip_sag", "push_up", plank, lambda p: plank(p, hip=-0.08)),
    ("push_up_hip_pike", "push_up", plank, lambda p: plank(p, hip=0.1)),
    ("push_up_partial", "push_up", plank, lambda p: plank(0.2 * p)),
    ("bench_press_partial", "bench_press", lambda p: bench(1 - p),
     lambda p: bench(1 - 0.25 * p)),
    ("bench_press_lockout", "bench_press", lambda p: bench(1 - p),
     lambda p: bench(0.6 - 0.6 * p)),
    ("bicep_curl_swing", "bicep_curl", lambda p: side_pose(elbow=145 * p),
     lambda p: side_pose(elbow=145 * p, arm=40 * p)),
    ("bicep_curl_partial", "bicep_curl", lambda p: side_pose(elbow=145 * p),
     lambda p: side_pose(elbow=70 * p)),
    ("tricep_extension_partial", "tricep_extension",
     lambda p: side_pose(arm=170, elbow=130 * (1 - p)),
     lambda p: side_pose(arm=170, elbow=130 - 60 * p)),
    ("tricep_extension_elbow_drift", "tricep_extension",
     lambda p: side_pose(arm=170, elbow=130 * (1 - p)),
     lambda p: side_pose(arm=170 - 45 * p, elbow=130 * (1 - p))),
    ("shoulder_press_lockout", "shoulder_press",
     lambda p: side_pose(arm=100 + 75 * p, elbow=110 * (1 - p)),
     lambda p: side_pose(arm=100 + 75 * p, elbow=110 - 50 * p)),
    ("shoulder_press_back_arch", "shoulder_press",
     lambda p: side_pose(arm=100 + 75 * p, elbow=110 * (1 - p)),
     lambda p: side_pose(arm=100 + 75 * p, elbow=110 * (1 - p), trunk=-18 * p)),
    ("lateral_raise_low", "lateral_raise", lambda p: front_pose(arms=10 + 80 * p),
     lambda p: front_pose(arms=10 + 45 * p)),
    ("lateral_raise_swing", "lateral_raise", lambda p: front_pose(arms=10 + 80 * p),
     lambda p: front_pose(arms=10 + 80 * p, lean=25 * p)),
    ("front_raise_low", "front_raise", lambda p: side_pose(arm=90 * p),
     lambda p: side_pose(arm=55 * p)),
    ("front_raise_swing", "front_raise", lambda p: side_pose(arm=90 * p),
     lambda p: side_pose(arm=90 * p, trunk=-25 * p)),
    ("dumbbell_row_partial", "dumbbell_row",
     lambda p: side_pose(trunk=70, arm=-30 * p, elbow=100 * p),
     lambda p: side_pose(trunk=70, arm=-15 * p, elbow=40 * p)),
    ("dumbbell_row_torso_rise", "dumbbell_row",
     lambda p: side_pose(trunk=70, arm=-30 * p, elbow=100 * p),
     lambda p: side_pose(trunk=70 - 30 * p, arm=-30 * p, elbow=100 * p)),
    ("pull_up_chin_below_bar", "pull_up", _pull(150), _pull(60)),
    ("pull_up_no_full_hang", "pull_up", _pull(150), _pull(150, bottom_flex=55)),
    ("situp_partial", "situp", lambda p: side_pose(trunk=-80 + 75 * p),
     lambda p: side_pose(trunk=-80 + 30 * p)),
    ("situp_short_range", "situp", lambda p: side_pose(trunk=-80 + 75 * p),
     lambda p: side_pose(trunk=-80 + 30 * p)),
    ("jumping_jack_arms_low", "jumping_jack",
     lambda p: front_pose(arms=10 + 160 * p, stance=0.09 + 0.1 * p),
     lambda p: front_pose(arms=10 + 90 * p, stance=0.09 + 0.1 * p)),
    ("jumping_jack_feet_narrow", "jumping_jack",
     lambda p: front_pose(arms=10 + 160 * p, stance=0.09 + 0.1 * p),
     lambda p: front_pose(arms=10 + 160 * p, stance=0.09 + 0.02 * p)),
]  # fmt: skip


def _finding(code: str, exercise: str, pose: Pose) -> Finding | None:
    rows, peak = rep_rows(pose)
    ctx = RepContext.build(rows, peak, exercise)
    found = [f for f in judge(ctx) if f.code == code]
    return found[0] if found else None


def test_every_rule_has_a_case_and_every_exercise_two_rules() -> None:
    codes = [r.code for e in catalogue.exercises() for r in e.rules]
    assert sorted(c[0] for c in CASES) == sorted(codes)
    for exercise in catalogue.names():
        assert len(rules_for(exercise)) >= 2, exercise


@pytest.mark.parametrize(("code", "exercise", "good", "bad"), CASES, ids=[c[0] for c in CASES])
def test_rule_passes_good_form_and_flags_the_fault(
    code: str, exercise: str, good: Pose, bad: Pose
) -> None:
    ok = _finding(code, exercise, good)
    fault = _finding(code, exercise, bad)
    assert ok is not None and fault is not None, "the rule must be judged in its own view"
    assert not ok.failed, ok.detail
    assert fault.failed, fault.detail


def test_knee_valgus_is_not_judged_from_the_side() -> None:
    rows, peak = rep_rows(squat)
    ctx = RepContext.build(rows, peak, "squat")
    assert ctx.view == "side"
    codes = {f.code for f in judge(ctx)}
    assert "squat_knee_valgus" not in codes
    assert {"squat_shallow", "squat_torso_lean"} <= codes


def test_squat_depth_is_not_judged_from_the_front() -> None:
    rows, peak = rep_rows(lambda p: front_pose(crouch=0.3 * p))
    ctx = RepContext.build(rows, peak, "squat")
    assert ctx.view == "front"
    codes = {f.code for f in judge(ctx)}
    assert "squat_shallow" not in codes and "squat_torso_lean" not in codes
    assert "squat_knee_valgus" in codes


def test_rules_facing_the_other_way_give_the_same_verdicts() -> None:
    rows, peak = rep_rows(lambda p: side_pose(trunk=70 * p, shin=10 * p, neck=50 * p))
    mirrored = rows.copy()
    mirrored[..., 0] = 1.0 - mirrored[..., 0]
    a = {f.code: f.failed for f in judge(RepContext.build(rows, peak, "deadlift"))}
    b = {f.code: f.failed for f in judge(RepContext.build(mirrored, peak, "deadlift"))}
    assert a == b and a["deadlift_back_round"]


def test_missing_landmarks_give_no_verdict_rather_than_a_wrong_one() -> None:
    rows, peak = rep_rows(lambda p: side_pose(elbow=70 * p))
    rows[:, 11:23, :] = np.nan  # arms unseen
    ctx = RepContext.build(rows, peak, "bicep_curl")
    assert judge(ctx) == []


def test_every_rule_documents_its_views_and_threshold() -> None:
    for exercise in catalogue.exercises():
        for rule in exercise.rules:
            assert rule.views, rule.code
            assert len(rule.reason) > 40, rule.code
            assert rule.code.startswith(exercise.name + "_"), rule.code
            assert 1 <= len(rule.fault.cue.split()) <= 5, rule.code


def test_sim_fault_codes_are_rule_codes() -> None:
    faults = pytest.importorskip("edge_trainer.sim.faults")
    codes = {r.code for e in catalogue.exercises() for r in e.rules}
    assert {code for code, _ in faults.fault_lines()} <= codes
