"""Pose geometry: normalisation, joint angles, camera view and body height. Pure numpy.

Every function takes landmark arrays with any leading shape: ``(..., 33, C)`` where the
columns are x, y (image coordinates, y down), z and optionally visibility, as in
``Pose.as_row()`` and the landmark ``.npy`` files. Missing or unmapped landmarks are NaN
and stay NaN through every computation, so callers decide how to treat gaps.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from edge_trainer.pose.base import LANDMARK

FloatArray = npt.NDArray[np.float64]
View = Literal["front", "45", "side"]

# BlazePose's landmarks per person.
N_LANDMARKS = 33
# Columns of a landmark row: x and y, then z, then visibility when the source has them.
XY, XYZ, XYZV = 2, 3, 4
# Dimensions of one frame's landmarks, (33, columns), and of a sequence of them.
ROW_NDIM, SEQUENCE_NDIM = 2, 3
# Lengths shorter than this are zero: no direction or scale can be read from them.
TINY = 1e-9

NOSE = LANDMARK["nose"]
L_EAR, R_EAR = LANDMARK["left_ear"], LANDMARK["right_ear"]
L_SHOULDER, R_SHOULDER = LANDMARK["left_shoulder"], LANDMARK["right_shoulder"]
L_ELBOW, R_ELBOW = LANDMARK["left_elbow"], LANDMARK["right_elbow"]
L_WRIST, R_WRIST = LANDMARK["left_wrist"], LANDMARK["right_wrist"]
L_HIP, R_HIP = LANDMARK["left_hip"], LANDMARK["right_hip"]
L_KNEE, R_KNEE = LANDMARK["left_knee"], LANDMARK["right_knee"]
L_ANKLE, R_ANKLE = LANDMARK["left_ankle"], LANDMARK["right_ankle"]
L_HEEL, R_HEEL = LANDMARK["left_heel"], LANDMARK["right_heel"]
L_FOOT, R_FOOT = LANDMARK["left_foot_index"], LANDMARK["right_foot_index"]

# Landmarks that carry the body's motion; face and hand details add only noise.
BODY_LANDMARKS = (
    NOSE, L_SHOULDER, R_SHOULDER, L_ELBOW, R_ELBOW, L_WRIST, R_WRIST,
    L_HIP, R_HIP, L_KNEE, R_KNEE, L_ANKLE, R_ANKLE,
)  # fmt: skip

# Left/right pairs, used to mirror a pose.
MIRROR_PAIRS = (
    (1, 4), (2, 5), (3, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16), (17, 18),
    (19, 20), (21, 22), (23, 24), (25, 26), (27, 28), (29, 30), (31, 32),
)  # fmt: skip
MIRROR_INDEX = np.arange(33)
for _a, _b in MIRROR_PAIRS:
    MIRROR_INDEX[_a], MIRROR_INDEX[_b] = _b, _a

# Joint angles as (name, a, vertex, c): the angle at ``vertex`` between a and c.
ANGLES = (
    ("left_elbow", L_SHOULDER, L_ELBOW, L_WRIST),
    ("right_elbow", R_SHOULDER, R_ELBOW, R_WRIST),
    ("left_shoulder", L_HIP, L_SHOULDER, L_ELBOW),
    ("right_shoulder", R_HIP, R_SHOULDER, R_ELBOW),
    ("left_hip", L_SHOULDER, L_HIP, L_KNEE),
    ("right_hip", R_SHOULDER, R_HIP, R_KNEE),
    ("left_knee", L_HIP, L_KNEE, L_ANKLE),
    ("right_knee", R_HIP, R_KNEE, R_ANKLE),
    ("left_ankle", L_KNEE, L_ANKLE, L_FOOT),
    ("right_ankle", R_KNEE, R_ANKLE, R_FOOT),
)
ANGLE_NAMES = tuple(a[0] for a in ANGLES)
ANGLE_INDEX = {name: i for i, name in enumerate(ANGLE_NAMES)}

# Visibility below which a landmark is treated as missing. BlazePose reports ~0.9+ for
# clearly visible joints and drops below 0.5 when a joint is occluded or out of frame.
MIN_VISIBILITY = 0.5
# z (BlazePose relative depth) is only trusted for joints seen this clearly; the depth
# estimate of a half-occluded joint is a guess that can swing an angle by 30 degrees.
Z_TRUST_VISIBILITY = 0.8

# Camera view from the shoulder width seen relative to the torso length. An adult's
# shoulder landmarks are about 0.7 torso lengths apart facing the camera; the width
# shrinks with the cosine of the body's yaw. The boundaries sit at 25 and 65 degrees.
FRONT_MIN_RATIO = 0.7 * float(np.cos(np.radians(25.0)))
SIDE_MAX_RATIO = 0.7 * float(np.cos(np.radians(65.0)))


def as_points(rows: npt.ArrayLike, min_visibility: float = MIN_VISIBILITY) -> FloatArray:
    """Landmark rows to ``(..., 33, 3)`` float64 x, y, z with poorly seen points set to NaN.

    Args:
        rows: ``(..., 33, 3)`` or ``(..., 33, 4)``; a 4th column is visibility.
        min_visibility: Points seen less clearly than this become NaN (4-column input).
    """
    arr = np.asarray(rows, dtype=np.float64)
    if arr.ndim < ROW_NDIM or arr.shape[-2] != N_LANDMARKS or arr.shape[-1] < XY:
        raise ValueError(f"expected landmarks shaped (..., 33, 3 or 4), got {arr.shape}")
    pts = np.full((*arr.shape[:-1], 3), np.nan)
    pts[..., : min(3, arr.shape[-1])] = arr[..., :3]
    if arr.shape[-1] >= XYZV:
        vis = arr[..., 3]
        low = ~(vis >= min_visibility)  # NaN visibility counts as unseen only if x is NaN
        low &= ~(np.isnan(vis) & np.isfinite(arr[..., 0]))
        pts[low] = np.nan
    if arr.shape[-1] == XY:
        pts[..., 2] = 0.0
    return pts


def _mid(pts: FloatArray, a: int, b: int) -> FloatArray:
    """Midpoint of two landmarks; the visible one alone when the other is missing."""
    pa, pb = pts[..., a, :], pts[..., b, :]
    mid = (pa + pb) / 2.0
    mid = np.where(np.isnan(pa), pb, mid)
    return np.where(np.isnan(pb), pa, mid)


def hip_centre(pts: FloatArray) -> FloatArray:
    """``(..., 3)`` midpoint of the hips."""
    return _mid(pts, L_HIP, R_HIP)


def shoulder_centre(pts: FloatArray) -> FloatArray:
    """``(..., 3)`` midpoint of the shoulders."""
    return _mid(pts, L_SHOULDER, R_SHOULDER)


def torso_length(pts: FloatArray) -> FloatArray:
    """``(...)`` 2D distance from hip centre to shoulder centre, in input units."""
    d = shoulder_centre(pts)[..., :2] - hip_centre(pts)[..., :2]
    return np.asarray(np.hypot(d[..., 0], d[..., 1]))


def body_height(pts: FloatArray) -> FloatArray:
    """``(...)`` length of the body along its segments (ankle-knee-hip-shoulder-nose), 2D.

    The path length does not shrink when the person bends (a squat or a push-up keeps
    it), only when segments point at the camera. It is about 0.85 of standing height.
    Per side the longer leg is used, since foreshortening only ever shortens.
    """

    def seg(a: int, b: int) -> FloatArray:
        d = pts[..., a, :2] - pts[..., b, :2]
        return np.asarray(np.hypot(d[..., 0], d[..., 1]))

    left = seg(L_ANKLE, L_KNEE) + seg(L_KNEE, L_HIP)
    right = seg(R_ANKLE, R_KNEE) + seg(R_KNEE, R_HIP)
    leg = np.fmax(left, right)
    d = shoulder_centre(pts)[..., :2] - pts[..., NOSE, :2]
    neck = np.hypot(d[..., 0], d[..., 1])
    return np.asarray(leg + torso_length(pts) + neck)


def broadside_length(lengths: FloatArray, percentile: float = 95.0, min_frames: int = 3) -> float:
    """A segment's image length seen broadside: a high percentile of its lengths over a
    sequence, so a few frames with a misplaced landmark do not set it.

    NaN with fewer than ``min_frames`` frames that have the segment.
    """
    ok = np.isfinite(lengths)
    return float(np.percentile(lengths[ok], percentile)) if ok.sum() >= min_frames else np.nan


def sequence_body_height(pts: FloatArray) -> float:
    """Body height over a ``(T, 33, 3)`` sequence: the 90th percentile of the frames.

    A high percentile rather than the median, because frames where a segment points at
    the camera underestimate it. NaN if no frame has the needed landmarks.
    """
    h = body_height(pts)
    h = h[np.isfinite(h)]
    return float(np.percentile(h, 90)) if h.size else float("nan")


def facing_sign(pts: FloatArray) -> FloatArray:
    """``(...)`` +1 if the person faces image +x (right), -1 if -x, from nose vs ears.

    In a front view the nose sits between the ears and the sign follows which shoulder is
    on which side instead, so a mirrored front view also maps to one canonical form.
    """
    ears = _mid(pts, L_EAR, R_EAR)
    across = pts[..., NOSE, 0] - ears[..., 0]
    shoulders = pts[..., L_SHOULDER, 0] - pts[..., R_SHOULDER, 0]
    scale = np.fmax(torso_length(pts), 1e-9)
    sideways = np.abs(across) > 0.15 * scale
    sign = np.where(sideways, np.sign(across), np.sign(shoulders))
    return np.where(sign == 0, 1.0, np.nan_to_num(sign, nan=1.0))


def normalize(
    rows: npt.ArrayLike,
    mirror: bool = True,
    min_visibility: float = MIN_VISIBILITY,
    anchor_visibility: float | None = None,
) -> FloatArray:
    """Landmarks invariant to position, scale (camera distance) and left/right mirroring.

    The hip centre moves to the origin, lengths are divided by the torso length
    (shoulder centre to hip centre, as in the MATEC/DeepFit normalisation), y is flipped
    to point up, and with ``mirror`` the pose is reflected (x negated, left and right
    landmarks swapped) so the person always faces +x; z is scaled like x. Facing the
    camera there is no direction to canonicalise: a mirrored front view stays the mirror
    image of the pose (average a model over both if it must not care).

    Args:
        rows: ``(..., 33, 3|4)`` landmarks in image coordinates.
        mirror: Canonicalise the facing direction.
        min_visibility: Landmarks seen less clearly are treated as missing.
        anchor_visibility: The same threshold for the hips and shoulders that place and
            scale the pose (default ``min_visibility``). Lower lets a hip hidden behind
            a hanging arm, whose position the pose model still estimates well, anchor
            the frame instead of losing it.

    Returns:
        ``(..., 33, 3)`` float64; NaN where the input was missing or the torso unseen.
    """
    pts = as_points(rows, min_visibility)
    anchor = pts if anchor_visibility is None else as_points(rows, anchor_visibility)
    centre = hip_centre(anchor)
    scale = torso_length(anchor)
    scale = np.where(scale > TINY, scale, np.nan)
    out = (pts - centre[..., None, :]) / scale[..., None, None]
    out[..., 1] *= -1.0
    if mirror:
        sign = facing_sign(pts)
        flip = sign < 0
        if np.any(flip):
            mirrored = out[..., MIRROR_INDEX, :].copy()
            mirrored[..., 0] *= -1.0
            out = np.where(flip[..., None, None], mirrored, out)
    return np.asarray(out)


def _angle(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Angle at b in degrees between rays b->a and b->c, any dimension."""
    u, v = a - b, c - b
    nu = np.linalg.norm(u, axis=-1)
    nv = np.linalg.norm(v, axis=-1)
    cos = np.sum(u * v, axis=-1) / np.fmax(nu * nv, 1e-12)
    ang = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return np.asarray(np.where((nu > TINY) & (nv > TINY), ang, np.nan))


def joint_angle(pts: FloatArray, a: int, vertex: int, c: int, use_z: bool = False) -> FloatArray:
    """``(...)`` angle in degrees at landmark ``vertex`` between ``a`` and ``c``."""
    dims = 3 if use_z else 2
    return _angle(pts[..., a, :dims], pts[..., vertex, :dims], pts[..., c, :dims])


def joint_angles(
    rows: npt.ArrayLike,
    mode: Literal["2d", "3d", "auto"] = "2d",
    min_visibility: float = MIN_VISIBILITY,
) -> FloatArray:
    """``(..., len(ANGLES))`` joint angles in degrees, in ``ANGLE_NAMES`` order.

    Args:
        rows: ``(..., 33, 3|4)`` landmarks.
        mode: ``2d`` uses x, y only (what the image shows); ``3d`` adds z; ``auto`` uses
            z only where all three joints have visibility >= ``Z_TRUST_VISIBILITY``
            (needs the visibility column), else the 2D angle.
        min_visibility: Landmarks seen less clearly are treated as missing.
    """
    arr = np.asarray(rows, dtype=np.float64)
    pts = as_points(arr, min_visibility)
    out = np.empty((*pts.shape[:-2], len(ANGLES)))
    for k, (_, a, v, c) in enumerate(ANGLES):
        flat = joint_angle(pts, a, v, c, use_z=False)
        if mode == "2d":
            out[..., k] = flat
            continue
        deep = joint_angle(pts, a, v, c, use_z=True)
        if mode == "3d" or arr.shape[-1] < XYZV:
            out[..., k] = deep if mode == "3d" else flat
            continue
        vis = arr[..., [a, v, c], 3]
        trusted = np.all(vis >= Z_TRUST_VISIBILITY, axis=-1) & np.isfinite(deep)
        out[..., k] = np.where(trusted, deep, flat)
    return out


def trunk_lean(rows: npt.ArrayLike, min_visibility: float = MIN_VISIBILITY) -> FloatArray:
    """``(...)`` degrees between the hip->shoulder line and image vertical (0 = upright)."""
    pts = as_points(rows, min_visibility)
    d = shoulder_centre(pts)[..., :2] - hip_centre(pts)[..., :2]
    return np.asarray(np.degrees(np.arctan2(np.abs(d[..., 0]), -d[..., 1])))


def segment_incline(
    rows: npt.ArrayLike, a: int, b: int, min_visibility: float = MIN_VISIBILITY
) -> FloatArray:
    """``(...)`` degrees of the a->b segment above image horizontal (-90 down .. 90 up)."""
    pts = as_points(rows, min_visibility)
    d = pts[..., b, :2] - pts[..., a, :2]
    return np.asarray(np.degrees(np.arctan2(-d[..., 1], np.abs(d[..., 0]))))


def view_ratio(rows: npt.ArrayLike, min_visibility: float = MIN_VISIBILITY) -> FloatArray:
    """``(...)`` shoulder width over torso length in 2D (about 0.7 facing the camera).

    0 when only one shoulder is seen (the other hidden behind the body); NaN when
    neither is.
    """
    pts = as_points(rows, min_visibility)
    d = pts[..., L_SHOULDER, :2] - pts[..., R_SHOULDER, :2]
    width = np.hypot(d[..., 0], d[..., 1])
    # One shoulder seen and the other not: it is hidden behind the body, a side view.
    left = np.isfinite(pts[..., L_SHOULDER, 0])
    right = np.isfinite(pts[..., R_SHOULDER, 0])
    width = np.where(left ^ right, 0.0, width)
    return np.asarray(width / np.fmax(torso_length(pts), 1e-9))


def estimate_view(rows: npt.ArrayLike, min_visibility: float = MIN_VISIBILITY) -> View:
    """The camera view of a pose or a sequence (median over frames): front, 45 or side.

    Lying or bending poses foreshorten the torso, which raises the ratio, so a person
    lying along the camera axis reads as ``front`` (the camera sees them head-on).
    """
    ratio = view_ratio(rows, min_visibility)
    ratio = np.atleast_1d(ratio)
    ratio = ratio[np.isfinite(ratio)]
    if ratio.size == 0:
        return "front"
    r = float(np.median(ratio))
    if r >= FRONT_MIN_RATIO:
        return "front"
    if r <= SIDE_MAX_RATIO:
        return "side"
    return "45"


def visible_side(rows: npt.ArrayLike) -> Literal["left", "right"]:
    """The body side nearer the camera (higher mean visibility; left if no visibility)."""
    arr = np.asarray(rows, dtype=np.float64)
    if arr.shape[-1] < XYZV:
        return "left"
    left = np.nanmean(arr[..., [L_SHOULDER, L_ELBOW, L_HIP, L_KNEE, L_ANKLE], 3])
    right = np.nanmean(arr[..., [R_SHOULDER, R_ELBOW, R_HIP, R_KNEE, R_ANKLE], 3])
    if np.isnan(right) or (np.isfinite(left) and left >= right):
        return "left"
    return "right"
