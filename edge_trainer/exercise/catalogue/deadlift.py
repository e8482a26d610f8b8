"""Deadlift: a hip hinge with straight arms, from the floor to standing tall."""

from __future__ import annotations

import numpy as np

from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.catalogue.base import SHOULDERS, Exercise, Signature
from edge_trainer.exercise.kinematics import Movement
from edge_trainer.exercise.rules.base import SIDE_VIEWS, Fault, RepContext, Rule, extreme

# The deadlift's movement: standing (legs within 30 degrees of vertical), the trunk
# hinging through 35+ degrees while the elbows stay straight (under 25) and the knees
# bend less than a squat's (under 50).
STANDING_LEGS_DEG = 30.0
HINGE_DEG = 35.0
STRAIGHT_ELBOWS_DEG = 25.0
SQUAT_KNEES_DEG = 50.0


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


def _hinges(m: Movement) -> bool:
    r = m.ranges
    return (
        m.legs_upright < STANDING_LEGS_DEG
        and m.trunk_travel >= HINGE_DEG
        and r["elbow"] < STRAIGHT_ELBOWS_DEG
        and not r["knee"] >= SQUAT_KNEES_DEG
    )


EXERCISE = Exercise(
    name="deadlift",
    label=2,
    concentric_first=False,
    velocity_point=SHOULDERS,
    angle=("left_shoulder", "left_hip", "left_knee"),
    rules=(
        Rule(
            "deadlift_back_round",
            frozenset(("side",)),
            _back_bend,
            33.0,
            True,
            "deg between back and neck lines",
            "a neutral spine keeps the head within ~25 degrees of the back's line; a "
            "rounded upper back bends them 33+ degrees apart (only judged from the side)",
            Fault("a rounded back", "Flat back"),
        ),
        Rule(
            "deadlift_no_lockout",
            SIDE_VIEWS,
            _top_hip_angle,
            150.0,
            False,
            "deg hip angle at the top",
            "standing tall opens the hip to 165-180 degrees; under 150 the lift was never finished",
            Fault("not standing tall at the top", "Stand tall at the top"),
        ),
    ),
    signature=Signature("standing, the trunk hinges with straight arms and soft knees", _hinges),
)
