"""Ground truth: determinism, layout, rep timing and labels of rendered clips."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from edge_trainer.exercise import catalogue
from edge_trainer.sim import REST, ActivitySpec, ClipSpec, SetSpec, Truth, single_set
from edge_trainer.sim.body import standard_body
from edge_trainer.sim.check import count_cycles, main_angle
from edge_trainer.sim.motions import SPECS, Rep
from edge_trainer.sim.motions import activities as act
from edge_trainer.sim.render import Renderer
from edge_trainer.sim.skeleton import BLAZEPOSE_INDEX, Rig, bone_lengths, limit_violations
from edge_trainer.sim.timeline import build_timeline


@pytest.fixture(scope="module")
def mini_workout() -> Renderer:
    """Walk in, two squats, a stand, two push-ups, walk out; at 15 fps to keep it quick."""
    segs = (
        ActivitySpec("walk_in"),
        SetSpec("squat", 2, 45.0),
        ActivitySpec("stand", 1.0, 45.0),
        SetSpec("push_up", 2, 90.0, ((2, "push_up_hip_pike"),)),
        ActivitySpec("walk_out"),
    )
    return Renderer(ClipSpec(segs, seed=4, fps=15.0))


@pytest.fixture(scope="module")
def squat() -> Renderer:
    faults = ((2, "squat_shallow"),)
    return Renderer(single_set("squat", 3, "side", faults=faults, seed=5, lead_in_s=0.5))


def test_same_seed_gives_byte_identical_truth() -> None:
    def text(seed: int) -> str:
        spec = single_set("lunge", 2, 45, seed=seed, fps=15.0, lead_in_s=0.3)
        return Renderer(spec).truth().to_json()

    first = text(5)
    assert text(5) == first
    assert text(6) != first


def test_truth_layout_and_round_trip(squat: Renderer, tmp_path: Path) -> None:
    truth = squat.truth()
    arr = truth.landmark_array()
    assert arr.shape == (squat.frames, 33, 4) and arr.dtype == np.float32
    assert np.isfinite(arr).all()  # the person stays in view for a single set
    assert ((arr[..., :2] >= 0) & (arr[..., :2] <= 1)).all()
    assert set(np.unique(arr[..., 3])) <= {0.0, 1.0}
    path = tmp_path / "t.truth.json"
    truth.save(path)
    back = Truth.load(path)
    assert back.to_json() == truth.to_json()
    doc = json.loads(path.read_text())
    assert doc["fps"] == 30.0 and doc["width"] == 640 and len(doc["landmarks"]) == squat.frames


def test_reps_faults_and_timing(squat: Renderer) -> None:
    (s,) = squat.truth().sets
    assert s.exercise == "squat" and len(s.reps) == 3
    assert [r.faults for r in s.reps] == [(), ("squat_shallow",), ()]
    for a, b in zip(s.reps, s.reps[1:], strict=False):
        assert a.end_frame <= b.start_frame
    for r in s.reps:
        assert r.start_frame < r.bottom_frame < r.end_frame
        # A squat lowers first: 0 -> bottom is eccentric, and fatigue slows later reps.
        assert abs((r.bottom_frame - r.start_frame) / 30.0 - r.eccentric_s) < 0.2
    assert s.reps[-1].concentric_s > s.reps[0].concentric_s * 0.9
    # The hips are lowest (largest image y) at the bottom frame of a full rep.
    lm = squat.truth().landmarks
    hip_y = lm[:, 23:25, 1].mean(1)
    r = s.reps[0]
    assert hip_y[r.bottom_frame] > hip_y[r.start_frame] + 0.1
    # The shallow rep stays higher than the full ones.
    assert hip_y[s.reps[1].bottom_frame] < hip_y[r.bottom_frame] - 0.05


def test_truth_angle_cycles_match_reps(squat: Renderer) -> None:
    truth = squat.truth()
    (s,) = truth.sets
    pix = truth.landmarks[s.start_frame : s.end_frame + 1, :, :3] * np.array([640, 480, 640])
    assert count_cycles(main_angle("squat", pix)) == 3


def test_bones_keep_their_length_through_a_workout(mini_workout: Renderer) -> None:
    tl = mini_workout.timeline
    lengths = np.stack([bone_lengths(p) for p in tl.points])
    assert np.abs(lengths - lengths[0]).max() < 1e-6


def test_workout_segments_labels_and_out_of_view_frames(mini_workout: Renderer) -> None:
    truth = mini_workout.truth()
    segs = truth.segments
    assert segs[0].start_frame == 0 and segs[-1].end_frame == truth.frames
    for a, b in itertools.pairwise(segs):
        assert a.end_frame == b.start_frame
    assert [s.exercise for s in truth.sets] == ["squat", "push_up"]
    assert segs[0].activity == "walk_in" and segs[-1].activity == "walk_out"
    labels = truth.labels()
    assert set(labels) == {REST, "squat", "push_up"}
    for st in truth.sets:
        assert set(labels[st.start_frame : st.end_frame]) == {st.exercise}
    # Walking in starts off screen: those frames have no landmarks; mid-set frames do.
    arr = truth.landmark_array()
    assert np.isnan(arr[0]).all() and np.isnan(arr[-1]).all()
    assert np.isfinite(arr[truth.sets[0].reps[0].bottom_frame]).all()


@pytest.mark.parametrize("exercise", catalogue.names())
def test_every_exercise_cycles_its_main_angle_once_per_rep(exercise: str) -> None:
    tl = build_timeline(single_set(exercise, 2, 45, seed=1, lead_in_s=0.0))
    angle = main_angle(exercise, tl.points[:, BLAZEPOSE_INDEX])
    assert count_cycles(angle) == 2
    assert np.nanmax(angle) - np.nanmin(angle) > 30.0


def test_demo_spec_is_a_short_two_set_workout() -> None:
    from edge_trainer.sim import demo_spec

    tl = build_timeline(demo_spec())
    seconds = tl.points.shape[0] / tl.fps
    assert 30.0 <= seconds <= 60.0
    assert [(s.exercise, len(s.reps)) for s in tl.sets] == [("squat", 6), ("push_up", 5)]
    assert tl.segments[0].activity == "walk_in" and tl.segments[-1].activity == "walk_out"


@pytest.mark.parametrize("exercise", catalogue.names())
def test_poses_respect_joint_limits_with_every_fault(exercise: str) -> None:
    spec = SPECS[exercise]
    rig = Rig(standard_body())
    variants = [Rep(0, frozenset())] + [Rep(1, frozenset({f})) for f in spec.faults]
    variants += [Rep(1, frozenset(), variant=v) for v in spec.variants]
    for rep in variants:
        for phase in np.linspace(0.0, 1.0, 9):
            points, _ = spec.pose(rig, float(phase), rep)
            assert limit_violations(points) == [], (exercise, rep, phase)


def test_activities_respect_joint_limits() -> None:
    rig = Rig(standard_body(1.6))
    for t in np.linspace(0.0, 3.0, 13):
        for fn in (act.stand, act.walk, act.stretch, act.sit):
            assert limit_violations(fn(rig, float(t))[0]) == [], (fn.__name__, t)
        assert limit_violations(act.pick_up(rig, float(t), seconds=3.0)[0]) == [], t
