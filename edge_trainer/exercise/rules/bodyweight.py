"""Form rules for the bodyweight moves: pull-up, sit-up, jumping jack."""

from __future__ import annotations

import numpy as np

from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.rules.base import (
    ALL_VIEWS,
    FRONT_VIEWS,
    FloatArray,
    RepContext,
    Rule,
    extreme,
    range_of,
)


def _chin_margin(ctx: RepContext) -> float:
    """Nose height over the hands at the top of the pull, torso lengths (+ = above)."""
    nose = ctx.point(geo.NOSE)[:, 1]
    hands = ctx.mid(geo.L_WRIST, geo.R_WRIST)[:, 1]
    return extreme(nose - hands, high=True)


def _hang_elbow(ctx: RepContext) -> float:
    both = ctx.both("elbow")
    return extreme(np.nanmax(both, axis=1), high=True)


def _trunk_from_vertical(ctx: RepContext) -> FloatArray:
    sh = ctx.trunk()
    return np.asarray(np.degrees(np.arctan2(np.abs(sh[:, 0]), sh[:, 1])))


def _situp_top(ctx: RepContext) -> float:
    """Smallest trunk angle from vertical in the rep: how upright the top position got."""
    return extreme(_trunk_from_vertical(ctx), high=False)


def _situp_travel(ctx: RepContext) -> float:
    """Degrees the trunk travels in the rep (down on the floor and back up)."""
    return range_of(ctx.in_rep(_trunk_from_vertical(ctx)))


def _wrists_over_head(ctx: RepContext) -> float:
    """Wrist height above the nose at the top of the jack, torso lengths."""
    wrists = ctx.mid(geo.L_WRIST, geo.R_WRIST)[:, 1]
    return extreme(wrists - ctx.point(geo.NOSE)[:, 1], high=True)


def _feet_spread(ctx: RepContext) -> float:
    """Widest ankle spread of the jack over the shoulder width."""
    ankles = np.abs(ctx.point(geo.L_ANKLE)[:, 0] - ctx.point(geo.R_ANKLE)[:, 0])
    shoulders = np.abs(ctx.point(geo.L_SHOULDER)[:, 0] - ctx.point(geo.R_SHOULDER)[:, 0])
    ratio = ankles / np.where(shoulders > 0.1, shoulders, np.nan)
    return extreme(ratio, high=True)


RULES = (
    Rule(
        "pull_up_chin_below_bar",
        "pull_up",
        ALL_VIEWS,
        _chin_margin,
        -0.15,
        False,
        "torso lengths nose over hands",
        "the hands mark the bar: at the top the head must reach them; the nose more "
        "than 0.15 torso lengths (a hand's width) below the wrists never got there",
    ),
    Rule(
        "pull_up_no_full_hang",
        "pull_up",
        ALL_VIEWS,
        _hang_elbow,
        150.0,
        False,
        "deg elbow at the bottom",
        "a dead hang straightens the elbows to 165-180 degrees; under 150 every rep starts "
        "half way up",
    ),
    Rule(
        "situp_partial",
        "situp",
        frozenset(("side",)),
        _situp_top,
        45.0,
        True,
        "deg trunk from vertical at the top",
        "a full sit-up brings the trunk near upright (under ~30 degrees); staying more than "
        "45 degrees back is a crunch",
    ),
    Rule(
        "situp_short_range",
        "situp",
        frozenset(("side",)),
        _situp_travel,
        50.0,
        False,
        "deg trunk travel",
        "from the floor to the top the trunk travels 60-90 degrees; under 50 the back "
        "never went down or never came up",
    ),
    Rule(
        "jumping_jack_arms_low",
        "jumping_jack",
        FRONT_VIEWS,
        _wrists_over_head,
        0.0,
        False,
        "torso lengths wrists over nose",
        "the arms of a jack meet overhead; wrists that stay below the nose never got there",
    ),
    Rule(
        "jumping_jack_feet_narrow",
        "jumping_jack",
        FRONT_VIEWS,
        _feet_spread,
        1.3,
        False,
        "ankle spread / shoulder width",
        "the feet of a jack land wider than the shoulders (1.5-2x); under 1.3x the legs "
        "barely opened",
    ),
)
