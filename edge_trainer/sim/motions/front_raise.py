"""Dumbbell front raise: straight arms forward up to shoulder height."""

from __future__ import annotations

import math

from edge_trainer.sim.geometry import lerp, unit, v
from edge_trainer.sim.motions.base import ExerciseSpec, Posed, Prop, Rep, deg, dumbbell, stand_legs
from edge_trainer.sim.skeleton import Rig


def pose(rig: Rig, p: float, rep: Rep) -> Posed:
    """Raise at ``p`` (0 arms down, 1 arms level with the shoulders)."""
    b = rig.body
    d = p * rep.rom
    trunk = rig.trunk(v(0.0, b.hip_height * 0.985, 0.0), pitch=-deg(2) * d)
    stand_legs(rig, trunk, stance=1.3, toe_out=deg(10))
    a = lerp(deg(6), deg(92), d)
    props: list[Prop] = []
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        upper = unit(-trunk.up * math.cos(a) + trunk.fwd * math.sin(a) + trunk.left * sgn * 0.1)
        fore = unit(upper + trunk.up * 0.08)
        palm = unit(-trunk.fwd * math.cos(a) - trunk.up * math.sin(a))
        rig.arm_dirs(trunk, side, upper, fore, palm, pole=-trunk.left * sgn - trunk.up * 0.2)
        props += dumbbell(trunk, side)
    return rig.finish(trunk), props


SPEC = ExerciseSpec(
    name="front_raise",
    pose=pose,
    out_s=1.0,
    back_s=1.3,
)
