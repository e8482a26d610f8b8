"""Non-exercise movement, labelled ``rest``: standing, walking, stretching, picking up, sitting."""

from __future__ import annotations

import math

from edge_trainer.sim.geometry import FWD, UP, lerp, smooth, unit, v
from edge_trainer.sim.motions.base import Posed, Prop, deg, dumbbell, hang_arms, stand_legs
from edge_trainer.sim.skeleton import Rig

ACTIVITIES = ("stand", "walk", "stretch", "pick_up", "sit")

GAIT_CYCLE_S = 1.05
STANCE = 0.6  # fraction of the gait cycle a foot is on the floor


def stride(rig: Rig) -> float:
    """Distance covered in one gait cycle (two steps), metres."""
    return 0.72 * rig.body.height


def walk_speed(rig: Rig) -> float:
    """Metres per second of the walk below."""
    return stride(rig) / GAIT_CYCLE_S


def stand(rig: Rig, t: float, seed: float = 0.0) -> Posed:
    """Idle standing: a little sway, breathing and a look around."""
    b = rig.body
    sway = math.sin(2 * math.pi * (t / 4.1 + seed))
    trunk = rig.trunk(
        v(0.015 * sway, b.hip_height * 0.985 - 0.004 * (1 + math.sin(2 * math.pi * t / 3.3)), 0),
        roll=deg(1.5) * sway,
        head_yaw=deg(20) * math.sin(2 * math.pi * (t / 7.0 + seed * 0.7)),
    )
    stand_legs(rig, trunk, stance=1.2, toe_out=deg(12))
    hang_arms(rig, trunk, out=0.12)
    return rig.finish(trunk), []


def walk(rig: Rig, t: float, seed: float = 0.0) -> Posed:
    """Walking forward along +z; the pelvis is at ``z = walk_speed * t``.

    A planted foot stays put on the floor: relative to the pelvis it moves back by the
    distance the pelvis travels during the stance, then swings forward through the air.
    """
    b = rig.body
    reach = stride(rig) * STANCE / 2
    z = walk_speed(rig) * t
    cyc = t / GAIT_CYCLE_S + seed
    bob = 0.015 * b.height / 1.75 * math.cos(4 * math.pi * cyc)
    trunk = rig.trunk(
        v(0.0, b.hip_height * 0.95 + bob, z),
        pitch=deg(3),
        twist=deg(6) * math.sin(2 * math.pi * cyc),
    )
    for side, sgn, off in (("l", 1.0, 0.0), ("r", -1.0, 0.5)):
        ph = (cyc + off) % 1.0
        if ph < STANCE:
            fz = lerp(reach, -reach, ph / STANCE)
            lift = 0.0
        else:
            u = (ph - STANCE) / (1.0 - STANCE)
            fz = lerp(-reach, reach, smooth(u))
            lift = 0.1 * b.height / 1.75 * math.sin(math.pi * u)
        ankle = v(sgn * b.hip_w * 0.5, b.ankle_h + lift, z + fz)
        rig.leg(trunk, side, ankle, FWD)
        swing = deg(22) * math.cos(2 * math.pi * (ph + 0.5))
        sh = trunk.pts["shoulder_" + side]
        direction = unit(v(sgn * 0.1, -math.cos(swing), math.sin(swing)))
        rig.arm(trunk, side, sh + direction * b.arm * 0.95, -FWD, -v(sgn, 0, 0))
    return rig.finish(trunk), []


def stretch(rig: Rig, t: float, seed: float = 0.0) -> Posed:
    """Arms overhead, leaning slowly from side to side."""
    b = rig.body
    up = smooth(min(t / 1.2, 1.0))
    bend = deg(18) * math.sin(2 * math.pi * t / 4.0) * up
    trunk = rig.trunk(v(0.0, b.hip_height * 0.985, 0.0), side=bend)
    stand_legs(rig, trunk, stance=1.5, toe_out=deg(12))
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        sh = trunk.pts["shoulder_" + side]
        low = sh + unit(-trunk.up + trunk.left * sgn * 0.15) * b.arm * 0.96
        high = sh + unit(trunk.up + trunk.left * sgn * 0.12) * b.arm * 0.96
        rig.arm(trunk, side, low + (high - low) * up, -trunk.fwd, trunk.left * -sgn)
    return rig.finish(trunk), []


def pick_up(rig: Rig, t: float, seed: float = 0.0, seconds: float = 3.0) -> Posed:
    """Bend down, pick two dumbbells off the floor and stand up with them."""
    b = rig.body
    s = b.height / 1.75
    u = min(max(t / seconds, 0.0), 1.0)
    d = smooth(min(u / 0.45, 1.0)) if u < 0.55 else smooth((1.0 - u) / 0.45)
    trunk = rig.trunk(
        v(0.0, lerp(b.hip_height * 0.985, b.hip_height * 0.62, d), -0.15 * s * d),
        pitch=deg(60) * d,
        thoracic=deg(15) * d,
        neck=-deg(30) * d,
    )
    stand_legs(rig, trunk, stance=1.5, toe_out=deg(15), knee_out=0.4)
    props: list[Prop] = []
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        sh = trunk.pts["shoulder_" + side]
        rig.arm(trunk, side, sh - UP * b.arm * 0.96 + v(sgn * 0.05, 0, 0.05), -FWD, -v(sgn, 0, 0))
        if u >= 0.5:
            props += dumbbell(trunk, side)
    if u < 0.5:
        for sgn in (1.0, -1.0):
            c = v(sgn * 0.3 * s, 0.045, 0.25 * s)
            props.append(Prop("capsule", c - v(0.09, 0, 0), c + v(0.09, 0, 0), 0.045, (55, 55, 60)))
    return rig.finish(trunk), props


def sit(rig: Rig, t: float, seed: float = 0.0) -> Posed:
    """Sitting on a bench, forearms on the thighs, looking around."""
    b = rig.body
    s = b.height / 1.75
    trunk = rig.trunk(
        v(0.0, 0.45 + 0.1 * s, -0.05),
        pitch=deg(18),
        head_yaw=deg(25) * math.sin(2 * math.pi * (t / 6.0 + seed)),
        neck=-deg(10),
    )
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        heel = v(sgn * 0.2 * s, 0.0, b.thigh + 0.02)
        rig.leg(trunk, side, rig.ankle_over(heel), unit(FWD + UP * 0.3))
    for side in ("l", "r"):
        p = trunk.pts
        wrist = p["knee_" + side] * 0.65 + p["hip_" + side] * 0.35 + UP * 0.06
        rig.arm(trunk, side, wrist, -trunk.fwd - UP, -UP)
    return rig.finish(trunk), _side_bench()


def _side_bench() -> list[Prop]:
    """A bench across the sitter (along x), under the hips."""
    return [
        Prop("box", v(-0.7, 0.38, -0.2), v(0.7, 0.45, 0.12), 0.0, (25, 25, 30)),
        Prop("box", v(-0.6, 0.0, -0.08), v(-0.52, 0.38, 0.0), 0.0, (165, 168, 175)),
        Prop("box", v(0.52, 0.0, -0.08), v(0.6, 0.38, 0.0), 0.0, (165, 168, 175)),
    ]
