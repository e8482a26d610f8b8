"""Lunge: a step, the front knee bent to about 90 degrees over the ankle, and back."""

from __future__ import annotations

import math

import numpy as np

from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.catalogue.base import HIPS, Exercise, Signature
from edge_trainer.exercise.kinematics import Movement
from edge_trainer.exercise.rules.base import SIDE_VIEWS, Fault, RepContext, Rule, extreme

# A typical foot length in torso lengths: the toes' stand-in when no toe is seen.
FOOT_LENGTH = 0.35

# The lunge's movement: standing (legs within 30 degrees of vertical), the knees bending
# through 50+ degrees while the feet step apart and back by 0.35+ leg lengths (a squat's
# ankles move under 0.1: landmark jitter) and the shoulders stay still (under 40; a
# jumping jack's legs open too, with the arms swinging overhead).
STANDING_LEGS_DEG = 30.0
KNEES_BEND_DEG = 50.0
STILL_SHOULDERS_DEG = 40.0
STEP_LEG_LENGTHS = 0.35


def _front_knee_travel(ctx: RepContext) -> float:
    """How far the front knee is ahead of the front foot's toes at the bottom, torso units.

    The front leg is the one whose ankle is further forward. Without a toe landmark the
    ankle plus a typical foot length stands in for the toes.
    """
    i = ctx.peak
    pts = ctx.pts[i]
    sides = ((geo.L_KNEE, geo.L_ANKLE, geo.L_FOOT), (geo.R_KNEE, geo.R_ANKLE, geo.R_FOOT))
    front = max(sides, key=lambda s: pts[s[1], 0] if np.isfinite(pts[s[1], 0]) else -np.inf)
    knee, ankle, toe = front
    toe_x = pts[toe, 0] if np.isfinite(pts[toe, 0]) else pts[ankle, 0] + FOOT_LENGTH
    # Seen at 45 degrees, distances along the direction the body faces show at cos 45.
    foreshortening = math.cos(math.radians(45.0)) if ctx.view == "45" else 1.0
    return float(pts[knee, 0] - toe_x) / foreshortening


def _front_knee_angle(ctx: RepContext) -> float:
    return extreme(np.nanmin(ctx.both("knee"), axis=1), high=False)


def _steps(m: Movement) -> bool:
    r = m.ranges
    return (
        m.legs_upright < STANDING_LEGS_DEG
        and r["knee"] >= KNEES_BEND_DEG
        and r["shoulder"] < STILL_SHOULDERS_DEG
        and m.stance_travel >= STEP_LEG_LENGTHS
    )


EXERCISE = Exercise(
    name="lunge",
    label=1,
    concentric_first=False,
    velocity_point=HIPS,
    angle=("left_hip", "left_knee", "left_ankle"),
    rules=(
        Rule(
            "lunge_knee_past_toes",
            SIDE_VIEWS,
            _front_knee_travel,
            -0.05,
            True,
            "torso lengths",
            "the front knee should stay over the ankle, behind the line of the toes (good "
            "lunges keep it ~0.3 torso lengths back); reaching the toe tips (within 0.05, "
            "~2 cm, of landmark noise) the load has shifted forward onto the knee. The toe "
            "line is the foot landmark, or a typical foot length in front of the ankle",
            Fault("front knee past the toes", "Knee behind your toes"),
        ),
        Rule(
            "lunge_shallow",
            frozenset(("side",)),
            _front_knee_angle,
            115.0,
            True,
            "deg front knee angle",
            "a full lunge bends the front knee to ~90 degrees; 115 allows for noise and "
            "still catches a dip that never loads the leg",
            Fault("shallow lunges", "Lower the back knee"),
        ),
    ),
    signature=Signature("standing, the knees bend as the feet step apart and back", _steps),
)
