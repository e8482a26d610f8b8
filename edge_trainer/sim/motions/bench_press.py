"""Barbell bench press: lying on a bench, the bar lowered to the chest and pressed up."""

from __future__ import annotations

from edge_trainer.sim.geometry import FWD, UP, unit, v
from edge_trainer.sim.motions.base import ExerciseSpec, Posed, Rep, barbell, bench, deg
from edge_trainer.sim.skeleton import Rig

BENCH_H = 0.45


def pose(rig: Rig, p: float, rep: Rep) -> Posed:
    """Press at ``p`` (0 arms locked out, 1 bar on the chest)."""
    b = rig.body
    s = b.height / 1.75
    d = p * rep.rom
    pelvis = v(0.0, BENCH_H + 0.11 * s, 0.3)
    trunk = rig.trunk(pelvis, pitch=-deg(90), lumbar=-deg(6), thoracic=deg(3), neck=deg(5))
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        heel = v(sgn * 0.3 * s, 0.0, 0.3 + 0.5 * s)
        rig.leg(trunk, side, rig.ankle_over(heel), unit(UP + FWD * 0.5 + v(sgn * 0.3, 0, 0)))
    pts = trunk.pts
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        sh = pts["shoulder_" + side]
        top = sh + trunk.fwd * b.arm * 0.97 + trunk.left * sgn * 0.1 * s - trunk.up * 0.04
        chest = (
            pts["chest"] * 0.6
            + pts["neck"] * 0.4
            + trunk.fwd * (b.chest_d * 0.5 + 0.07 * s)
            + trunk.left * sgn * (b.shoulder_w * 0.5 + 0.12 * s)
        )
        wrist = top + (chest - top) * d
        rig.arm(
            trunk,
            side,
            wrist,
            unit(trunk.left * sgn - trunk.fwd * 0.6),
            -trunk.up,
            hand_dir=trunk.fwd,
        )
    props = bench(-0.75, 0.55, BENCH_H)
    # Light (5 kg) plates: seen from the side the near plate sits over the hands and, at
    # the bottom, the shoulder; with bigger ones the whole near arm is hidden and the
    # pose model guesses the wrists.
    props += barbell(trunk.pts["hand_l"], trunk.pts["hand_r"], plate_r=0.10)
    return rig.finish(trunk), props


SPEC = ExerciseSpec(
    name="bench_press",
    pose=pose,
    out_s=1.3,
    back_s=1.0,
    lying=True,
    head_on_camera=(1.6, 1.9),
    # About bar height: a lens higher up sees the nearer plate drawn down over the arm.
    side_camera=(0.9, 1.2),
)
