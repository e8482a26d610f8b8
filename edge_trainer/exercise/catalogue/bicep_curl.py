"""Bicep curl (and hammer curl): standing, the forearms curled up with the elbows still."""

from __future__ import annotations

from edge_trainer.exercise.catalogue.base import WRISTS, Exercise, Signature
from edge_trainer.exercise.kinematics import Movement
from edge_trainer.exercise.rules.base import SIDE_VIEWS, Fault, Rule
from edge_trainer.exercise.rules.measures import min_elbow, upper_arm_swing

# The curl's movement: upright (trunk within 25 degrees of vertical), upper arms hanging
# (under 35 degrees from the trunk) and staying there (shoulders travel under 25), the
# elbows bending through 70+.
UPRIGHT_DEG = 25.0
HANGING_ARMS_DEG = 35.0
STILL_SHOULDERS_DEG = 25.0
ELBOWS_BEND_DEG = 70.0


def _curls(m: Movement) -> bool:
    r = m.ranges
    return (
        m.trunk_upright < UPRIGHT_DEG
        and m.arm_hang < HANGING_ARMS_DEG
        and r["shoulder"] < STILL_SHOULDERS_DEG
        and r["elbow"] >= ELBOWS_BEND_DEG
    )


EXERCISE = Exercise(
    name="bicep_curl",
    label=7,
    concentric_first=True,
    velocity_point=WRISTS,
    angle=("left_shoulder", "left_elbow", "left_wrist"),
    rules=(
        Rule(
            "bicep_curl_swing",
            SIDE_VIEWS,
            upper_arm_swing,
            12.0,
            True,
            "deg upper-arm travel",
            "in a strict curl the elbow stays pinned and the upper arm drifts under ~10 "
            "degrees; past 12 (drift plus a couple of degrees of landmark noise) the "
            "shoulder or a swing is helping lift the weight",
            Fault("swinging the upper arm", "Elbows still"),
        ),
        Rule(
            "bicep_curl_partial",
            SIDE_VIEWS,
            min_elbow,
            75.0,
            True,
            "deg elbow at the top",
            "a full curl closes the elbow to 30-50 degrees; stopping above 75 is a partial curl",
            Fault("partial curls", "Full range"),
        ),
    ),
    movers=("elbow", "forearm"),
    signature=Signature("upright, upper arms hanging, only the elbows bend", _curls),
)
