"""Front raise: straight arms raised in front to shoulder height."""

from __future__ import annotations

from edge_trainer.exercise.catalogue.base import WRISTS, Exercise
from edge_trainer.exercise.rules import raises
from edge_trainer.exercise.rules.base import SIDE_VIEWS

EXERCISE = Exercise(
    name="front_raise",
    label=11,
    concentric_first=True,
    velocity_point=WRISTS,
    angle=("left_hip", "left_shoulder", "left_elbow"),
    # Forward, along the line of sight from the front: the arms and the sway show from the side.
    rules=(raises.arms_low("front_raise", SIDE_VIEWS), raises.swinging("front_raise", SIDE_VIEWS)),
    movers=("shoulder",),
)
