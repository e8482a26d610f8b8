"""Sit-up: from lying on the back, knees bent, up to sitting and down again."""

from __future__ import annotations

import numpy as np

from edge_trainer.exercise.catalogue.base import SHOULDERS, Exercise
from edge_trainer.exercise.rules.base import (
    Fault,
    FloatArray,
    RepContext,
    Rule,
    extreme,
    range_of,
)


def _trunk_from_vertical(ctx: RepContext) -> FloatArray:
    sh = ctx.trunk()
    return np.asarray(np.degrees(np.arctan2(np.abs(sh[:, 0]), sh[:, 1])))


def _situp_top(ctx: RepContext) -> float:
    """Smallest trunk angle from vertical in the rep: how upright the top position got."""
    return extreme(_trunk_from_vertical(ctx), high=False)


def _situp_travel(ctx: RepContext) -> float:
    """Degrees the trunk travels in the rep (down on the floor and back up)."""
    return range_of(ctx.in_rep(_trunk_from_vertical(ctx)))


EXERCISE = Exercise(
    name="situp",
    label=5,
    concentric_first=True,
    velocity_point=SHOULDERS,
    angle=("left_shoulder", "left_hip", "left_knee"),
    rules=(
        Rule(
            "situp_partial",
            frozenset(("side",)),
            _situp_top,
            45.0,
            True,
            "deg trunk from vertical at the top",
            "a full sit-up brings the trunk near upright (under ~30 degrees); staying more "
            "than 45 degrees back is a crunch",
            Fault("not sitting all the way up", "All the way up"),
        ),
        Rule(
            "situp_short_range",
            frozenset(("side",)),
            _situp_travel,
            50.0,
            False,
            "deg trunk travel",
            "from the floor to the top the trunk travels 60-90 degrees; under 50 the back "
            "never went down or never came up",
            Fault("short range", "All the way up"),
        ),
    ),
    spoken="sit-up",
    called="sit ups",
)
