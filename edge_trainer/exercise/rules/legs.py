"""Form rules for the lower-body lifts: squat, lunge, deadlift."""

from __future__ import annotations

import math

import numpy as np

from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.rules.base import (
    SIDE_VIEWS,
    RepContext,
    Rule,
    extreme,
    lean_forward,
)


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
    return ctx.at_peak(knees / np.where(ankles > 0.05, ankles, np.nan))


def _bottom_lean(ctx: RepContext) -> float:
    return ctx.at_peak(lean_forward(ctx))


def _front_knee_travel(ctx: RepContext) -> float:
    """How far the front knee is ahead of the front foot's toes at the bottom, torso units.

    The front leg is the one whose ankle is further forward. Without a toe landmark the
    ankle plus a typical foot length (0.35 torso lengths) stands in for the toes.
    """
    i = ctx.peak
    pts = ctx.pts[i]
    sides = ((geo.L_KNEE, geo.L_ANKLE, geo.L_FOOT), (geo.R_KNEE, geo.R_ANKLE, geo.R_FOOT))
    front = max(sides, key=lambda s: pts[s[1], 0] if np.isfinite(pts[s[1], 0]) else -np.inf)
    knee, ankle, toe = front
    toe_x = pts[toe, 0] if np.isfinite(pts[toe, 0]) else pts[ankle, 0] + 0.35
    # Seen at 45 degrees, distances along the direction the body faces show at cos 45.
    foreshortening = math.cos(math.radians(45.0)) if ctx.view == "45" else 1.0
    return float(pts[knee, 0] - toe_x) / foreshortening


def _front_knee_angle(ctx: RepContext) -> float:
    return extreme(np.nanmin(ctx.both("knee"), axis=1), high=False)


def _back_bend(ctx: RepContext) -> float:
    """Degrees between the hip->shoulder and shoulder->ear lines at the bottom of the hinge.

    A flat back with a neutral neck keeps the ear near the line of the back (the ear
    sits a little above the neck's axis, ~20 degrees); a rounded upper back drops the
    shoulders below the line from the hips to the head, bending the two lines apart.
    """
    back_v = ctx.trunk()
    neck_v = ctx.span((geo.L_SHOULDER, geo.R_SHOULDER), (geo.L_EAR, geo.R_EAR))
    back = np.degrees(np.arctan2(back_v[:, 1], back_v[:, 0]))
    neck = np.degrees(np.arctan2(neck_v[:, 1], neck_v[:, 0]))
    bend = np.abs((back - neck + 180.0) % 360.0 - 180.0)
    return ctx.at_peak(bend)


def _top_hip_angle(ctx: RepContext) -> float:
    return extreme(np.nanmax(ctx.both("hip"), axis=1), high=True)


RULES = (
    Rule(
        "squat_shallow",
        "squat",
        SIDE_VIEWS,
        _hip_over_knee,
        0.6,
        True,
        "thigh lengths hip over knee",
        "a full squat brings the hips to knee height (0) or below; over 0.6 the thighs "
        "stayed more than ~37 degrees above level: a half squat, whatever the view's "
        "perspective adds",
    ),
    Rule(
        "squat_knee_valgus",
        "squat",
        frozenset(("front",)),
        _knee_width_ratio,
        0.8,
        False,
        "knee/ankle width",
        "knees should track over the feet (ratio ~1 or wider); knees 20% inside the ankles "
        "is a visible cave-in and beyond the jitter of the knee landmarks",
    ),
    Rule(
        "squat_torso_lean",
        "squat",
        SIDE_VIEWS,
        _bottom_lean,
        55.0,
        True,
        "deg forward lean",
        "a sound squat leans the torso 30-45 degrees at the bottom; past 55 the lift has "
        "turned into a good-morning",
    ),
    Rule(
        "lunge_knee_past_toes",
        "lunge",
        SIDE_VIEWS,
        _front_knee_travel,
        -0.05,
        True,
        "torso lengths",
        "the front knee should stay over the ankle, behind the line of the toes (good "
        "lunges keep it ~0.3 torso lengths back); reaching the toe tips (within 0.05, "
        "~2 cm, of landmark noise) the load has shifted forward onto the knee. The toe "
        "line is the foot landmark, or a typical foot length in front of the ankle",
    ),
    Rule(
        "lunge_shallow",
        "lunge",
        frozenset(("side",)),
        _front_knee_angle,
        115.0,
        True,
        "deg front knee angle",
        "a full lunge bends the front knee to ~90 degrees; 115 allows for noise and still "
        "catches a dip that never loads the leg",
    ),
    Rule(
        "deadlift_back_round",
        "deadlift",
        frozenset(("side",)),
        _back_bend,
        33.0,
        True,
        "deg between back and neck lines",
        "a neutral spine keeps the head within ~25 degrees of the back's line; a rounded "
        "upper back bends them 33+ degrees apart (only judged from the side)",
    ),
    Rule(
        "deadlift_no_lockout",
        "deadlift",
        SIDE_VIEWS,
        _top_hip_angle,
        150.0,
        False,
        "deg hip angle at the top",
        "standing tall opens the hip to 165-180 degrees; under 150 the lift was never finished",
    ),
)
