"""Deadlift with a barbell, touch-and-go from the top: hinge down to mid-shin, stand up."""

from __future__ import annotations

from edge_trainer.sim.geometry import UP, lerp, v
from edge_trainer.sim.motions.base import ExerciseSpec, Posed, Rep, barbell, deg, stand_legs
from edge_trainer.sim.skeleton import Rig


def pose(rig: Rig, p: float, rep: Rep) -> Posed:
    """Hinge at depth ``p`` (0 locked out, 1 bar at mid-shin)."""
    b = rig.body
    s = b.height / 1.75
    d = p * rep.rom
    rounded = rep.has("deadlift_back_round")
    pitch = lerp(0.0, deg(48 if rounded else 64), d)
    lumbar = deg(22) * d if rounded else 0.0
    thoracic = deg(34) * d if rounded else 0.0
    y = lerp(b.hip_height * 0.985, b.hip_height * 0.7, d)
    trunk = rig.trunk(
        v(0.0, y, -0.2 * s * d),
        pitch=pitch,
        lumbar=lumbar,
        thoracic=thoracic,
        neck=-(pitch + lumbar + thoracic) * 0.55,
    )
    stand_legs(rig, trunk, stance=1.15, toe_out=deg(8), knee_out=0.15)
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        sh = trunk.pts["shoulder_" + side]
        wrist = sh + v(sgn * 0.03, -b.arm * 0.98, 0.02)
        rig.arm(trunk, side, wrist, v(sgn * 0.5, 0.0, -1.0), -trunk.fwd, hand_dir=-UP)
    pts = rig.finish(trunk)
    # Iron plates, smaller than 45 cm bumpers: from the side a bumper plate hides the
    # hips, knees and hands for much of the rep, and the pose model loses the person.
    props = barbell(trunk.pts["hand_l"], trunk.pts["hand_r"], plate_r=0.16 * min(1.0, s))
    return pts, props


SPEC = ExerciseSpec(
    name="deadlift",
    pose=pose,
    out_s=1.4,
    back_s=1.2,
    pause_turn_s=0.3,
    faults={
        "deadlift_back_round": "back rounds instead of staying flat in the hinge",
    },
)
