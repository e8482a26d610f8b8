"""Rep measurements that the rules of several exercises share (elbows, arms, trunk sway)."""

from __future__ import annotations

import numpy as np

from edge_trainer.exercise.rules.base import FloatArray, RepContext, extreme, range_of


def _arm(ctx: RepContext, joint: str, high: bool) -> float:
    """The working arm's extreme angle: the nearer arm from the side, else the fuller one."""
    if ctx.view == "side":
        return extreme(ctx.near(joint), high)
    both = ctx.both(joint)
    series = np.nanmax(both, axis=1) if high else np.nanmin(both, axis=1)
    return extreme(series, high)


def upper_arm_swing(ctx: RepContext) -> float:
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


def min_elbow(ctx: RepContext) -> float:
    """The working arm's most bent elbow, degrees: a curl's top, a press's bottom."""
    return _arm(ctx, "elbow", high=False)


def max_elbow(ctx: RepContext) -> float:
    """The working arm's straightest elbow angle, degrees: a lockout."""
    return _arm(ctx, "elbow", high=True)


def max_shoulder(ctx: RepContext) -> float:
    """The working arm's highest elevation from the trunk, degrees."""
    return _arm(ctx, "shoulder", high=True)


def trunk_sway(ctx: RepContext) -> float:
    """Range of the trunk's incline over the rep, degrees: body English."""
    return range_of(ctx.in_rep(_trunk_incline(ctx)))


def _trunk_incline(ctx: RepContext) -> FloatArray:
    """Signed trunk angle from vertical, degrees (lean in any direction the image shows)."""
    sh = ctx.trunk()
    return np.asarray(np.degrees(np.arctan2(sh[:, 0], sh[:, 1])))
