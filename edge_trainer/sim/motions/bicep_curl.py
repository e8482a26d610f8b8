"""Standing dumbbell curl (palms up) and its hammer variant (palms in), both arms."""

from __future__ import annotations

import math

from edge_trainer.sim.geometry import lerp, unit, v
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
    """Curl at ``p`` (0 arms down, 1 fully curled)."""
    b = rig.body
    d = p * rep.rom * (0.45 if rep.has("bicep_curl_partial") else 1.0)
    swing = rep.has("bicep_curl_swing")
    trunk = rig.trunk(v(0.0, b.hip_height * 0.985, 0.0), pitch=-deg(12) * d if swing else deg(1))
    stand_legs(rig, trunk, stance=1.3, toe_out=deg(10))
    e = lerp(deg(8), deg(142), d)
    sw = deg(40) * d if swing else deg(3)
    props: list[Prop] = []
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        down, fwd = -trunk.up, trunk.fwd
        upper = unit(down * math.cos(sw) + fwd * math.sin(sw) + trunk.left * sgn * 0.07)
        perp = unit(fwd * math.cos(sw) - down * math.sin(sw))
        fore = unit(upper * math.cos(e) + perp * math.sin(e))
        if rep.variant == "hammer":
            palm = -trunk.left * sgn
        else:
            palm = unit(perp * math.cos(e) - upper * math.sin(e) - trunk.left * sgn * 0.2)
        rig.arm_dirs(trunk, side, upper, fore, palm, pole=-perp)
        props += dumbbell(trunk, side)
    return rig.finish(trunk), props


SPEC = ExerciseSpec(
    name="bicep_curl",
    pose=pose,
    out_s=1.0,
    back_s=1.3,
    faults={
        "bicep_curl_swing": "upper arm swings forward and the torso rocks back",
        "bicep_curl_partial": "curl stops well short of full elbow flexion",
    },
    variants=("hammer",),
)
