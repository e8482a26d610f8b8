"""Jumping jack: a small hop to feet wide with the arms overhead, and back."""

from __future__ import annotations

import math

from edge_trainer.sim.geometry import lerp, unit, v
from edge_trainer.sim.motions.base import ExerciseSpec, Posed, Rep, deg, stand_legs
from edge_trainer.sim.skeleton import Rig


def pose(rig: Rig, p: float, rep: Rep) -> Posed:
    """Jumping jack at ``p`` (0 closed, 1 open)."""
    b = rig.body
    s = b.height / 1.75
    d = p * rep.rom
    stance = lerp(1.0, 3.6, d)
    hop = 0.06 * s * math.sin(math.pi * d)
    dx = (stance - 1.0) * b.hip_w * 0.5
    y = b.ankle_h + math.sqrt(max(b.leg**2 - dx * dx, 0.01)) * 0.985 + hop
    trunk = rig.trunk(v(0.0, y, 0.0), pitch=deg(2))
    stand_legs(rig, trunk, stance=stance, toe_out=deg(20), knee_out=0.5, lift=hop)
    a = lerp(deg(10), deg(168), d)
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        upper = unit(-trunk.up * math.cos(a) + trunk.left * sgn * math.sin(a) + trunk.fwd * 0.1)
        fore = unit(upper + trunk.up * 0.25 * math.sin(a))
        palm = unit(trunk.fwd * 0.4 - trunk.left * sgn)
        rig.arm_dirs(trunk, side, upper, fore, palm, pole=-trunk.fwd)
    return rig.finish(trunk), []


SPEC = ExerciseSpec(
    name="jumping_jack",
    pose=pose,
    out_s=0.38,
    back_s=0.38,
    pause_turn_s=0.04,
    pause_start_s=0.06,
)
