"""Reverse lunge, alternating legs: one foot steps back and the back knee drops."""

from __future__ import annotations

import math

from edge_trainer.sim.geometry import FWD, UP, lerp, unit, v
from edge_trainer.sim.motions.base import ExerciseSpec, Posed, Rep, deg, hang_arms
from edge_trainer.sim.skeleton import Rig


def pose(rig: Rig, p: float, rep: Rep) -> Posed:
    """Lunge at depth ``p``; even reps keep the left foot in front."""
    b = rig.body
    s = b.height / 1.75
    d = p * rep.rom
    front, back = ("l", "r") if rep.index % 2 == 0 else ("r", "l")
    past = rep.has("lunge_knee_past_toes")
    bottom_z = -b.thigh * (0.3 if past else 0.85)
    bottom_y = b.shin + b.ankle_h + (0.0 if past else 0.05) * s
    y = lerp(b.hip_height * 0.985, bottom_y, d)
    trunk = rig.trunk(v(0.0, y, bottom_z * d), pitch=deg(4 + 6 * d))
    sg = {"l": 1.0, "r": -1.0}
    heel = v(sg[front] * b.hip_w * 0.55, 0.0, 0.0)
    rig.leg(trunk, front, rig.ankle_over(heel), unit(FWD + v(sg[front] * 0.2, 0, 0)))
    # The back foot travels back and rises onto its toes; it lifts while moving.
    tilt = deg(55) * d
    foot_fwd = unit(FWD * math.cos(tilt) - UP * math.sin(tilt))
    foot_up = unit(UP * math.cos(tilt) + FWD * math.sin(tilt))
    travel = min(1.0, d / 0.6)
    ankle = v(
        sg[back] * b.hip_w * 0.55,
        b.ankle_h + 0.11 * s * d + 0.07 * s * math.sin(math.pi * travel),
        lerp(0.0, bottom_z - 0.05 - b.shin * 0.95, d),
    )
    rig.leg(trunk, back, ankle, unit(FWD - UP * 0.3), foot_fwd, foot_up)
    hang_arms(rig, trunk, out=0.15)
    return rig.finish(trunk), []


SPEC = ExerciseSpec(
    name="lunge",
    pose=pose,
    out_s=1.2,
    back_s=1.0,
    faults={
        "lunge_knee_past_toes": "front knee travels well past the toes",
    },
)
