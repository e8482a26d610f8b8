"""The held-out form figure: limits chosen on the other folds, verdicts on the held-out one."""

from __future__ import annotations

import numpy as np

from edge_trainer.config import ExerciseConfig
from edge_trainer.exercise import form
from edge_trainer.exercise.offline import analyze_rows
from edge_trainer.exercise.rules.base import Finding
from edge_trainer.training import eval_form
from edge_trainer.training.eval_form import Judged, choose_limits, flagged, held_out
from tests.unit.exercise_figures import reps, sequence, squat

RULES = eval_form._rules()
DEPTH = next(r for r in form.rules_for("squat") if r.code == "squat_shallow")


def _clip(value: float, bad: bool) -> Judged:
    limit = DEPTH.limit
    failed = value > limit if DEPTH.fails_above else value < limit
    return Judged("c", "squat", bad, (Finding(DEPTH.code, failed, value, limit, ""),))


def _away(step: float) -> float:
    """A measured value ``step`` of the limit on the faulty side (negative: the good side)."""
    sign = 1.0 if DEPTH.fails_above else -1.0
    return DEPTH.limit * (1.0 + sign * step)


def test_a_clip_is_flagged_by_the_limit_it_is_given() -> None:
    clip = _clip(_away(0.05), bad=True)
    assert flagged(clip, {}, RULES)
    # A limit moved past the value passes the same rep.
    assert not flagged(clip, {DEPTH.code: _away(0.1)}, RULES)


def test_the_limit_is_chosen_where_the_training_clips_separate() -> None:
    # Bad clips 15% past the shipped limit, good clips 5% past it: the shipped limit
    # flags all of them; 1.1x (or 0.9x) the limit separates them.
    clips = [_clip(_away(0.15), True) for _ in range(6)] + [
        _clip(_away(0.05), False) for _ in range(6)
    ]
    chosen = choose_limits(clips, RULES)[DEPTH.code] / DEPTH.limit
    assert chosen in (0.9, 1.1)
    said, scales = held_out(clips, RULES)
    assert said == [True] * 6 + [False] * 6
    assert len(scales[DEPTH.code]) == eval_form.FOLDS


def test_ties_keep_the_shipped_limit() -> None:
    clips = [_clip(_away(0.3), True), _clip(_away(-0.3), False)]
    assert choose_limits(clips, RULES)[DEPTH.code] == DEPTH.limit


def test_the_analyzer_hands_out_every_verdict_with_its_value() -> None:
    rows, t = sequence(squat, [(0, 0, 1.0), *reps([1.0] * 3), (0, 0, 1.0)])
    found: list[tuple[Finding, ...]] = []
    fps = 1.0 / float(np.median(np.diff(t)))
    sets, _ = analyze_rows(rows, fps, ExerciseConfig(exercise="squat"), findings=found)
    assert len(found) == sum(s.rep_count for s in sets) > 0
    assert all(np.isfinite(f.value) for rep in found for f in rep)
