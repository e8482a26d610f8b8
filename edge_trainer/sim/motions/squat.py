"""Bodyweight squat: hips back and down, arms reach forward for balance."""

from __future__ import annotations

import math

from edge_trainer.sim.geometry import UP, lerp, unit, v
from edge_trainer.sim.motions.base import ExerciseSpec, Posed, Rep, deg, stand_legs
from edge_trainer.sim.skeleton import Rig


def pose(rig: Rig, p: float, rep: Rep) -> Posed:
    """Squat at depth ``p`` (0 standing, 1 thighs parallel)."""
    b = rig.body
    s = b.height / 1.75
    d = p * rep.rom * (0.42 if rep.has("squat_shallow") else 1.0)
    lean_max = deg(68) if rep.has("squat_torso_lean") else deg(38)
    back = (0.42 if rep.has("squat_torso_lean") else 0.3) * s
    y = lerp(b.hip_height * 0.985, b.shin + b.ankle_h + 0.03 * s, d)
    lean = lerp(deg(4), lean_max, d)
    trunk = rig.trunk(v(0.0, y, -back * d), pitch=lean, thoracic=deg(6) * d, neck=-lean * 0.6)
    valgus = 1.0 * d if rep.has("squat_knee_valgus") else 0.0
    stand_legs(rig, trunk, stance=1.7, toe_out=deg(15), knee_out=0.35, valgus=valgus)
    raise_ = lerp(deg(15), deg(85), d)
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        sh = trunk.pts["shoulder_" + side]
        direction = unit(v(sgn * 0.12, -math.cos(raise_), math.sin(raise_)))
        rig.arm(trunk, side, sh + direction * b.arm * 0.96, v(sgn * 0.3, -1.0, 0.0), -UP)
    return rig.finish(trunk), []


SPEC = ExerciseSpec(
    name="squat",
    pose=pose,
    out_s=1.3,
    back_s=1.0,
    faults={
        "squat_shallow": "squat stops well above parallel (hips stay above the knees)",
        "squat_knee_valgus": "knees cave in towards each other at the bottom",
        "squat_torso_lean": "torso leans too far forward at the bottom",
    },
)
