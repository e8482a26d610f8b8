"""Form rules for the pushes: push-up and bench press."""

from __future__ import annotations

import numpy as np

from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.rules.base import ALL_VIEWS, SIDE_VIEWS, RepContext, Rule, extreme


def _hip_offset(ctx: RepContext) -> float:
    """Hip height above the ankle-shoulder line in torso lengths (median over the rep).

    Positive is a pike (hips up), negative a sag. Measured perpendicular to the line so
    it does not depend on how steep the body is.
    """
    sh = ctx.mid(geo.L_SHOULDER, geo.R_SHOULDER)
    an = ctx.mid(geo.L_ANKLE, geo.R_ANKLE)
    d = sh - an
    length = np.hypot(d[:, 0], d[:, 1])
    # Normal to the line pointing up (+y) whichever way the body lies.
    nx, ny = -d[:, 1] * np.sign(d[:, 0]), d[:, 0] * np.sign(d[:, 0])
    hip_rel = -an  # normalised landmarks are hip-centred: hip - ankle = -ankle
    offset = (hip_rel[:, 0] * nx + hip_rel[:, 1] * ny) / np.where(length > 0, length, np.nan)
    v = offset[np.isfinite(offset)]
    return float(np.median(v)) if v.size else float("nan")


def _sag(ctx: RepContext) -> float:
    return -_hip_offset(ctx)


def _bottom_elbow(ctx: RepContext) -> float:
    arm = ctx.near("elbow") if ctx.view == "side" else np.nanmin(ctx.both("elbow"), axis=1)
    return extreme(arm, high=False)


def _top_elbow(ctx: RepContext) -> float:
    arm = ctx.near("elbow") if ctx.view == "side" else np.nanmax(ctx.both("elbow"), axis=1)
    return extreme(arm, high=True)


RULES = (
    Rule(
        "push_up_hip_sag",
        "push_up",
        SIDE_VIEWS,
        _sag,
        0.15,
        True,
        "torso lengths below line",
        "a plank keeps the hip on the shoulder-ankle line; 0.15 torso lengths (~7 cm) below "
        "it is a visible sag, about twice the hip landmark's jitter",
    ),
    Rule(
        "push_up_hip_pike",
        "push_up",
        SIDE_VIEWS,
        _hip_offset,
        0.2,
        True,
        "torso lengths above line",
        "hips raised 0.2 torso lengths (~10 cm) above the line turn the plank into a pike; "
        "a little higher than the sag limit because glute shape lifts the hip landmark",
    ),
    Rule(
        "push_up_partial",
        "push_up",
        SIDE_VIEWS,
        _bottom_elbow,
        110.0,
        True,
        "deg elbow at the bottom",
        "a full push-up bends the elbows to ~70-90 degrees; stopping above 110 is a partial",
    ),
    Rule(
        "bench_press_partial",
        "bench_press",
        SIDE_VIEWS,
        _bottom_elbow,
        110.0,
        True,
        "deg elbow at the bottom",
        "the bar touching the chest bends the elbows to ~80-90 degrees; above 110 the bar "
        "stopped well short of the chest",
    ),
    Rule(
        "bench_press_lockout",
        "bench_press",
        ALL_VIEWS,
        _top_elbow,
        150.0,
        False,
        "deg elbow at the top",
        "locked-out arms read 165-180 degrees; under 150 the press was not finished",
    ),
)
