"""Bent-over dumbbell row, both arms: torso hinged forward, elbows pulled back."""

from __future__ import annotations

from edge_trainer.sim.geometry import UP, v
from edge_trainer.sim.motions.base import ExerciseSpec, Posed, Prop, Rep, deg, dumbbell, stand_legs
from edge_trainer.sim.skeleton import Rig


def pose(rig: Rig, p: float, rep: Rep) -> Posed:
    """Row at ``p`` (0 arms hanging, 1 dumbbells at the lower ribs)."""
    b = rig.body
    s = b.height / 1.75
    d = p * rep.rom
    pitch = deg(58)
    trunk = rig.trunk(v(0.0, b.hip_height * 0.9, -0.16 * s), pitch=pitch, neck=-pitch * 0.55)
    stand_legs(rig, trunk, stance=1.3, toe_out=deg(10), knee_out=0.2)
    props: list[Prop] = []
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        sh = trunk.pts["shoulder_" + side]
        hang = sh - UP * b.arm * 0.97 + v(sgn * 0.02, 0.0, 0.0)
        pts = trunk.pts
        top = (
            pts["pelvis"] * 0.45
            + pts["chest"] * 0.55
            + trunk.fwd * (b.chest_d * 0.5 + 0.06 * s)
            + trunk.left * sgn * b.shoulder_w * 0.45
        )
        wrist = hang + (top - hang) * d
        rig.arm(
            trunk,
            side,
            wrist,
            -trunk.fwd - trunk.up * 0.3 + trunk.left * sgn * 0.2,
            -trunk.left * sgn,
        )
        props += dumbbell(trunk, side)
    return rig.finish(trunk), props


SPEC = ExerciseSpec(
    name="dumbbell_row",
    pose=pose,
    out_s=0.9,
    back_s=1.2,
)
