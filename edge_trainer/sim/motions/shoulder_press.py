"""Standing dumbbell shoulder press: from the shoulders to arms locked out overhead."""

from __future__ import annotations

from edge_trainer.sim.geometry import unit, v
from edge_trainer.sim.motions.base import (
    ExerciseSpec,
    Posed,
    Prop,
    Rep,
    deg,
    dumbbell,
    stand_legs,
)
from edge_trainer.sim.skeleton import Rig


def pose(rig: Rig, p: float, rep: Rep) -> Posed:
    """Press at ``p`` (0 dumbbells at the shoulders, 1 overhead)."""
    b = rig.body
    s = b.height / 1.75
    d = p * rep.rom
    arch = rep.has("shoulder_press_back_arch")
    trunk = rig.trunk(
        v(0.0, b.hip_height * 0.985, 0.03 * s if arch else 0.0),
        pitch=-deg(4 + 6 * d) if arch else deg(1),
        lumbar=-deg(10 + 12 * d) if arch else 0.0,
        neck=deg(12) if arch else 0.0,
    )
    stand_legs(rig, trunk, stance=1.5, toe_out=deg(12))
    reach = 0.8 if rep.has("shoulder_press_lockout") else 0.985
    props: list[Prop] = []
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        sh = trunk.pts["shoulder_" + side]
        # Elbows a little in front of the shoulders (the scapular plane), as people press.
        rack = (
            sh
            + trunk.left * sgn * b.upper_arm * 0.8
            + trunk.fwd * b.upper_arm * 0.4
            + trunk.up * b.forearm * 0.75
        )
        top = sh + trunk.left * sgn * 0.1 * s + trunk.up * b.arm * reach
        wrist = rack + (top - rack) * d
        rig.arm(
            trunk,
            side,
            wrist + trunk.fwd * 0.04 * s,
            unit(trunk.left * sgn + trunk.fwd * 0.4 - trunk.up * 0.7),
            trunk.fwd,
            hand_dir=trunk.up,
        )
        props += dumbbell(trunk, side, axis=trunk.left)
    return rig.finish(trunk), props


SPEC = ExerciseSpec(
    name="shoulder_press",
    pose=pose,
    out_s=1.0,
    back_s=1.3,
    faults={
        "shoulder_press_lockout": "press stops short of locking the arms out overhead",
        "shoulder_press_back_arch": "lower back arches and the torso leans back",
    },
)
