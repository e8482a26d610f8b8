"""Jumping jack: a jump to feet wide and hands together overhead, and back."""

from __future__ import annotations

import numpy as np

from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.catalogue.base import WRISTS, Exercise
from edge_trainer.exercise.rules.base import FRONT_VIEWS, Fault, RepContext, Rule, extreme

# Shoulders closer than this (torso lengths) give no spread ratio: a body seen side-on.
MIN_SHOULDER_WIDTH = 0.1


def _wrists_over_head(ctx: RepContext) -> float:
    """Wrist height above the nose at the top of the jack, torso lengths."""
    wrists = ctx.mid(geo.L_WRIST, geo.R_WRIST)[:, 1]
    return extreme(wrists - ctx.point(geo.NOSE)[:, 1], high=True)


def _feet_spread(ctx: RepContext) -> float:
    """Widest ankle spread of the jack over the shoulder width."""
    ankles = np.abs(ctx.point(geo.L_ANKLE)[:, 0] - ctx.point(geo.R_ANKLE)[:, 0])
    shoulders = np.abs(ctx.point(geo.L_SHOULDER)[:, 0] - ctx.point(geo.R_SHOULDER)[:, 0])
    ratio = ankles / np.where(shoulders > MIN_SHOULDER_WIDTH, shoulders, np.nan)
    return extreme(ratio, high=True)


EXERCISE = Exercise(
    name="jumping_jack",
    label=6,
    concentric_first=True,
    velocity_point=WRISTS,
    angle=("left_hip", "left_shoulder", "left_elbow"),
    rules=(
        Rule(
            "jumping_jack_arms_low",
            FRONT_VIEWS,
            _wrists_over_head,
            0.0,
            False,
            "torso lengths wrists over nose",
            "the arms of a jack meet overhead; wrists that stay below the nose never got there",
            Fault("arms not reaching overhead", "Arms all the way up"),
        ),
        Rule(
            "jumping_jack_feet_narrow",
            FRONT_VIEWS,
            _feet_spread,
            1.3,
            False,
            "ankle spread / shoulder width",
            "the feet of a jack land wider than the shoulders (1.5-2x); under 1.3x the "
            "legs barely opened",
            Fault("feet not wide enough", "Feet wider"),
        ),
    ),
    movers=("shoulder",),
)
