"""Bench press: lying on a bench, the bar lowered to the chest and pressed up."""

from __future__ import annotations

from edge_trainer.exercise.catalogue.base import WRISTS, Exercise
from edge_trainer.exercise.rules.base import ALL_VIEWS, SIDE_VIEWS, Fault, Rule
from edge_trainer.exercise.rules.measures import max_elbow, min_elbow

EXERCISE = Exercise(
    name="bench_press",
    label=13,
    concentric_first=False,
    velocity_point=WRISTS,
    angle=("left_shoulder", "left_elbow", "left_wrist"),
    rules=(
        Rule(
            "bench_press_partial",
            SIDE_VIEWS,
            min_elbow,
            110.0,
            True,
            "deg elbow at the bottom",
            "the bar touching the chest bends the elbows to ~80-90 degrees; above 110 the "
            "bar stopped well short of the chest",
            Fault("not touching the chest", "Touch your chest"),
        ),
        Rule(
            "bench_press_lockout",
            ALL_VIEWS,
            max_elbow,
            150.0,
            False,
            "deg elbow at the top",
            "locked-out arms read 165-180 degrees; under 150 the press was not finished",
            Fault("not locking out", "Lock out at the top"),
        ),
    ),
    movers=("elbow", "forearm"),
)
