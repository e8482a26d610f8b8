"""Dumbbell row: hinged over, the weight pulled from a hanging arm to the hip."""

from __future__ import annotations

from edge_trainer.exercise.catalogue.base import WRISTS, Exercise
from edge_trainer.exercise.rules.base import SIDE_VIEWS, Fault, Rule
from edge_trainer.exercise.rules.measures import min_elbow, trunk_sway

EXERCISE = Exercise(
    name="dumbbell_row",
    label=12,
    concentric_first=True,
    velocity_point=WRISTS,
    angle=("left_shoulder", "left_elbow", "left_wrist"),
    rules=(
        Rule(
            "dumbbell_row_partial",
            frozenset(("side",)),
            min_elbow,
            100.0,
            True,
            "deg elbow at the top",
            "rowing the weight to the hip bends the elbow to ~70-90 degrees; above 100 it "
            "stopped short",
            Fault("short rows", "Pull to your hip"),
        ),
        Rule(
            "dumbbell_row_torso_rise",
            SIDE_VIEWS,
            trunk_sway,
            20.0,
            True,
            "deg trunk travel",
            "the trunk should stay still in the hinge; rising 20+ degrees per rep is using "
            "the back to heave the weight",
            Fault("the torso rising", "Keep your back still"),
        ),
    ),
)
