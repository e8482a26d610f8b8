"""Pull-up on a bar: from a dead hang until the chin clears the bar."""

from __future__ import annotations

from edge_trainer.sim.geometry import FWD, UP, lerp, unit, v
from edge_trainer.sim.motions.base import STEEL, ExerciseSpec, Posed, Prop, Rep, deg
from edge_trainer.sim.skeleton import Rig


def bar_height(rig: Rig) -> float:
    """A bar the body hangs from with the feet clear of the floor."""
    b = rig.body
    return b.hip_height + b.lumbar + b.thoracic + b.arm + 0.2 * b.height / 1.75


def pose(rig: Rig, p: float, rep: Rep) -> Posed:
    """Pull-up at height ``p`` (0 hanging, 1 chin over the bar)."""
    b = rig.body
    s = b.height / 1.75
    d = p * rep.rom
    bar = bar_height(rig)
    neck_y = lerp(bar - b.arm * 0.96 - 0.02 * s, bar - 0.16 * s, d)
    lean = -deg(8 + 10 * d)
    pelvis = v(0.0, neck_y - (b.lumbar + b.thoracic) * 0.99, 0.05 * s * d)
    trunk = rig.trunk(pelvis, pitch=lean, neck=deg(-10) * d)
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        knee_bend = unit(-UP - FWD * 0.55 + v(sgn * 0.05, 0, 0))
        rig.leg(trunk, side, trunk.pts["hip_" + side] + knee_bend * b.leg * 0.86, FWD)
        wrist = v(sgn * (b.shoulder_w * 0.5 + 0.14 * s), bar - 0.03 * s, 0.0)
        rig.arm(trunk, side, wrist, v(sgn * 1.0, -0.8, 0.1), FWD, hand_dir=UP)
    # The uprights stand behind the bar so that no view puts one in front of the body.
    props = [Prop("capsule", v(-0.8, bar, 0.0), v(0.8, bar, 0.0), 0.018, STEEL)]
    for x in (-0.8, 0.8):
        props += [
            Prop("capsule", v(x, bar, 0.0), v(x, bar, -0.45), 0.02, STEEL),
            Prop("box", v(x - 0.035, 0.0, -0.49), v(x + 0.035, bar + 0.03, -0.42), 0.0, STEEL),
        ]
    return rig.finish(trunk), props


SPEC = ExerciseSpec(
    name="pull_up",
    pose=pose,
    out_s=1.0,
    back_s=1.3,
    pause_start_s=0.4,
)
