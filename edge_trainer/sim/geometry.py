"""Small 3D helpers: rotations, normalisation and two-bone inverse kinematics."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Vec = npt.NDArray[np.float64]

UP: Vec = np.array([0.0, 1.0, 0.0])
FWD: Vec = np.array([0.0, 0.0, 1.0])
LEFT: Vec = np.array([1.0, 0.0, 0.0])


def v(x: float, y: float, z: float) -> Vec:
    """A 3-vector."""
    return np.array([x, y, z], dtype=np.float64)


def unit(a: Vec) -> Vec:
    """``a`` scaled to length 1 (or returned unchanged if it is zero)."""
    n = float(np.linalg.norm(a))
    return a / n if n > 1e-12 else a


def rx(a: float) -> Vec:
    """Rotation about x: positive tips +y towards +z (a forward lean)."""
    c, s = math.cos(a), math.sin(a)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def ry(a: float) -> Vec:
    """Rotation about y (vertical): positive turns +z towards +x."""
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rz(a: float) -> Vec:
    """Rotation about z: positive tips +y towards -x."""
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def rot(axis: Vec, a: float) -> Vec:
    """Rotation by ``a`` radians about ``axis`` (Rodrigues)."""
    k = unit(axis)
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.asarray(np.eye(3) + math.sin(a) * kx + (1.0 - math.cos(a)) * (kx @ kx))


def lerp(a: float, b: float, t: float) -> float:
    """Linear interpolation."""
    return a + (b - a) * t


def smooth(t: float) -> float:
    """Smoothstep on [0, 1]: eases in and out, so joints accelerate like muscles do."""
    t = min(1.0, max(0.0, t))
    return t * t * (3.0 - 2.0 * t)


def two_bone(root: Vec, target: Vec, l1: float, l2: float, pole: Vec) -> tuple[Vec, Vec]:
    """Middle joint and end point of a two-bone limb reaching for ``target``.

    The end stops short when the target is out of reach; the middle joint bends towards
    ``pole`` (a direction, not a point).
    """
    d_vec = target - root
    d = float(np.linalg.norm(d_vec))
    d = min(max(d, abs(l1 - l2) + 1e-4, 1e-4), (l1 + l2) * 0.9995)
    axis = unit(d_vec) if np.linalg.norm(d_vec) > 1e-9 else -UP
    a = (l1 * l1 - l2 * l2 + d * d) / (2.0 * d)
    h = math.sqrt(max(l1 * l1 - a * a, 0.0))
    p = pole - axis * float(pole @ axis)
    if np.linalg.norm(p) < 1e-6:  # pole along the limb: pick any perpendicular
        p = np.cross(axis, LEFT if abs(axis[0]) < 0.9 else FWD)
    p = unit(p)
    mid = root + axis * a + p * h
    return mid, root + axis * d
