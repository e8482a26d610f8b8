"""Foreshortening lift: a joint angle with depth recovered from how short limbs look."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise.geometry import broadside_length

F64 = npt.NDArray[np.float64]

# The longest a segment looks over a sequence, taken robustly: a high percentile, so
# a few frames with a misplaced landmark do not set the length.
LENGTH_PERCENTILE = 95.0


def true_length(image: F64, percentile: float = LENGTH_PERCENTILE) -> float:
    """A segment's length seen broadside: its longest image length, taken robustly.

    Args:
        image: ``(frames, 2)`` image-plane vectors of the segment in pixels of equal
            scale on both axes; NaN rows for frames without it.
        percentile: Which percentile of the image lengths stands for the true length.

    Returns:
        The length in pixels, or NaN when no frame has the segment.
    """
    return broadside_length(np.linalg.norm(image, axis=1), percentile, min_frames=1)


def depth_extent(image: F64, length: float) -> F64:
    """Unsigned depth per frame of a segment of true ``length``: ``sqrt(L^2 - l^2)``.

    Frames in which the segment looks longer than ``length`` get depth 0.
    """
    l2 = (image**2).sum(1)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.sqrt(np.maximum(length**2 - l2, 0.0)), dtype=np.float64)


def _depth_cosine(hint: F64) -> F64:
    """The z component of each row of ``hint`` over its length (0 for a zero vector)."""
    norm = np.linalg.norm(hint, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(norm == 0, 0.0, hint[:, 2] / norm), dtype=np.float64)


def lifted_angle(u: F64, w: F64, hint_u: F64 | None = None, hint_w: F64 | None = None) -> F64:
    """Degrees between two segments from a joint, with depth lifted from foreshortening.

    A rigid segment of true length ``L`` that looks ``l`` long in the picture reaches
    ``|dz| = sqrt(L^2 - l^2)`` towards or away from the camera. ``L`` is taken as the
    segment's longest image length over the sequence (``true_length``), which assumes:

    - the segment is seen broadside (across the picture) at some point of the sequence;
      one that never is gets a short ``L`` and so too little depth (a flatter angle),
      and its short image length is easily swamped by landmark error;
    - the person stays at about the same distance from the camera (the view is treated
      as orthographic); walking towards the camera makes every segment look longer.

    The angle is ``acos((u.w + s |dz_u| |dz_w|) / (L_u L_w))`` where only the relative
    sign ``s`` of the two depths matters (flipping both leaves the angle). The picture
    cannot tell it, so it is weighted by a pose model's 3D guess when one is given:
    ``s`` is the product of the z direction cosines of the model's two segments, so a
    segment the model puts well out of the picture plane lends its sign fully and one
    it puts near the plane (where its sign is a coin toss) lends little. Without a
    guess ``s`` is 0: the mean of ``cos`` over the two signs.

    Args:
        u: ``(frames, 2)`` image vector from the joint to one end, pixels of equal
            scale on both axes.
        w: ``(frames, 2)`` image vector from the joint to the other end.
        hint_u: ``(frames, 3)`` the model's 3D vector for ``u`` (any scale), or None.
        hint_w: ``(frames, 3)`` the model's 3D vector for ``w``, or None.

    Returns:
        ``(frames,)`` degrees; NaN where either segment (or a given hint) is missing.
    """
    lu, lw = true_length(u), true_length(w)
    # A frame longer than the robust length is taken as broadside, keeping |cos| <= 1.
    len_u = np.maximum(lu, np.linalg.norm(u, axis=1))
    len_w = np.maximum(lw, np.linalg.norm(w, axis=1))
    if hint_u is None or hint_w is None:
        depth: F64 | float = 0.0
    else:
        du, dw = depth_extent(u, lu), depth_extent(w, lw)
        sign = _depth_cosine(hint_u) * _depth_cosine(hint_w)
        depth = du * dw * sign
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = ((u * w).sum(1) + depth) / (len_u * len_w)
        return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))), dtype=np.float64)
