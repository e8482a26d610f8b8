"""The rep counter on constructed landmark sequences: the hard cases a gym produces."""

from __future__ import annotations

import numpy as np
import pytest

from edge_trainer.exercise.periodic import periodicity
from edge_trainer.exercise.reps import count_exercise, count_reps
from tests.unit.exercise_figures import (
    curl,
    plank,
    reps,
    sequence,
    side_pose,
    squat,
)


def _count(phases: list[tuple[float, float, float]], pose=squat, **kw) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    rows, t = sequence(pose, phases, **kw)
    res = count_reps(rows, t)
    return len(res.reps), len(res.partials)


def test_counts_a_clean_set() -> None:
    assert _count([(0, 0, 1.0), *reps([1.0] * 6), (0, 0, 1.0)]) == (6, 0)


def test_counts_a_movement_it_does_not_know() -> None:
    # Arm raises to the side with a bent elbow: no exercise-specific signal exists for it.
    def odd(p: float) -> np.ndarray:
        return side_pose(arm=120 * p, elbow=60 * p, trunk=-5 * p)

    assert _count([(0, 0, 1.0), *reps([1.0] * 5, 0.7, 0.7)], pose=odd)[0] == 5


def test_standing_still_is_not_a_rep() -> None:
    rows, t = sequence(squat, [(0, 0, 12.0)], noise=0.004)
    assert len(count_reps(rows, t).reps) == 0


def test_setup_movement_is_not_counted() -> None:
    # Walking into place, then a slow lean to set the feet, ending in a new pose, then reps.
    walk_rows, _ = sequence(lambda p: side_pose(x0=0.2 + 0.3 * p), [(0, 1, 3.0)])
    set_rows, _ = sequence(lambda p: side_pose(x0=0.5, trunk=30 * p), [(0, 1, 1.5), (1, 0, 1.5)])
    rep_rows, _ = sequence(squat, [(0, 0, 1.0), *reps([1.0] * 4), (0, 0, 1.0)])
    rows = np.concatenate([walk_rows, set_rows, rep_rows])
    t = np.arange(len(rows)) / 30.0
    assert len(count_reps(rows, t).reps) == 4


def test_people_walking_past_are_not_counted() -> None:
    # Legs swing periodically (a stride every 1.1 s) while the hips travel at a walking
    # pace (~0.6 body heights a second); one person after another crosses the frame.
    t = np.arange(0, 12.0, 1 / 30)
    x = 0.05 + np.mod(0.45 * t, 0.9)
    swing = np.sin(2 * np.pi * t / 1.1)
    rng = np.random.default_rng(1)
    rows = np.stack(
        [side_pose(shin=22 * s, thigh=-22 * s, x0=xi) for s, xi in zip(swing, x, strict=True)]
    )
    rows[..., :2] += rng.normal(0, 0.002, rows[..., :2].shape)
    assert len(count_reps(rows, t).reps) == 0


def test_pause_at_the_bottom_still_counts() -> None:
    assert _count([(0, 0, 1.0), *reps([1.0] * 5, hold_s=1.5), (0, 0, 1.0)]) == (5, 0)


def test_slow_reps_count() -> None:
    assert _count([(0, 0, 1.0), *reps([1.0] * 4, down_s=3.0, up_s=3.0), (0, 0, 1.0)]) == (4, 0)


def test_partial_reps_are_reported_apart() -> None:
    depths = [1.0, 1.0, 0.45, 1.0, 1.0, 0.45, 1.0]
    assert _count([(0, 0, 1.0), *reps(depths), (0, 0, 1.0)]) == (5, 2)


def test_short_gaps_of_lost_frames_are_bridged() -> None:
    rows, t = sequence(squat, [(0, 0, 1.0), *reps([1.0] * 6), (0, 0, 1.0)])
    for start in (40, 100, 160, 250):  # 0.3 s gaps, some mid-rep
        rows[start : start + 9] = np.nan
    assert len(count_reps(rows, t).reps) == 6


def test_a_long_loss_mid_rep_does_not_invent_a_rep() -> None:
    rows, t = sequence(squat, [(0, 0, 1.0), *reps([1.0] * 6), (0, 0, 1.0)])
    rows[115:175] = np.nan  # 2 s gone, covering most of the third rep
    n = len(count_reps(rows, t).reps)
    assert 4 <= n <= 5


def test_a_single_slow_rep_counts() -> None:
    assert _count([(0, 0, 1.5), *reps([1.0], 1.2, 1.2), (0, 0, 1.5)], pose=curl) == (1, 0)


def test_a_quick_lone_bob_is_not_a_rep() -> None:
    assert _count([(0, 0, 2.0), (0, 0.8, 0.3), (0.8, 0, 0.3), (0, 0, 2.0)])[0] == 0


def test_a_quick_bob_between_slow_reps_is_not_another_rep() -> None:
    # Three-second squats with a half-depth bob in 0.6 s after the third (resetting the
    # bar on the back): five reps, and the bob is not one.
    slow = reps([1.0] * 5, down_s=1.5, up_s=1.5)
    bob = [(0.0, 0.5, 0.3), (0.5, 0.0, 0.3), (0.0, 0.0, 0.3)]
    rows, t = sequence(squat, [(0, 0, 1.0), *slow[:9], *bob, *slow[9:], (0, 0, 1.5)])
    assert len(count_exercise(rows, t, "squat").reps) == 5


@pytest.mark.parametrize("fps", [15.0, 60.0])
def test_frame_rate_does_not_change_the_count(fps: float) -> None:
    assert _count([(0, 0, 1.0), *reps([1.0] * 5), (0, 0, 1.0)], fps=fps) == (5, 0)


def test_rep_boundaries_follow_the_movement() -> None:
    rows, t = sequence(squat, [(0, 0, 1.0), *reps([1.0] * 3, rest_s=1.0), (0, 0, 1.0)])
    res = count_reps(rows, t)
    starts = [t[r.start] for r in res.reps]
    # Reps start at 1.0, 4.0, 7.0 s (2 s of movement + 1 s rest each).
    assert np.allclose(starts, [1.0, 4.0, 7.0], atol=0.35)


def test_getting_down_into_a_plank_is_not_a_push_up() -> None:
    # Standing, 2 s down to the floor via a crouch, then four push-ups: the descent is one big
    # out-of-posture excursion the counter must neither count nor size reps by.
    standing = side_pose()
    crouch = side_pose(shin=40, thigh=100, trunk=70, arm=70, elbow=80)
    down = [standing + (crouch - standing) * s for s in np.linspace(0.0, 1.0, 30)]
    down += [crouch + (plank(0.0) - crouch) * s for s in np.linspace(0.0, 1.0, 30)]
    stand_rows = np.stack([standing] * 30 + down)
    pushes, _ = sequence(plank, [(0, 0, 0.6), *reps([1.0] * 4, 0.8, 0.8), (0, 0, 0.6)])
    rows = np.concatenate([stand_rows, pushes])
    t = np.arange(len(rows)) / 30.0
    assert len(count_exercise(rows, t, "push_up").reps) == 4


def test_push_up_posture_is_a_leaning_trunk_or_one_seen_end_on() -> None:
    from edge_trainer.exercise.signals import in_posture

    standing = side_pose()
    seen_from_feet = plank(0.0).copy()
    # The same plank filmed from the feet: the trunk shrinks to a stub in the image.
    seen_from_feet[:, 0] = 0.5 + (seen_from_feet[:, 0] - 0.5) * 0.1
    rows = np.stack([standing, side_pose(trunk=30), plank(0.0), plank(1.0)] * 3 + [seen_from_feet])
    mask = in_posture("push_up", rows)
    assert mask is not None
    assert mask.tolist() == [False, False, True, True] * 3 + [True]
    assert in_posture("squat", rows) is None


@pytest.mark.parametrize("period_s", [0.5, 1.2, 3.0, 6.0])
def test_the_period_is_the_movement_s(period_s: float) -> None:
    # A sine of each period with slow drift and noise on 26 features: the autocorrelation
    # finds the period itself, not twice or half of it.
    rng = np.random.default_rng(int(period_s * 10))
    t = np.arange(0, max(8 * period_s, 12.0), 1 / 30)
    wave = np.sin(2 * np.pi * t / period_s)
    feats = np.outer(wave, rng.normal(0, 1, 26)) + 0.3 * np.outer(t / t[-1], rng.normal(0, 1, 26))
    feats += rng.normal(0, 0.05, feats.shape)
    per = periodicity(feats, t)
    mid = slice(len(t) // 4, 3 * len(t) // 4)
    assert np.nanmedian(per.period_s[mid]) == pytest.approx(period_s, rel=0.08)
    assert np.median(per.score[mid]) > 0.7


def test_noise_has_no_period() -> None:
    rng = np.random.default_rng(5)
    t = np.arange(0, 20, 1 / 30)
    feats = np.cumsum(rng.normal(0, 0.02, (len(t), 26)), axis=0)
    assert np.mean(periodicity(feats, t).score >= 0.45) < 0.1


def test_each_window_is_computed_once_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    # Near either end the windows are clipped to the data, so many centres share one
    # window; it is computed once, and the result is the same as computing each anew.
    from edge_trainer.exercise import periodic

    rng = np.random.default_rng(3)
    t = np.arange(0, 30, 1 / 30)
    feats = np.outer(np.sin(2 * np.pi * t / 2.0), rng.normal(0, 1, 26))
    feats += rng.normal(0, 0.05, feats.shape)
    calls: list[int] = []
    real = periodic._window_period

    def counted(x: np.ndarray, *args: object) -> tuple[float, float]:
        calls.append(len(x))
        return real(x, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(periodic, "_window_period", counted)
    cache: periodic.PeriodCache = {}
    first = periodicity(feats, t, cache=cache)
    assert calls
    calls.clear()
    again = periodicity(feats, t, cache=cache)
    # A recount of the same frames computes only the windows not yet settled: those
    # ending in the last 0.5 s, at most two a scale.
    assert 0 < len(calls) <= 2 * 3
    assert np.array_equal(first.score, again.score)
    assert np.array_equal(first.period_s, again.period_s, equal_nan=True)
    monkeypatch.setattr(periodic, "_window_period", real)
    fresh = periodicity(feats, t)
    assert np.array_equal(first.score, fresh.score)


def test_the_phase_of_each_rep_is_found_whatever_its_tempo() -> None:
    # Reps slowing from 1.4 s to 3 s: each rep's turning point is the deepest frame.
    downs = [0.7, 0.9, 1.1, 1.3, 1.5]
    phases = [(0.0, 0.0, 1.0)]
    for d in downs:
        phases += [(0.0, 1.0, d), (1.0, 0.0, d), (0.0, 0.0, 0.4)]
    rows, t = sequence(squat, [*phases, (0.0, 0.0, 1.0)])
    res = count_reps(rows, t)
    assert len(res.reps) == 5
    # Rep i starts after 1 s of standing and the earlier reps (down, up, 0.4 s stand).
    starts = 1.0 + np.cumsum([0.0] + [2 * d + 0.4 for d in downs[:-1]])
    bottoms = starts + np.array(downs)
    assert np.allclose([t[r.peak] for r in res.reps], bottoms, atol=0.25)


def test_a_pause_between_reps_does_not_split_or_add_reps() -> None:
    # Six squats with a 3 s stand between the third and the fourth.
    phases = [(0, 0, 1.0), *reps([1.0] * 3), (0, 0, 3.0), *reps([1.0] * 3), (0, 0, 1.0)]
    assert _count(phases) == (6, 0)


def test_every_rejected_candidate_says_why() -> None:
    # Four squats, a half-depth dip, then a walk off the frame: the dip is a partial rep
    # and nothing else is counted; each candidate not counted carries its reason.
    phases = [(0, 0, 1.0), *reps([1.0] * 4), (0, 0.25, 0.8), (0.25, 0, 0.8), (0, 0, 1.5)]
    rows, t = sequence(squat, phases)
    res = count_reps(rows, t)
    assert len(res.reps) == 4
    assert all(r.reason for r in res.trace.rejected)
    assert res.trace.stretches and res.trace.stretches[0].counted
    assert res.trace.stretches[0].period_s == pytest.approx(2.0, rel=0.15)
    assert {"min_periodicity", "full", "rhythm"} <= set(res.trace.thresholds)


def test_naming_the_exercise_never_changes_the_count_inside_a_set() -> None:
    rows, t = sequence(squat, [(0, 0, 1.0), *reps([1.0, 0.5, 1.0, 1.0, 0.8]), (0, 0, 1.0)])
    blind = count_reps(rows, t)
    for exercise in ("squat", "lunge", "bicep_curl", "unknown"):
        named = count_exercise(rows, t, exercise)
        assert [r.peak for r in named.reps] == [r.peak for r in blind.reps]
