"""Form rules for the arm lifts: curls, extensions, presses, raises and rows."""

from __future__ import annotations

import numpy as np

from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.rules.base import (
    ALL_VIEWS,
    FRONT_VIEWS,
    SIDE_VIEWS,
    FloatArray,
    RepContext,
    Rule,
    extreme,
    lean_forward,
    range_of,
)


def _arm(ctx: RepContext, joint: str, high: bool) -> float:
    """The working arm's extreme angle: the nearer arm from the side, else the fuller one."""
    if ctx.view == "side":
        return extreme(ctx.near(joint), high)
    both = ctx.both(joint)
    series = np.nanmax(both, axis=1) if high else np.nanmin(both, axis=1)
    return extreme(series, high)


def _upper_arm_swing(ctx: RepContext) -> float:
    """Range of the shoulder angle (trunk to upper arm) over the rep, degrees."""
    if ctx.view == "side":
        return range_of(ctx.in_rep(ctx.near("shoulder")))
    return float(
        np.nanmax(
            [
                range_of(ctx.in_rep(ctx.angle("left_shoulder"))),
                range_of(ctx.in_rep(ctx.angle("right_shoulder"))),
            ]
        )
    )


def _min_elbow(ctx: RepContext) -> float:
    return _arm(ctx, "elbow", high=False)


def _max_elbow(ctx: RepContext) -> float:
    return _arm(ctx, "elbow", high=True)


def _max_shoulder(ctx: RepContext) -> float:
    return _arm(ctx, "shoulder", high=True)


def _back_lean(ctx: RepContext) -> float:
    """Largest backward trunk lean of the rep, degrees (positive = leaning back).

    Seen at 45 degrees with the far shoulder hidden, the trunk line runs from the near
    hip to the near shoulder, and the shoulders' extra width over the hips tilts it
    backward by several degrees on an upright body. The lean is then counted from the
    start of the rep (when that reads as backward): what is left is the arch the press
    adds, and an arch held from the first frame goes unflagged in that one case.
    """
    lean = lean_forward(ctx)
    start = 0.0
    head = slice(ctx.rest, ctx.rest + 3)
    one_sided = np.isnan(ctx.pts[head, [geo.L_SHOULDER, geo.R_SHOULDER], 0]).any()
    if ctx.view == "45" and one_sided:
        first = lean[head][np.isfinite(lean[head])]
        start = min(float(np.median(first)), 0.0) if first.size else 0.0
    return -(extreme(lean, high=False) - start)


def _trunk_sway(ctx: RepContext) -> float:
    """Range of the trunk's incline over the rep, degrees: body English."""
    return range_of(ctx.in_rep(_trunk_incline(ctx)))


def _trunk_incline(ctx: RepContext) -> FloatArray:
    """Signed trunk angle from vertical, degrees (lean in any direction the image shows)."""
    sh = ctx.trunk()
    return np.asarray(np.degrees(np.arctan2(sh[:, 0], sh[:, 1])))


RULES = (
    Rule(
        "bicep_curl_swing",
        "bicep_curl",
        SIDE_VIEWS,
        _upper_arm_swing,
        12.0,
        True,
        "deg upper-arm travel",
        "in a strict curl the elbow stays pinned and the upper arm drifts under ~10 "
        "degrees; past 12 (drift plus a couple of degrees of landmark noise) the shoulder "
        "or a swing is helping lift the weight",
    ),
    Rule(
        "bicep_curl_partial",
        "bicep_curl",
        SIDE_VIEWS,
        _min_elbow,
        75.0,
        True,
        "deg elbow at the top",
        "a full curl closes the elbow to 30-50 degrees; stopping above 75 is a partial curl",
    ),
    Rule(
        "tricep_extension_partial",
        "tricep_extension",
        SIDE_VIEWS,
        _max_elbow,
        150.0,
        False,
        "deg elbow at full extension",
        "a full extension opens the elbow to 165-180 degrees; under 150 the arm never straightened",
    ),
    Rule(
        "tricep_extension_elbow_drift",
        "tricep_extension",
        SIDE_VIEWS,
        _upper_arm_swing,
        30.0,
        True,
        "deg upper-arm travel",
        "only the forearm should move; the upper arm drifting 30+ degrees brings the "
        "shoulder into the lift",
    ),
    Rule(
        "shoulder_press_lockout",
        "shoulder_press",
        ALL_VIEWS,
        _max_elbow,
        160.0,
        False,
        "deg elbow at the top",
        "locked-out arms overhead read 165-180 degrees; under 160 the press stopped short",
    ),
    Rule(
        "shoulder_press_back_arch",
        "shoulder_press",
        SIDE_VIEWS,
        _back_lean,
        10.0,
        True,
        "deg backward lean",
        "a standing press keeps the trunk within ~5 degrees of vertical; leaning back more "
        "than 10 turns it into an incline press off an arched lower back",
    ),
    Rule(
        "lateral_raise_low",
        "lateral_raise",
        FRONT_VIEWS,
        _max_shoulder,
        75.0,
        False,
        "deg arm elevation",
        "a lateral raise lifts the arms to shoulder height (~90 degrees from the trunk); "
        "15 degrees short of it is a visible miss, well beyond the landmarks' noise",
    ),
    Rule(
        "lateral_raise_swing",
        "lateral_raise",
        ALL_VIEWS,
        _trunk_sway,
        18.0,
        True,
        "deg trunk sway",
        "standing still the trunk sways under ~10 degrees (breathing, balance, landmark "
        "noise); rocking 18+ degrees is the lifter throwing the weight up with momentum",
    ),
    Rule(
        "front_raise_low",
        "front_raise",
        SIDE_VIEWS,
        _max_shoulder,
        75.0,
        False,
        "deg arm elevation",
        "a front raise lifts the arms to shoulder height (~90 degrees from the trunk); "
        "15 degrees short of it is a visible miss, well beyond the landmarks' noise",
    ),
    Rule(
        "front_raise_swing",
        "front_raise",
        SIDE_VIEWS,
        _trunk_sway,
        18.0,
        True,
        "deg trunk sway",
        "standing still the trunk sways under ~10 degrees (breathing, balance, landmark "
        "noise); rocking 18+ degrees is the lifter throwing the weight up with momentum",
    ),
    Rule(
        "dumbbell_row_partial",
        "dumbbell_row",
        frozenset(("side",)),
        _min_elbow,
        100.0,
        True,
        "deg elbow at the top",
        "rowing the weight to the hip bends the elbow to ~70-90 degrees; above 100 it "
        "stopped short",
    ),
    Rule(
        "dumbbell_row_torso_rise",
        "dumbbell_row",
        SIDE_VIEWS,
        _trunk_sway,
        20.0,
        True,
        "deg trunk travel",
        "the trunk should stay still in the hinge; rising 20+ degrees per rep is using "
        "the back to heave the weight",
    ),
)
