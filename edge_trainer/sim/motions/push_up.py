"""Push-up: a straight plank pivoting on the toes while the arms bend."""

from __future__ import annotations

import math

from edge_trainer.sim.geometry import FWD, UP, lerp, unit, v
from edge_trainer.sim.motions.base import ExerciseSpec, Posed, Rep, deg
from edge_trainer.sim.skeleton import Rig


def pose(rig: Rig, p: float, rep: Rep) -> Posed:
    """Push-up at depth ``p`` (0 arms straight, 1 chest near the floor)."""
    b = rig.body
    s = b.height / 1.75
    d = p * rep.rom * (0.38 if rep.has("push_up_partial") else 1.0)
    length = b.leg + b.lumbar + b.thoracic
    top = b.arm * 0.97 + 0.05 * s
    h = lerp(top, 0.2 * s, d)
    a_y = 0.2 * s
    elev = math.asin((h - a_y) / length)
    e_top = math.asin((top - a_y) / length)
    line = v(0.0, math.sin(elev), math.cos(elev))
    normal = v(0.0, math.cos(elev), -math.sin(elev))
    ankle_z = -0.5 * length
    offset = 0.0
    if rep.has("push_up_hip_sag"):
        offset = -0.14 * s
    elif rep.has("push_up_hip_pike"):
        offset = 0.22 * s
    ankle = v(0.0, a_y, ankle_z)
    pelvis = ankle + line * b.leg * (0.99 if offset > 0 else 1.0) + normal * offset
    neck = ankle + line * length
    axis = unit(neck - pelvis)
    pitch = math.atan2(float(axis[2]), float(axis[1]))
    # Eyes on the floor a little ahead of the hands, so the face shows from the front.
    trunk = rig.trunk(pelvis, pitch=pitch, neck=-deg(32))
    foot_fwd = v(0.0, -math.cos(elev), math.sin(elev))
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        rig.leg(trunk, side, ankle + v(sgn * b.hip_w * 0.35, 0, 0), -normal, foot_fwd, line)
    # Hands stay where they were planted under the shoulders at the top.
    shoulder_z = ankle_z + (length - 0.02 * s) * math.cos(e_top)
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        wrist = v(sgn * (b.shoulder_w * 0.5 + 0.07 * s), 0.035 * s, shoulder_z)
        rig.arm(trunk, side, wrist, v(sgn * 0.6, 0.0, -1.0), -UP, hand_dir=FWD)
    return rig.finish(trunk), []


SPEC = ExerciseSpec(
    name="push_up",
    pose=pose,
    out_s=1.0,
    back_s=0.8,
    faults={
        "push_up_hip_sag": "hips sag below the shoulder-ankle line",
        "push_up_hip_pike": "hips pike above the shoulder-ankle line",
        "push_up_partial": "push-up stops well short of the bottom",
    },
    lying=True,
)
