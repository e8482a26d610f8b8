"""Pull-up: from a dead hang to the chin over the bar and back down."""

from __future__ import annotations

import numpy as np

from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.catalogue.base import SHOULDERS, Exercise
from edge_trainer.exercise.rules.base import ALL_VIEWS, Fault, RepContext, Rule, extreme


def _chin_margin(ctx: RepContext) -> float:
    """Nose height over the hands at the top of the pull, torso lengths (+ = above)."""
    nose = ctx.point(geo.NOSE)[:, 1]
    hands = ctx.mid(geo.L_WRIST, geo.R_WRIST)[:, 1]
    return extreme(nose - hands, high=True)


def _hang_elbow(ctx: RepContext) -> float:
    both = ctx.both("elbow")
    return extreme(np.nanmax(both, axis=1), high=True)


EXERCISE = Exercise(
    name="pull_up",
    label=4,
    concentric_first=True,
    velocity_point=SHOULDERS,
    angle=("left_shoulder", "left_elbow", "left_wrist"),
    rules=(
        Rule(
            "pull_up_chin_below_bar",
            ALL_VIEWS,
            _chin_margin,
            -0.15,
            False,
            "torso lengths nose over hands",
            "the hands mark the bar: at the top the head must reach them; the nose more "
            "than 0.15 torso lengths (a hand's width) below the wrists never got there",
            Fault("chin below the bar", "Chin over the bar"),
        ),
        Rule(
            "pull_up_no_full_hang",
            ALL_VIEWS,
            _hang_elbow,
            150.0,
            False,
            "deg elbow at the bottom",
            "a dead hang straightens the elbows to 165-180 degrees; under 150 every rep "
            "starts half way up",
            Fault("no full hang", "Full hang at the bottom"),
        ),
    ),
    spoken="pull-up",
)
