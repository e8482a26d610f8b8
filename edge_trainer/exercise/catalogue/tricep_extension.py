"""Tricep extension: the upper arm still, the forearm straightened against the weight."""

from __future__ import annotations

from edge_trainer.exercise.catalogue.base import WRISTS, Exercise
from edge_trainer.exercise.rules.base import SIDE_VIEWS, Fault, Rule
from edge_trainer.exercise.rules.measures import max_elbow, upper_arm_swing

EXERCISE = Exercise(
    name="tricep_extension",
    label=8,
    concentric_first=False,
    velocity_point=WRISTS,
    angle=("left_shoulder", "left_elbow", "left_wrist"),
    rules=(
        Rule(
            "tricep_extension_partial",
            SIDE_VIEWS,
            max_elbow,
            150.0,
            False,
            "deg elbow at full extension",
            "a full extension opens the elbow to 165-180 degrees; under 150 the arm never "
            "straightened",
            Fault("not straightening the arm", "Full extension"),
        ),
        Rule(
            "tricep_extension_elbow_drift",
            SIDE_VIEWS,
            upper_arm_swing,
            30.0,
            True,
            "deg upper-arm travel",
            "only the forearm should move; the upper arm drifting 30+ degrees brings the "
            "shoulder into the lift",
            Fault("elbows drifting", "Elbows still"),
        ),
    ),
    movers=("elbow", "forearm"),
)
