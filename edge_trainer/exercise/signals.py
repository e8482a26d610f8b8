"""The signals the rep counter follows: whole-body motion, or an exercise's joint angles.

Unknown movements are followed through the body landmarks around the hip centre. When
the exercise is known the counter also follows the joints the exercise moves (a curl's
elbows, a squat's knees and hips), so a fidgeting leg or a shifting stance does not blur
a set of curls. Angles are 2D, in radians; a side the camera cannot see is dropped by
the counter as a mostly-missing column.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise import geometry as geo

FloatArray = npt.NDArray[np.float64]

# The joints whose angles make the rep, per exercise.
PRIMARY_JOINTS: dict[str, tuple[str, ...]] = {
    "squat": ("knee", "hip"),
    "lunge": ("knee", "hip"),
    "deadlift": ("hip", "knee"),
    "push_up": ("elbow",),
    "bench_press": ("elbow",),
    "tricep_extension": ("elbow",),
    "shoulder_press": ("elbow", "shoulder"),
    "bicep_curl": ("forearm",),
    "pull_up": ("elbow", "shoulder"),
    "dumbbell_row": ("elbow",),
    "lateral_raise": ("shoulder",),
    "front_raise": ("shoulder",),
    "jumping_jack": ("shoulder",),
    "situp": ("trunk",),
}

# Whether the rest position has the primary joints open (large angles): a squat rests
# standing, a pull-up hanging, a sit-up lying; a press rests with the elbows bent and a
# raise or a jumping jack with the arms down (small shoulder angles).
REST_OPEN: dict[str, bool] = {
    "shoulder_press": False,
    "lateral_raise": False,
    "front_raise": False,
    "jumping_jack": False,
}

# Exercises done with the trunk far from upright, and the least lean (degrees from
# upright, hip to shoulder in the image) that frames must show to be counted: getting
# down into a plank from standing is not a push-up. Seen from the feet the body still
# leans (the nearer shoulders sit lower in the image than the hips).
POSTURE_MIN_LEAN: dict[str, float] = {"push_up": 50.0}

# Joints seen less clearly than this are left out: an occluded elbow's angle is a guess.
PRIMARY_MIN_VISIBILITY = 0.3


def _from_up(
    rows: FloatArray, starts: tuple[int, int], ends: tuple[int, int], seen: int
) -> FloatArray:
    """``(T, 2)`` radians between each side's start->end segment and straight up.

    Read from the segment's rise in the image against its longest image length in the
    sequence, so a segment swinging towards or away from the camera still shows its
    travel (its 2D direction alone barely changes). Images are y-down. A side whose
    ``seen`` landmark (index into ``starts``/``ends``: 0 the start, 1 the end) is seen
    less clearly than ``PRIMARY_MIN_VISIBILITY`` is NaN there.
    """
    pts = geo.as_points(rows, 0.0)
    out = np.full((len(pts), 2), np.nan)
    for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
        d = pts[:, end, :2] - pts[:, start, :2]
        full = geo.broadside_length(np.hypot(d[:, 0], d[:, 1]))
        if not full > 0:
            continue
        with np.errstate(invalid="ignore"):
            out[:, k] = np.arccos(np.clip(-d[:, 1] / full, -1.0, 1.0))
        if rows.shape[-1] >= 4:
            vis = rows[:, (start, end)[seen], 3]
            with np.errstate(invalid="ignore"):
                out[~(vis >= PRIMARY_MIN_VISIBILITY), k] = np.nan
    return out


def forearm_opening(rows: FloatArray) -> FloatArray:
    """``(T, 2)`` radians between each forearm and straight up: pi hanging, small curled.

    A curl filmed from the front swings the forearm towards the camera, and its 2D elbow
    angle barely moves until the hand passes the elbow; the forearm's rise shows the
    whole range (a half curl too). The elbow must be seen.
    """
    return _from_up(rows, (geo.L_ELBOW, geo.R_ELBOW), (geo.L_WRIST, geo.R_WRIST), 0)


def _trunk_recline(rows: FloatArray) -> FloatArray:
    """``(T, 2)`` radians between each side's hip-to-shoulder line and upright.

    pi/2 lying flat, near 0 sitting up, whether the camera sees the body from the side
    or from the feet (where the 2D hip angle folds to a few degrees on every frame). The
    shoulder must be seen.
    """
    return _from_up(rows, (geo.L_HIP, geo.R_HIP), (geo.L_SHOULDER, geo.R_SHOULDER), 1)


def _joint_angles(exercise: str, rows: FloatArray) -> FloatArray | None:
    """``(T, 2k)`` per primary joint: the smaller and the larger of the two sides' angles.

    Side-symmetric, so alternating legs (lunges) or a single working arm look the same
    every rep, and a mirrored view gives the same signal.
    """
    joints = PRIMARY_JOINTS.get(exercise)
    if not joints:
        return None
    a = geo.joint_angles(rows, "2d", min_visibility=0.0)
    if rows.shape[-1] >= 4:
        # Only the vertex must be seen: a hip hidden behind a hanging hand is still where
        # the thigh points, but an unseen knee's angle is the pose model's guess.
        vertex = np.array([v for _, _, v, _ in geo.ANGLES])
        with np.errstate(invalid="ignore"):
            a[~(rows[:, vertex, 3] >= PRIMARY_MIN_VISIBILITY)] = np.nan
    cols = []
    for j in joints:
        if j == "forearm":
            pair = forearm_opening(rows)
        elif j == "trunk":
            pair = _trunk_recline(rows)
        else:
            pair = np.radians(a[:, [geo.ANGLE_INDEX[f"left_{j}"], geo.ANGLE_INDEX[f"right_{j}"]]])
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # both sides unseen: NaN
            cols += [np.nanmin(pair, axis=1), np.nanmax(pair, axis=1)]
    return np.asarray(np.stack(cols, axis=1))


def in_posture(exercise: str | None, rows: npt.ArrayLike) -> npt.NDArray[np.bool_] | None:
    """``(T,)`` frames in the exercise's working posture, or None if it has no rule.

    A trunk seen end-on (under half its longest image length in the sequence: a plank
    filmed from the head or the feet) has no readable lean and is given the benefit of
    the doubt.
    """
    least = POSTURE_MIN_LEAN.get(exercise or "")
    if least is None:
        return None
    length = geo.torso_length(geo.as_points(rows, 0.0))
    with np.errstate(invalid="ignore"):
        end_on = length < 0.5 * geo.broadside_length(length)
        return np.asarray((geo.trunk_lean(rows, min_visibility=0.0) >= least) | end_on)


def joint_signal(exercise: str | None, rows: npt.ArrayLike) -> FloatArray | None:
    """``(T, 2k)`` radians the counter follows for a known exercise (``_joint_angles``).

    None for an exercise without primary joints (``unknown``: count the whole body).
    """
    return _joint_angles(exercise or "", np.asarray(rows, dtype=np.float64))


def rest_hint(exercise: str | None, angles: FloatArray | None) -> FloatArray | None:
    """``(T,)`` signal that is high in the exercise's rest position, or None.

    Args:
        exercise: The exercise (its ``REST_OPEN`` orientation).
        angles: Its ``joint_signal`` over the same frames, or None.
    """
    if angles is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(angles, axis=1)
    return np.asarray(mean if REST_OPEN.get(exercise or "", True) else -mean)


def motion_features(rows: npt.ArrayLike, min_visibility: float = 0.0) -> FloatArray:
    """``(T, 26)`` x, y of the body landmarks around the hip centre, in torso lengths.

    The scale is the sequence's median torso length, not each frame's: a torso seen
    end-on (lying, bending towards the camera) is short in some frames and dividing by it
    would blow those frames up. Mirroring is off because a facing estimate that flips
    between frames would look like a huge motion; counting needs only consistency.
    """
    pts = geo.as_points(rows, min_visibility)
    torso = geo.torso_length(pts)
    ok = np.isfinite(torso) & (torso > 0)
    scale = float(np.median(torso[ok])) if ok.any() else 1.0
    rel = pts[:, geo.BODY_LANDMARKS, :2] - geo.hip_centre(pts)[:, None, :2]
    return np.asarray(rel.reshape(len(pts), -1) / scale)


def usable_columns(feats: FloatArray, min_fraction: float = 0.6) -> npt.NDArray[np.bool_]:
    """Which feature columns are seen often enough to use (legs out of frame are not)."""
    present = np.isfinite(feats).mean(axis=0)
    return np.asarray(present >= min_fraction * max(float(present.max()), 1e-9))


def movers(axis: FloatArray, columns: npt.NDArray[np.bool_]) -> FloatArray:
    """Each body landmark's share of a movement along ``axis`` (``motion_features`` order).

    ``axis`` is a unit direction over the ``columns`` of the motion features in use; the
    result has one non-negative share per body landmark, summing to 1, so two movements
    of different parts of the body (legs, arms) have dissimilar shares.
    """
    full = np.zeros(len(columns))
    full[columns] = axis
    energy = (full.reshape(-1, 2) ** 2).sum(axis=1)
    total = float(energy.sum())
    return np.asarray(energy / total if total > 0 else energy)


def normalised_per_frame(pts: FloatArray) -> bool:
    """Whether every frame's landmarks were rescaled to span exactly 0..1 in x and y."""
    ok = np.isfinite(pts[..., 0]).any(axis=1)
    if not ok.any():
        return False
    lo = np.nanmin(pts[ok, :, :2], axis=1)
    hi = np.nanmax(pts[ok, :, :2], axis=1)
    return bool(np.allclose(lo, 0.0, atol=1e-3) and np.allclose(hi, 1.0, atol=1e-3))


def on_the_spot(arr: FloatArray, max_travel: float) -> Callable[[int, int], bool]:
    """A test that a rep (first, last frame) ends where it started in the image.

    The hip centre may be at most ``max_travel`` body heights from where the rep started
    when it ends: a rep returns to its start, a walker keeps going (walking is not a
    rep). Landmarks min-max normalised per frame carry no position and always pass.
    """
    pts = geo.as_points(arr, 0.0)
    hips = geo.hip_centre(pts)[:, :2]
    height = geo.sequence_body_height(pts)
    if normalised_per_frame(pts):
        # Each frame rescaled to its own bounding box: positions are gone, so is travel.
        height = float("nan")

    def check(start: int, end: int) -> bool:
        if not np.isfinite(height) or height <= 0:
            return True
        moved = float(np.linalg.norm(hips[end] - hips[start])) / height
        return not (np.isfinite(moved) and moved > max_travel)

    return check
