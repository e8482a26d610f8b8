"""The two rules every raise has: the arms up to shoulder height, and no swinging."""

from __future__ import annotations

from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.rules.base import Fault, Rule
from edge_trainer.exercise.rules.measures import max_shoulder, trunk_sway


def arms_low(exercise: str, views: frozenset[geo.View]) -> Rule:
    """``<exercise>_low``: the arms stopped short of shoulder height."""
    return Rule(
        f"{exercise}_low",
        views,
        max_shoulder,
        75.0,
        False,
        "deg arm elevation",
        "a raise lifts the arms to shoulder height (~90 degrees from the trunk); 15 "
        "degrees short of it is a visible miss, well beyond the landmarks' noise",
        Fault("arms below shoulder height", "Up to shoulder height"),
    )


def swinging(exercise: str, views: frozenset[geo.View]) -> Rule:
    """``<exercise>_swing``: the body rocked to throw the weight up."""
    return Rule(
        f"{exercise}_swing",
        views,
        trunk_sway,
        18.0,
        True,
        "deg trunk sway",
        "standing still the trunk sways under ~10 degrees (breathing, balance, landmark "
        "noise); rocking 18+ degrees is the lifter throwing the weight up with momentum",
        Fault("swinging the body", "No swinging"),
    )
