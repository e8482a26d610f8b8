"""Squat: hips back and down to knee height and up again, seen best from the side."""

from __future__ import annotations

import numpy as np

from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.catalogue.base import HIPS, Exercise
from edge_trainer.exercise.rules.base import (
    SIDE_VIEWS,
    Fault,
    RepContext,
    Rule,
    extreme,
    lean_forward,
)

# Ankles closer than this (torso lengths) give no knee-to-ankle ratio: feet together.
MIN_ANKLE_SPREAD = 0.05


def _hip_over_knee(ctx: RepContext) -> float:
    """Lowest hip height above the knee in the rep, in standing thigh lengths.

    1 standing, 0 with the thighs level (parallel), negative below parallel. Heights
    survive a turn of the body away from the camera, and the thigh's length is taken
    where it is longest (standing, vertical), so a 45-degree view reads the same depth.
    """
    sides = []
    for hip, knee in ((geo.L_HIP, geo.L_KNEE), (geo.R_HIP, geo.R_KNEE)):
        rise = ctx.pts[:, hip, 1] - ctx.pts[:, knee, 1]
        d = ctx.pts[:, hip, :2] - ctx.pts[:, knee, :2]
        length = extreme(np.hypot(d[:, 0], d[:, 1]), high=True)
        sides.append(extreme(rise, high=False) / length if length > 0 else np.nan)
    return float(np.nanmin(sides)) if np.isfinite(sides).any() else float("nan")


def _knee_width_ratio(ctx: RepContext) -> float:
    """Knee spread over ankle spread at the bottom (1 = knees over ankles)."""
    knees = np.abs(ctx.point(geo.L_KNEE)[:, 0] - ctx.point(geo.R_KNEE)[:, 0])
    ankles = np.abs(ctx.point(geo.L_ANKLE)[:, 0] - ctx.point(geo.R_ANKLE)[:, 0])
    return ctx.at_peak(knees / np.where(ankles > MIN_ANKLE_SPREAD, ankles, np.nan))


def _bottom_lean(ctx: RepContext) -> float:
    return ctx.at_peak(lean_forward(ctx))


EXERCISE = Exercise(
    name="squat",
    label=0,
    concentric_first=False,
    velocity_point=HIPS,
    angle=("left_hip", "left_knee", "left_ankle"),
    rules=(
        Rule(
            "squat_shallow",
            SIDE_VIEWS,
            _hip_over_knee,
            0.6,
            True,
            "thigh lengths hip over knee",
            "a full squat brings the hips to knee height (0) or below; over 0.6 the thighs "
            "stayed more than ~37 degrees above level: a half squat, whatever the view's "
            "perspective adds",
            Fault("shallow depth", "Go deeper"),
        ),
        Rule(
            "squat_knee_valgus",
            frozenset(("front",)),
            _knee_width_ratio,
            0.8,
            False,
            "knee/ankle width",
            "knees should track over the feet (ratio ~1 or wider); knees 20% inside the "
            "ankles is a visible cave-in and beyond the jitter of the knee landmarks",
            Fault("knees caving in", "Knees out"),
        ),
        Rule(
            "squat_torso_lean",
            SIDE_VIEWS,
            _bottom_lean,
            55.0,
            True,
            "deg forward lean",
            "a sound squat leans the torso 30-45 degrees at the bottom; past 55 the lift "
            "has turned into a good-morning",
            Fault("leaning forward too far", "Chest up"),
        ),
    ),
)
