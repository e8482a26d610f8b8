"""A set's movement rules exercises in or out, and can overrule an unsure classifier."""

from __future__ import annotations

import numpy as np

from edge_trainer.exercise import kinematics as kin
from edge_trainer.exercise.classifier import CLASSES
from edge_trainer.exercise.decision import plausible, signature
from edge_trainer.exercise.names import REST
from edge_trainer.exercise.recognition import Recognition, decide_exercise
from tests.unit.exercise_figures import curl, lunge, reps, sequence, side_pose, squat


def _movement(pose, n: int = 4) -> kin.Movement:  # type: ignore[no-untyped-def]
    rows, _ = sequence(pose, [(0, 0, 0.5), *reps([1.0] * n), (0, 0, 0.5)])
    m = kin.measure(rows)
    assert m is not None
    return m


def _hinge(p: float):  # type: ignore[no-untyped-def]
    """Side-view deadlift: the trunk hinges to ~70 degrees, knees soft, arms hanging."""
    return side_pose(shin=8 * p, thigh=20 * p, trunk=70 * p, arm=-70 * p)


def _raise(p: float):  # type: ignore[no-untyped-def]
    return side_pose(arm=90 * p)


def _signature(m: kin.Movement) -> str | None:
    """The exercise a movement's signature names, or None."""
    found = signature(m)
    return None if found is None else found[0]


def _rec(**probs: float) -> Recognition:
    full = {k: 0.0 for k in CLASSES} | probs
    label = max(full, key=lambda k: full[k])
    return Recognition(label, full[label], full)


def test_curl_and_deadlift_have_their_signatures() -> None:
    assert _signature(_movement(curl)) == "bicep_curl"
    assert _signature(_movement(_hinge)) == "deadlift"


def test_a_lunge_steps_out_and_back() -> None:
    m = _movement(lunge)
    assert m.stance_travel > 0.35
    assert _signature(m) == "lunge"
    assert _movement(squat).stance_travel < 0.1  # a squat's feet stay where they are


def test_squats_and_raises_have_no_signature() -> None:
    assert _signature(_movement(squat)) is None
    assert _signature(_movement(_raise)) is None


def test_a_raise_needs_moving_shoulders() -> None:
    still = _movement(curl)
    assert not plausible("front_raise", still)
    assert plausible("bicep_curl", still)
    assert plausible("front_raise", _movement(_raise))
    # Exercises whose travel can hide along the line of sight are never ruled out.
    assert plausible("dumbbell_row", still)


def test_unseen_joints_rule_nothing_out() -> None:
    rows, _ = sequence(curl, [(0, 0, 0.5), *reps([1.0] * 4)])
    rows[:, 13:17, 3] = 0.0  # elbows and wrists not seen
    m = kin.measure(rows)
    assert m is not None
    assert np.isnan(m.ranges["elbow"])
    assert plausible("bicep_curl", m) and plausible("front_raise", m)
    assert _signature(m) is None


def test_movement_overrules_only_an_unsure_or_impossible_answer() -> None:
    curling = _movement(curl)
    sure_wrong = [_rec(front_raise=0.95, rest=0.05)] * 8
    # The classifier's answer moved no shoulder: the curl signature takes over.
    assert decide_exercise(sure_wrong, movement=curling).label == "bicep_curl"
    assert decide_exercise(sure_wrong).label == "front_raise"
    hinging = _movement(_hinge)
    unsure = [_rec(rest=0.8, dumbbell_row=0.15, deadlift=0.05)] * 8
    assert decide_exercise(unsure, movement=hinging).label == "deadlift"
    sure = [_rec(dumbbell_row=0.7, rest=0.3)] * 8
    assert decide_exercise(sure, movement=hinging).label == "dumbbell_row"
    assert decide_exercise([_rec(rest=1.0)] * 8, movement=_movement(squat)).label == REST
