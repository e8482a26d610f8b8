"""Push-up: in a plank, the chest lowered to the floor and pushed back up."""

from __future__ import annotations

import numpy as np

from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.catalogue.base import SHOULDERS, Exercise
from edge_trainer.exercise.rules.base import SIDE_VIEWS, Fault, RepContext, Rule
from edge_trainer.exercise.rules.measures import min_elbow


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


EXERCISE = Exercise(
    name="push_up",
    label=3,
    concentric_first=False,
    velocity_point=SHOULDERS,
    angle=("left_shoulder", "left_elbow", "left_wrist"),
    rules=(
        Rule(
            "push_up_hip_sag",
            SIDE_VIEWS,
            _sag,
            0.15,
            True,
            "torso lengths below line",
            "a plank keeps the hip on the shoulder-ankle line; 0.15 torso lengths (~7 cm) "
            "below it is a visible sag, about twice the hip landmark's jitter",
            Fault("hips sagging", "Hips up"),
        ),
        Rule(
            "push_up_hip_pike",
            SIDE_VIEWS,
            _hip_offset,
            0.2,
            True,
            "torso lengths above line",
            "hips raised 0.2 torso lengths (~10 cm) above the line turn the plank into a "
            "pike; a little higher than the sag limit because glute shape lifts the hip "
            "landmark",
            Fault("hips piking up", "Hips down"),
        ),
        Rule(
            "push_up_partial",
            SIDE_VIEWS,
            min_elbow,
            110.0,
            True,
            "deg elbow at the bottom",
            "a full push-up bends the elbows to ~70-90 degrees; stopping above 110 is a partial",
            Fault("partial range", "Chest lower"),
        ),
    ),
    movers=("elbow", "forearm"),
    # Done with the trunk far from upright: getting down into a plank from standing is
    # not a push-up. Seen from the feet the body still leans (the nearer shoulders sit
    # lower in the image than the hips).
    posture_min_lean=50.0,
    spoken="push-up",
)
