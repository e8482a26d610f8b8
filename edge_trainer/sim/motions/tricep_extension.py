"""Overhead tricep extension: one dumbbell in both hands lowered behind the head."""

from __future__ import annotations

import math

from edge_trainer.sim.geometry import lerp, unit, v
from edge_trainer.sim.motions.base import (
    IRON,
    STEEL,
    ExerciseSpec,
    Posed,
    Prop,
    Rep,
    deg,
    stand_legs,
)
from edge_trainer.sim.skeleton import Rig


def pose(rig: Rig, p: float, rep: Rep) -> Posed:
    """Extension at ``p`` (0 arms straight overhead, 1 forearms down behind the head)."""
    b = rig.body
    d = p * rep.rom
    trunk = rig.trunk(v(0.0, b.hip_height * 0.985, 0.0), pitch=deg(2))
    stand_legs(rig, trunk, stance=1.4, toe_out=deg(10))
    e = lerp(deg(12), deg(140), d)
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        upper = unit(trunk.up + trunk.fwd * 0.18 + trunk.left * sgn * 0.1)
        back = unit(-trunk.fwd - trunk.left * sgn * 0.25)
        fore = unit(upper * math.cos(e) + back * math.sin(e))
        rig.arm_dirs(trunk, side, upper, fore, -trunk.left * sgn, pole=trunk.fwd)
    pts = trunk.pts
    centre = (pts["hand_l"] + pts["hand_r"]) / 2
    axis = unit(pts["hand_l"] - pts["wrist_l"] + pts["hand_r"] - pts["wrist_r"])
    a, c = centre - axis * 0.1, centre + axis * 0.1
    props = [
        Prop("capsule", a, c, 0.014, STEEL),
        Prop("capsule", a - axis * 0.02, a + axis * 0.02, 0.055, IRON),
        Prop("capsule", c - axis * 0.02, c + axis * 0.02, 0.055, IRON),
    ]
    return rig.finish(trunk), props


SPEC = ExerciseSpec(
    name="tricep_extension",
    pose=pose,
    out_s=1.2,
    back_s=1.0,
)
