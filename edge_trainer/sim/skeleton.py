"""A posable 3D skeleton: trunk by angles, limbs by inverse kinematics, BlazePose points."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from edge_trainer.sim.body import Body
from edge_trainer.sim.geometry import FWD, UP, Vec, rx, ry, rz, two_bone, unit, v

JOINTS = (
    "pelvis", "hip_l", "hip_r", "knee_l", "knee_r", "ankle_l", "ankle_r", "heel_l", "heel_r",
    "toe_l", "toe_r", "chest", "neck", "head", "shoulder_l", "shoulder_r", "elbow_l", "elbow_r",
    "wrist_l", "wrist_r", "hand_l", "hand_r", "thumb_l", "thumb_r", "pinky_l", "pinky_r",
    "index_l", "index_r", "nose", "eye_inner_l", "eye_l", "eye_outer_l", "eye_inner_r", "eye_r",
    "eye_outer_r", "ear_l", "ear_r", "mouth_l", "mouth_r", "crown",
)  # fmt: skip
J = {name: i for i, name in enumerate(JOINTS)}

# BlazePose's 33 landmarks in order, as skeleton joints.
BLAZEPOSE_JOINTS = (
    "nose", "eye_inner_l", "eye_l", "eye_outer_l", "eye_inner_r", "eye_r", "eye_outer_r",
    "ear_l", "ear_r", "mouth_l", "mouth_r", "shoulder_l", "shoulder_r", "elbow_l", "elbow_r",
    "wrist_l", "wrist_r", "pinky_l", "pinky_r", "index_l", "index_r", "thumb_l", "thumb_r",
    "hip_l", "hip_r", "knee_l", "knee_r", "ankle_l", "ankle_r", "heel_l", "heel_r",
    "toe_l", "toe_r",
)  # fmt: skip
BLAZEPOSE_INDEX = np.array([J[n] for n in BLAZEPOSE_JOINTS], dtype=np.intp)

# Parent of every joint (pelvis is the root), in an order where parents come first.
PARENT = {
    "hip_l": "pelvis", "hip_r": "pelvis", "knee_l": "hip_l", "knee_r": "hip_r",
    "ankle_l": "knee_l", "ankle_r": "knee_r", "heel_l": "ankle_l", "heel_r": "ankle_r",
    "toe_l": "ankle_l", "toe_r": "ankle_r", "chest": "pelvis", "neck": "chest", "head": "neck",
    "shoulder_l": "neck", "shoulder_r": "neck", "elbow_l": "shoulder_l",
    "elbow_r": "shoulder_r", "wrist_l": "elbow_l", "wrist_r": "elbow_r", "hand_l": "wrist_l",
    "hand_r": "wrist_r", "thumb_l": "wrist_l", "thumb_r": "wrist_r", "pinky_l": "wrist_l",
    "pinky_r": "wrist_r", "index_l": "wrist_l", "index_r": "wrist_r",
    "nose": "head", "eye_inner_l": "head", "eye_l": "head", "eye_outer_l": "head",
    "eye_inner_r": "head", "eye_r": "head", "eye_outer_r": "head", "ear_l": "head",
    "ear_r": "head", "mouth_l": "head", "mouth_r": "head", "crown": "head",
}  # fmt: skip
BONES = tuple((J[p], J[c]) for c, p in PARENT.items())

Points = npt.NDArray[np.float64]

# Face points in head units (x left, y up, z forward), radius 1.
_FACE = {
    "nose": (0.0, -0.12, 1.08),
    "eye_inner_l": (0.17, 0.15, 0.94), "eye_l": (0.33, 0.16, 0.9),
    "eye_outer_l": (0.5, 0.15, 0.82), "eye_inner_r": (-0.17, 0.15, 0.94),
    "eye_r": (-0.33, 0.16, 0.9), "eye_outer_r": (-0.5, 0.15, 0.82),
    "ear_l": (0.98, 0.0, -0.08), "ear_r": (-0.98, 0.0, -0.08),
    "mouth_l": (0.24, -0.5, 0.84), "mouth_r": (-0.24, -0.5, 0.84), "crown": (0.0, 1.0, 0.0),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Trunk:
    """Pelvis, spine and head placed; the limbs attach to it."""

    pts: dict[str, Vec]
    pelvis_frame: Vec
    upper_frame: Vec

    @property
    def fwd(self) -> Vec:
        """Where the chest faces."""
        return self.upper_frame @ FWD

    @property
    def up(self) -> Vec:
        """Along the upper spine, towards the head."""
        return self.upper_frame @ UP

    @property
    def left(self) -> Vec:
        """Towards the body's left side."""
        return self.upper_frame @ v(1.0, 0.0, 0.0)


class Rig:
    """Poses one body. Angles in radians; positions in stage metres (y up, facing +z)."""

    def __init__(self, body: Body) -> None:
        self.body = body

    def trunk(
        self,
        pelvis: Vec,
        *,
        yaw: float = 0.0,
        pitch: float = 0.0,
        roll: float = 0.0,
        lumbar: float = 0.0,
        thoracic: float = 0.0,
        side: float = 0.0,
        twist: float = 0.0,
        neck: float = 0.0,
        head_yaw: float = 0.0,
    ) -> Trunk:
        """Place pelvis, spine, shoulders and head.

        Args:
            pelvis: Point midway between the hip joints.
            yaw: Facing direction about the vertical (0 faces +z).
            pitch: Whole-body tilt forward (pi/2 lies face down, -pi/2 on the back).
            roll: Tilt to the side.
            lumbar: Lower-spine flexion (negative arches the back).
            thoracic: Upper-spine flexion (positive rounds the back).
            side: Side bend of the spine (positive bends to the right).
            twist: Spine rotation (positive turns the chest to the left).
            neck: Neck flexion (positive looks down).
            head_yaw: Head turn (positive looks to the left).
        """
        b = self.body
        rp = ry(yaw) @ rx(pitch) @ rz(roll)
        rl = rp @ rx(lumbar) @ rz(side * 0.5) @ ry(twist * 0.5)
        ru = rl @ rx(thoracic) @ rz(side * 0.5) @ ry(twist * 0.5)
        rh = ru @ rx(neck) @ ry(head_yaw)
        pts: dict[str, Vec] = {"pelvis": pelvis}
        pts["hip_l"] = pelvis + rp @ v(b.hip_w / 2, 0.0, 0.0)
        pts["hip_r"] = pelvis + rp @ v(-b.hip_w / 2, 0.0, 0.0)
        pts["chest"] = pelvis + rl @ v(0.0, b.lumbar, 0.0)
        pts["neck"] = pts["chest"] + ru @ v(0.0, b.thoracic, 0.0)
        drop = 0.012 * b.height
        pts["shoulder_l"] = pts["neck"] + ru @ v(b.shoulder_w / 2, -drop, -0.01)
        pts["shoulder_r"] = pts["neck"] + ru @ v(-b.shoulder_w / 2, -drop, -0.01)
        head = pts["neck"] + rh @ v(0.0, b.neck + b.head_r * 0.8, 0.02 * b.height / 1.75)
        pts["head"] = head
        for name, (x, y, z) in _FACE.items():
            pts[name] = head + rh @ v(x, y, z) * b.head_r
        return Trunk(pts, rp, ru)

    def arm(  # noqa: PLR0917 - posing calls read best positionally
        self,
        trunk: Trunk,
        side: str,
        wrist: Vec,
        pole: Vec,
        palm: Vec,
        hand_dir: Vec | None = None,
    ) -> None:
        """Reach the wrist for ``wrist`` with the elbow bending towards ``pole``.

        Args:
            trunk: The trunk to attach to (its points are extended in place).
            side: ``"l"`` or ``"r"``.
            wrist: Target wrist position.
            pole: Direction the elbow points.
            palm: Direction the palm faces (sets where the thumb is).
            hand_dir: Direction from wrist to knuckles; along the forearm when None.
        """
        b = self.body
        p = trunk.pts
        elbow, w = two_bone(p["shoulder_" + side], wrist, b.upper_arm, b.forearm, pole)
        p["elbow_" + side], p["wrist_" + side] = elbow, w
        d = unit(hand_dir) if hand_dir is not None else unit(w - elbow)
        # The palm is taken square to the hand so the thumb keeps its distance from the wrist.
        palm = unit(palm - d * float(palm @ d))
        thumb_side = unit(np.cross(d, palm) * (-1.0 if side == "l" else 1.0))
        h = b.hand
        s = b.height / 1.75
        p["hand_" + side] = w + d * 0.5 * h
        p["index_" + side] = w + d * 0.8 * h + thumb_side * 0.018 * s
        p["pinky_" + side] = w + d * 0.68 * h - thumb_side * 0.028 * s
        p["thumb_" + side] = w + d * 0.38 * h + thumb_side * 0.045 * s + palm * 0.012 * s

    def arm_dirs(  # noqa: PLR0917 - posing calls read best positionally
        self, trunk: Trunk, side: str, upper: Vec, fore: Vec, palm: Vec, pole: Vec | None = None
    ) -> None:
        """Place an arm by its segment directions instead of a target."""
        b = self.body
        sh = trunk.pts["shoulder_" + side]
        wrist = sh + unit(upper) * b.upper_arm + unit(fore) * b.forearm
        elbow_dir = pole if pole is not None else unit(upper) - unit(fore)
        self.arm(trunk, side, wrist, elbow_dir, palm)

    def leg(  # noqa: PLR0917 - posing calls read best positionally
        self,
        trunk: Trunk,
        side: str,
        ankle: Vec,
        pole: Vec,
        foot_fwd: Vec = FWD,
        foot_up: Vec = UP,
    ) -> None:
        """Reach the ankle for ``ankle``; the knee bends towards ``pole``."""
        b = self.body
        p = trunk.pts
        knee, a = two_bone(p["hip_" + side], ankle, b.thigh, b.shin, pole)
        p["knee_" + side], p["ankle_" + side] = knee, a
        fwd, up = unit(foot_fwd), unit(foot_up)
        heel = a - up * b.ankle_h * 0.8 - fwd * 0.045 * b.height / 1.75
        p["heel_" + side] = heel
        p["toe_" + side] = heel + fwd * b.foot + up * 0.01

    def ankle_over(self, heel: Vec, foot_fwd: Vec = FWD, foot_up: Vec = UP) -> Vec:
        """Ankle position that puts the heel at ``heel`` (the inverse of ``leg``'s foot)."""
        b = self.body
        back = unit(foot_fwd) * 0.045 * b.height / 1.75
        return np.asarray(heel + unit(foot_up) * b.ankle_h * 0.8 + back)

    def finish(self, trunk: Trunk) -> Points:
        """The ``(len(JOINTS), 3)`` array; every joint must have been placed."""
        return np.array([trunk.pts[name] for name in JOINTS], dtype=np.float64)


def bone_lengths(points: Points) -> npt.NDArray[np.float64]:
    """Length of every bone in ``BONES`` order."""
    idx = np.array(BONES)
    return np.asarray(np.linalg.norm(points[idx[:, 1]] - points[idx[:, 0]], axis=1))


def blend(a: Points, b: Points, t: float, lengths: npt.NDArray[np.float64]) -> Points:
    """Interpolate two poses of one body, keeping every bone its own length."""
    mixed = a + (b - a) * t
    out = mixed.copy()
    for k, (p, c) in enumerate(BONES):
        out[c] = out[p] + unit(mixed[c] - mixed[p]) * lengths[k]
    return out


# Joint limits as interior angles in degrees: (a, vertex, c, smallest, largest).
JOINT_LIMITS = (
    ("shoulder_l", "elbow_l", "wrist_l", 25.0, 180.0),
    ("shoulder_r", "elbow_r", "wrist_r", 25.0, 180.0),
    ("hip_l", "knee_l", "ankle_l", 35.0, 180.0),
    ("hip_r", "knee_r", "ankle_r", 35.0, 180.0),
    ("chest", "neck", "head", 95.0, 180.0),
)


def limit_violations(points: Points) -> list[str]:
    """Joints of a pose outside ``JOINT_LIMITS``, or knees bent backwards."""
    out = []
    for a, b, c, lo, hi in JOINT_LIMITS:
        u = unit(points[J[a]] - points[J[b]])
        w = unit(points[J[c]] - points[J[b]])
        ang = float(np.degrees(np.arccos(np.clip(u @ w, -1.0, 1.0))))
        if not lo - 1e-6 <= ang <= hi + 1e-6:
            out.append(f"{b} at {ang:.0f} deg")
    for side in ("l", "r"):
        hip, knee, ankle = (points[J[n + "_" + side]] for n in ("hip", "knee", "ankle"))
        toe_dir = unit(points[J["toe_" + side]] - points[J["heel_" + side]])
        bend = knee - (hip + ankle) / 2
        # A knee may only bend towards where the foot points (small slack for straight legs).
        if float(np.linalg.norm(bend)) > 0.03 and float(unit(bend) @ toe_dir) < -0.3:
            out.append(f"knee_{side} bends backwards")
    return out
