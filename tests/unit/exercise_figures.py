"""Stick figures in BlazePose layout for the exercise tests: poses built from joint angles."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from edge_trainer.pose.base import LANDMARK

Row = npt.NDArray[np.float64]

# Segment lengths in image heights for a person ~0.8 of the frame tall.
SHIN, THIGH, TRUNK, UPPER_ARM, FOREARM, HEAD = 0.21, 0.21, 0.25, 0.14, 0.13, 0.1


def _at(p: npt.NDArray[np.float64], dx: float, dy: float) -> npt.NDArray[np.float64]:
    return np.asarray(p + np.array([dx, dy]))


def _sin(d: float) -> float:
    return math.sin(math.radians(d))


def _cos(d: float) -> float:
    return math.cos(math.radians(d))


def side_pose(
    *,
    shin: float = 0.0,
    thigh: float = 0.0,
    trunk: float = 0.0,
    arm: float = 0.0,
    elbow: float = 0.0,
    neck: float = 0.0,
    x0: float = 0.5,
    ground: float = 0.92,
) -> Row:
    """A person seen from their left side, facing +x (image y points down).

    Args:
        shin: Shin tilt from vertical, degrees, knee forward.
        thigh: Thigh tilt from vertical, degrees, hip back (a squat bends both).
        trunk: Forward lean of the trunk from vertical, degrees (negative leans back).
        arm: Upper arm raised forward from hanging, degrees, relative to the trunk.
        elbow: Elbow flexion, degrees (0 straight).
        neck: Head bent forward from the line of the trunk, degrees.
        x0: Ankle x.
        ground: Ankle y.
    """
    ankle = np.array([x0, ground])
    knee = ankle + SHIN * np.array([_sin(shin), -_cos(shin)])
    hip = knee + THIGH * np.array([-_sin(thigh), -_cos(thigh)])
    shoulder = hip + TRUNK * np.array([_sin(trunk), -_cos(trunk)])
    a = arm + trunk  # absolute: 0 hanging down, 90 forward
    elbow_p = shoulder + UPPER_ARM * np.array([_sin(a), _cos(a)])
    f = a + elbow
    wrist = elbow_p + FOREARM * np.array([_sin(f), _cos(f)])
    head = shoulder + HEAD * np.array([_sin(trunk + neck), -_cos(trunk + neck)])
    joints = {
        "shoulder": shoulder, "elbow": elbow_p, "wrist": wrist, "hip": hip, "knee": knee,
        "ankle": ankle, "heel": _at(ankle, -0.02, 0.01), "foot_index": _at(ankle, 0.06, 0.01),
        "pinky": _at(wrist, 0.01, 0.02), "index": _at(wrist, 0.015, 0.02),
        "thumb": _at(wrist, 0.01, 0.01),
    }  # fmt: skip
    row = np.zeros((33, 4))
    for name, p in joints.items():
        for side, dx, vis in (("left", -0.004, 0.99), ("right", 0.004, 0.7)):
            i = LANDMARK[f"{side}_{name}"]
            row[i, :2] = _at(p, dx, 0.0)
            row[i, 3] = vis
    face = {
        "nose": _at(head, 0.04, 0.0), "left_eye_inner": _at(head, 0.03, -0.015),
        "left_eye": _at(head, 0.025, -0.015), "left_eye_outer": _at(head, 0.02, -0.015),
        "right_eye_inner": _at(head, 0.03, -0.015), "right_eye": _at(head, 0.025, -0.015),
        "right_eye_outer": _at(head, 0.02, -0.015), "left_ear": _at(head, -0.02, -0.005),
        "right_ear": _at(head, -0.02, -0.005), "mouth_left": _at(head, 0.03, 0.02),
        "mouth_right": _at(head, 0.03, 0.02),
    }  # fmt: skip
    for name, p in face.items():
        i = LANDMARK[name]
        row[i, :2] = p
        row[i, 3] = 0.95
    return row


def front_pose(
    *,
    knee_in: float = 0.0,
    stance: float = 0.09,
    arms: float = 10.0,
    elbow: float = 0.0,
    crouch: float = 0.0,
    lean: float = 0.0,
    x0: float = 0.5,
    ground: float = 0.92,
) -> Row:
    """A person facing the camera.

    Args:
        knee_in: How far each knee moves towards the midline, image units.
        stance: Half the distance between the ankles.
        arms: Arm abduction from hanging, degrees (180 = overhead).
        elbow: Elbow flexion, degrees.
        crouch: Squat depth 0..1 (the hips drop, the knees bend outwards over the feet).
        lean: Sideways trunk lean, degrees.
        x0: Midline x.
        ground: Ankle y.
    """
    row = np.zeros((33, 4))
    hip_y = ground - (SHIN + THIGH) * (1.0 - 0.45 * crouch)
    hip_w = 0.05
    shoulder_w = 0.09
    pts: dict[str, npt.NDArray[np.float64]] = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        # The subject's left appears on the image right when facing the camera.
        ankle = np.array([x0 + s * stance, ground])
        hip = np.array([x0 + s * hip_w, hip_y])
        knee = (ankle + hip) / 2 + (s * 0.04 * crouch - s * knee_in, 0.0)
        mid_hip = np.array([x0, hip_y])
        shoulder = mid_hip + TRUNK * np.array([_sin(lean), -_cos(lean)]) + (s * shoulder_w, 0)
        a = arms
        elbow_p = shoulder + UPPER_ARM * np.array([s * _sin(a), _cos(a)])
        f = a + elbow
        wrist = elbow_p + FOREARM * np.array([s * _sin(f), _cos(f)])
        pts.update({
            f"{side}_ankle": ankle, f"{side}_knee": knee, f"{side}_hip": hip,
            f"{side}_shoulder": shoulder, f"{side}_elbow": elbow_p, f"{side}_wrist": wrist,
            f"{side}_heel": _at(ankle, 0, 0.01), f"{side}_foot_index": _at(ankle, s * 0.02, 0.02),
            f"{side}_pinky": _at(wrist, 0, 0.02), f"{side}_index": _at(wrist, 0, 0.025),
            f"{side}_thumb": _at(wrist, 0, 0.015),
            f"{side}_eye_inner": np.zeros(2), f"{side}_eye": np.zeros(2),
            f"{side}_eye_outer": np.zeros(2), f"{side}_ear": np.zeros(2),
            f"mouth_{side}": np.zeros(2),
        })  # fmt: skip
    neck = (pts["left_shoulder"] + pts["right_shoulder"]) / 2
    head = neck + HEAD * np.array([_sin(lean), -_cos(lean)])
    pts["nose"] = head
    for side, s in (("left", 1.0), ("right", -1.0)):
        pts[f"{side}_eye_inner"] = _at(head, s * 0.01, -0.015)
        pts[f"{side}_eye"] = _at(head, s * 0.015, -0.015)
        pts[f"{side}_eye_outer"] = _at(head, s * 0.02, -0.015)
        pts[f"{side}_ear"] = _at(head, s * 0.035, -0.005)
        pts[f"mouth_{side}"] = _at(head, s * 0.01, 0.02)
    for name, p in pts.items():
        i = LANDMARK[name]
        row[i, :2] = p
        row[i, 3] = 0.98
    return row


def squat(depth: float) -> Row:
    """Side-view squat at depth 0 (standing) .. 1 (thighs about level)."""
    return side_pose(shin=35 * depth, thigh=85 * depth, trunk=38 * depth, arm=80 * depth)


def curl(flex: float) -> Row:
    """Side-view standing curl at 0 (arm straight) .. 1 (elbow closed to ~35 degrees)."""
    return side_pose(elbow=145 * flex)


def trajectory(
    phases: list[tuple[float, float, float]], fps: float = 30.0
) -> npt.NDArray[np.float64]:
    """Per-frame values of a 0..1 parameter moving through ``(from, to, seconds)`` phases.

    The parameter moves with a smooth cosine ease; a phase with ``from == to`` is a hold.
    """
    values: list[float] = []
    for a, b, secs in phases:
        n = max(1, round(secs * fps))
        s = (1 - np.cos(np.linspace(0, np.pi, n, endpoint=False))) / 2
        values.extend(a + (b - a) * s)
    return np.asarray(values)


def sequence(
    pose: Callable[[float], Row],
    phases: list[tuple[float, float, float]],
    fps: float = 30.0,
    rng: np.random.Generator | None = None,
    noise: float = 0.002,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Frames of a movement given as ``(from, to, seconds)`` phases (``trajectory``).

    Gaussian landmark noise of ``noise`` image units imitates pose jitter.
    """
    rng = rng or np.random.default_rng(0)
    rows = np.stack([pose(v) for v in trajectory(phases, fps)])
    rows[..., :2] += rng.normal(0.0, noise, rows[..., :2].shape)
    t = np.arange(len(rows)) / fps
    return rows, t


def reps(depths: list[float], down_s: float = 1.0, up_s: float = 1.0, hold_s: float = 0.0,
         rest_s: float = 0.3) -> list[tuple[float, float, float]]:  # fmt: skip
    """Phases for reps of the given depths, with an optional hold at the far end."""
    out: list[tuple[float, float, float]] = []
    for d in depths:
        out.append((0.0, d, down_s))
        if hold_s:
            out.append((d, d, hold_s))
        out.append((d, 0.0, up_s))
        if rest_s:
            out.append((0.0, 0.0, rest_s))
    return out


def set_joint(row: Row, side: str, name: str, p: npt.NDArray[np.float64]) -> None:
    """Move one landmark (``side`` 'left' or 'right', ``name`` e.g. 'knee') in place."""
    row[LANDMARK[f"{side}_{name}"], :2] = p


def lunge(depth: float, front_shin: float = 10.0) -> Row:
    """Side-view reverse lunge: the left leg in front, the right knee dropping behind."""
    row = side_pose(shin=front_shin * depth, thigh=80 * depth, arm=5)
    hip = row[LANDMARK["left_hip"], :2]
    back_knee = _at(hip, -0.12 * depth, THIGH * (1 - 0.3 * depth))
    back_ankle = _at(back_knee, -0.2 * depth - 0.02, 0.1 + 0.1 * (1 - depth))
    set_joint(row, "right", "knee", back_knee)
    set_joint(row, "right", "ankle", back_ankle)
    set_joint(row, "right", "heel", _at(back_ankle, -0.02, 0.0))
    set_joint(row, "right", "foot_index", _at(back_ankle, 0.05, 0.02))
    return row


def _two_link(
    root: npt.NDArray[np.float64], end: npt.NDArray[np.float64], bend: float
) -> npt.NDArray[np.float64]:
    """Elbow between shoulder ``root`` and wrist ``end``, bulging towards ``bend`` (+-1 x)."""
    d = end - root
    dist = float(np.hypot(*d))
    a, b = UPPER_ARM, FOREARM
    dist = min(dist, a + b - 1e-6)
    along = (a * a - b * b + dist * dist) / (2 * dist)
    h = math.sqrt(max(a * a - along * along, 0.0))
    u = d / max(dist, 1e-9)
    n = np.array([-u[1], u[0]])
    if n[0] * bend < 0:
        n = -n
    return np.asarray(root + u * along + n * h)


def plank(depth: float, hip: float = 0.0) -> Row:
    """Side-view push-up, head at +x; ``hip`` lifts the hips off the body line (- sags)."""
    floor = 0.9
    h = 0.265 - 0.165 * depth  # shoulder height over the floor
    ankle = np.array([0.15, floor - 0.02])
    shoulder = np.array([0.15 + 0.6, floor - h])
    line = shoulder - ankle
    normal = np.array([line[1], -line[0]]) / np.hypot(*line)  # points up (image -y)
    if normal[1] > 0:
        normal = -normal
    hip_p = ankle + 0.55 * line + normal * hip
    knee = (ankle + hip_p) / 2
    wrist = np.array([shoulder[0], floor])
    elbow = _two_link(shoulder, wrist, bend=-1.0)
    head = shoulder + 0.1 * line / np.hypot(*line)
    return _place_side(
        shoulder=shoulder, elbow=elbow, wrist=wrist, hip=hip_p, knee=knee, ankle=ankle, head=head
    )


def bench(extension: float) -> Row:
    """Side-view bench press lying along x; ``extension`` 0 bar on the chest .. 1 locked out."""
    shoulder = np.array([0.55, 0.7])
    wrist = _at(shoulder, 0.0, -(0.1 + 0.165 * extension))
    elbow = _two_link(shoulder, wrist, bend=-1.0)
    hip = np.array([0.3, 0.7])
    knee = np.array([0.12, 0.66])
    ankle = np.array([0.1, 0.85])
    head = np.array([0.65, 0.69])
    return _place_side(
        shoulder=shoulder, elbow=elbow, wrist=wrist, hip=hip, knee=knee, ankle=ankle, head=head
    )


def _place_side(
    *,
    shoulder: npt.NDArray[np.float64],
    elbow: npt.NDArray[np.float64],
    wrist: npt.NDArray[np.float64],
    hip: npt.NDArray[np.float64],
    knee: npt.NDArray[np.float64],
    ankle: npt.NDArray[np.float64],
    head: npt.NDArray[np.float64],
) -> Row:
    """A side-view row from its joints (both sides nearly on top of each other)."""
    row = side_pose()
    for name, p in (("shoulder", shoulder), ("elbow", elbow), ("wrist", wrist),
                    ("hip", hip), ("knee", knee), ("ankle", ankle)):  # fmt: skip
        for side, dx in (("left", -0.004), ("right", 0.004)):
            set_joint(row, side, name, _at(p, dx, 0.0))
    for side in ("left", "right"):
        set_joint(row, side, "foot_index", _at(ankle, 0.03, 0.02))
        set_joint(row, side, "heel", _at(ankle, -0.01, -0.02))
        set_joint(row, side, "ear", _at(head, -0.02, -0.01))
    row[LANDMARK["nose"], :2] = _at(head, 0.03, 0.01)
    return row


def rep_rows(pose: Callable[[float], Row], secs: float = 2.0) -> tuple[Row, int]:
    """One rep of ``pose`` from 0 to 1 and back, and the index of its far turning point."""
    rows, _ = sequence(pose, [(0, 0, 0.3), (0, 1, secs / 2), (1, 0, secs / 2), (0, 0, 0.3)],
                       noise=0.0005)  # fmt: skip
    return rows, round((0.3 + secs / 2) * 30)
