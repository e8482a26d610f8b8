"""What the rep counter reads from the landmarks: whole-body motion, posture, travel.

Every movement is followed through the body landmarks around the hip centre, in torso
lengths (``motion_features``); the exercise, when known, only says in which posture its
set is done (``in_posture``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise import catalogue
from edge_trainer.exercise import geometry as geo

FloatArray = npt.NDArray[np.float64]


def in_posture(exercise: str | None, rows: npt.ArrayLike) -> npt.NDArray[np.bool_] | None:
    """``(T,)`` frames in the exercise's working posture, or None if it has no rule.

    The posture is the catalogue's least trunk lean (a push-up only in a plank).

    A trunk seen end-on (under half its longest image length in the sequence: a plank
    filmed from the head or the feet) has no readable lean and is given the benefit of
    the doubt.
    """
    entry = catalogue.get(exercise)
    least = entry.posture_min_lean if entry is not None else None
    if least is None:
        return None
    length = geo.torso_length(geo.as_points(rows, 0.0))
    with np.errstate(invalid="ignore"):
        end_on = length < 0.5 * geo.broadside_length(length)
        return np.asarray((geo.trunk_lean(rows, min_visibility=0.0) >= least) | end_on)


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


# Positions in ``motion_features``' landmark order of each left/right pair.
_PAIRS = ((1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12))


def symmetric_features(feats: FloatArray) -> FloatArray:
    """``(T, 26)``: ``motion_features`` with each left/right pair replaced by its average.

    A movement that alternates sides (lunges, alternating curls, crunches twisting to
    either knee) repeats as a whole body only every second rep; the average of the two
    sides repeats every rep. For a movement of both sides together it is the same
    movement. Both sides keep their columns (each the pair's average), so shares of the
    movement stay per landmark.
    """
    pts = np.array(feats.reshape(len(feats), -1, 2), copy=True)
    for a, b in _PAIRS:
        mean = (pts[:, a] + pts[:, b]) / 2
        pts[:, a] = pts[:, b] = mean
    return np.asarray(pts.reshape(len(feats), -1))


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
    seen = pts[ok, :, :2]

    def spans_unit(frames: FloatArray) -> bool:
        lo, hi = np.nanmin(frames, axis=1), np.nanmax(frames, axis=1)
        return bool(np.allclose(lo, 0.0, atol=1e-3) and np.allclose(hi, 1.0, atol=1e-3))

    # Camera landmarks fail on their first frame already; only normalised data is
    # checked whole (this runs on every live recount).
    return spans_unit(seen[:1]) and spans_unit(seen)


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
