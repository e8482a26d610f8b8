"""Sit-up: from lying on the back, knees bent, up to sitting, arms reaching to the knees."""

from __future__ import annotations

import math

from edge_trainer.sim.geometry import UP, lerp, unit, v
from edge_trainer.sim.motions.base import ExerciseSpec, Posed, Rep, deg
from edge_trainer.sim.skeleton import Rig


def pose(rig: Rig, p: float, rep: Rep) -> Posed:
    """Sit-up at height ``p`` (0 lying, 1 sitting up)."""
    b = rig.body
    s = b.height / 1.75
    d = p * rep.rom
    curl = math.sin(math.pi * min(1.0, d * 1.3))
    pelvis = v(0.0, 0.1 * s, 0.0)
    trunk = rig.trunk(
        pelvis,
        pitch=lerp(-deg(86), -deg(8), d),
        thoracic=deg(18) * curl,
        neck=deg(10) + deg(20) * curl,
    )
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        heel = v(sgn * b.hip_w * 0.6, 0.0, 0.62 * s)
        rig.leg(trunk, side, rig.ankle_over(heel), unit(UP + v(sgn * 0.15, 0, 0)))
    for side in ("l", "r"):
        sh = trunk.pts["shoulder_" + side]
        reach = unit(trunk.pts["knee_" + side] - sh)
        rig.arm(trunk, side, sh + reach * b.arm * 0.95, -trunk.fwd, -trunk.left)
    return rig.finish(trunk), []


SPEC = ExerciseSpec(
    name="situp",
    pose=pose,
    out_s=1.1,
    back_s=1.1,
    lying=True,
)
