"""The rep counter on constructed landmark sequences: the hard cases a gym produces."""

from __future__ import annotations

import numpy as np
import pytest

from edge_trainer.exercise.reps import count_exercise, count_reps
from tests.unit.exercise_figures import (
    curl,
    plank,
    reps,
    sequence,
    side_pose,
    squat,
    trajectory,
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


def test_a_known_exercise_counts_on_its_joints_when_they_are_clearer() -> None:
    # Curls while the legs shuffle about: the whole body's main motion is mostly the
    # shuffle and loses reps; the elbows' angles do not.
    rng = np.random.default_rng(3)
    rows, t = sequence(curl, [(0, 0, 1.0), *reps([1.0] * 6, 0.8, 0.8), (0, 0, 1.0)])
    shuffle = np.cumsum(rng.normal(0, 0.02, len(rows)))
    for i in (25, 26, 27, 28, 29, 30, 31, 32):  # knees, ankles, heels, toes
        rows[:, i, 0] += shuffle * (1.5 if i % 2 else -1.0)
    assert len(count_reps(rows, t).reps) < 6
    assert len(count_exercise(rows, t, "bicep_curl").reps) == 6
    assert len(count_exercise(rows, t, "unknown").reps) < 6


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


def test_the_first_live_count_of_a_set_finds_rest_from_the_joints() -> None:
    # A live recount one and a half push-ups into a set: the sequence starts in the plank
    # and ends paused at the bottom of a slow second rep, so its two ends disagree about
    # where rest is and it dwells longest at the bottom. Guessed from that, the "rep" would
    # run from the first bottom to the second; the elbows say rest is the straight arms.
    phases = [(0, 0, 0.5), *reps([1.0], 0.8, 0.8, rest_s=0.2), (0, 1.0, 1.2), (1.0, 1.0, 1.0)]
    rows, t = sequence(plank, phases)
    res = count_exercise(rows, t, "push_up")
    assert [(round(t[r.start], 1), round(t[r.end], 1)) for r in res.reps] == [(0.7, 2.0)]


def test_a_lone_rep_of_a_known_exercise_counts_on_its_joints() -> None:
    # One slow curl during which the lifter leans back and stays leaning: the whole body
    # does not return to where it started, so it shows no rep, but the elbow goes out and
    # back. With no repetition to say which signal is more regular, the joints decide.
    phases = [(0, 0, 1.5), *reps([1.0], 1.2, 1.2), (0, 0, 1.5)]
    flex = trajectory(phases)
    lean = np.clip((np.arange(len(flex)) - 45) / 72.0, 0.0, 1.0) * -25.0
    rows = np.stack([side_pose(elbow=145 * f, trunk=a) for f, a in zip(flex, lean, strict=True)])
    rows[..., :2] += np.random.default_rng(0).normal(0.0, 0.002, rows[..., :2].shape)
    t = np.arange(len(rows)) / 30.0
    assert len(count_reps(rows, t).reps) == 0
    assert len(count_exercise(rows, t, "bicep_curl").reps) == 1
