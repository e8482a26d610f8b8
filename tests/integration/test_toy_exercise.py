"""An exercise added in one place is known everywhere: counted, timed, judged, rendered.

The toy exercise below is one catalogue entry and one motion, added here and nowhere
else: the counter counts it, tempo reads which phase lifts, its rule flags its fault,
the coach names it, and the synthetic gym renders it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest

from edge_trainer import sim
from edge_trainer.coach.cues import exercise_phrase
from edge_trainer.config import ExerciseConfig
from edge_trainer.exercise import catalogue
from edge_trainer.exercise.catalogue.base import WRISTS, Exercise
from edge_trainer.exercise.faults import fault
from edge_trainer.exercise.offline import analyze_rows, offline
from edge_trainer.exercise.rules.base import FRONT_VIEWS, Fault, Rule
from edge_trainer.exercise.rules.measures import max_shoulder
from edge_trainer.sim import motions
from edge_trainer.sim.geometry import lerp, unit, v
from edge_trainer.sim.motions.base import ExerciseSpec, Posed, Rep, deg, stand_legs
from edge_trainer.sim.skeleton import Rig

NAME = "overhead_reach"
SHORT = "overhead_reach_short"

REACH = Exercise(
    name=NAME,
    label=None,
    concentric_first=True,
    velocity_point=WRISTS,
    angle=("left_hip", "left_shoulder", "left_elbow"),
    rules=(
        Rule(
            SHORT,
            FRONT_VIEWS,
            max_shoulder,
            140.0,
            False,
            "deg arm elevation",
            "a full reach takes the arms from the sides to overhead (~170 degrees from "
            "the trunk); under 140 they stopped about level with the shoulders",
            Fault("arms stopping short", "Reach all the way up"),
        ),
    ),
    movers=("shoulder",),
    called="overhead reaches",
)


def _pose(rig: Rig, p: float, rep: Rep) -> Posed:
    """Reach at ``p`` (0 arms by the sides, 1 straight overhead)."""
    b = rig.body
    top = deg(95) if rep.has(SHORT) else deg(170)
    a = lerp(deg(12), top, p * rep.rom)
    trunk = rig.trunk(v(0.0, b.hip_height * 0.985, 0.0), pitch=deg(2))
    stand_legs(rig, trunk, stance=1.3, toe_out=deg(10))
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        out = trunk.left * sgn
        upper = unit(-trunk.up * math.cos(a) + out * math.sin(a) + trunk.fwd * 0.1)
        rig.arm_dirs(trunk, side, upper, upper, -out, pole=-trunk.fwd)
    return rig.finish(trunk), []


MOTION = ExerciseSpec(
    name=NAME,
    pose=_pose,
    out_s=0.8,
    back_s=1.6,
    faults={SHORT: "the arms stop about level with the shoulders"},
)


@pytest.fixture
def reach() -> Iterator[None]:
    catalogue.add(REACH)
    motions.add(MOTION)
    try:
        yield
    finally:
        motions.remove(NAME)
        catalogue.remove(NAME)


@pytest.mark.usefixtures("reach")
def test_a_toy_exercise_is_rendered_counted_timed_and_judged() -> None:
    assert NAME in sim.exercises() and sim.faults_for(NAME) == (SHORT,)
    spec = sim.single_set(NAME, 5, "front", faults=((3, SHORT),), seed=7)
    frames, truth = sim.render_clip(spec)
    (truth_set,) = truth.sets
    assert truth_set.exercise == NAME and len(truth_set.reps) == 5
    # The mannequin is drawn reaching: the arms overhead change the picture.
    start, top = truth_set.reps[0].start_frame, truth_set.reps[0].bottom_frame
    images = [img for _, img in zip(range(top + 1), frames, strict=False)]
    assert images[start].shape == (spec.height, spec.width, 3)
    moved = np.abs(images[top].astype(int) - images[start].astype(int)).max(axis=2) > 40
    assert moved.mean() > 0.01
    rows = truth.landmark_array().astype(np.float64)
    sets, _ = analyze_rows(rows, truth.fps, offline(ExerciseConfig(exercise=NAME)))
    assert [(s.exercise, s.rep_count) for s in sets] == [(NAME, 5)]
    reps = sets[0].reps
    # Lifting first: the quick way up is the concentric phase, the slow way down the
    # eccentric one, as in the truth.
    for got, want in zip(reps, truth_set.reps, strict=True):
        assert want.eccentric_s > 1.5 * want.concentric_s
        assert got.eccentric_s > 1.5 * got.concentric_s
    assert [r.index for r in reps if SHORT in r.faults] == [3]
    assert fault(SHORT).cue == "Reach all the way up"
    assert exercise_phrase(NAME) == "overhead reaches"


def test_a_name_label_or_fault_code_already_taken_is_refused() -> None:
    with pytest.raises(ValueError, match="taken"):
        catalogue.add(catalogue.get("squat"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="label 0"):
        catalogue.add(Exercise("toy", 0, True, WRISTS, ("left_hip", "left_knee", "left_ankle")))
    assert catalogue.get("toy") is None
