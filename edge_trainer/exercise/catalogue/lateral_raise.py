"""Lateral raise: straight arms raised out to the sides to shoulder height."""

from __future__ import annotations

from edge_trainer.exercise.catalogue.base import WRISTS, Exercise
from edge_trainer.exercise.rules import raises
from edge_trainer.exercise.rules.base import ALL_VIEWS, FRONT_VIEWS

EXERCISE = Exercise(
    name="lateral_raise",
    label=10,
    concentric_first=True,
    velocity_point=WRISTS,
    angle=("left_hip", "left_shoulder", "left_elbow"),
    # Out to the sides: the arms' height shows from the front, a swing from anywhere.
    rules=(
        raises.arms_low("lateral_raise", FRONT_VIEWS),
        raises.swinging("lateral_raise", ALL_VIEWS),
    ),
    movers=("shoulder",),
)
