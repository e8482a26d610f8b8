"""Reference checks on landmark sequences: an exercise's main joint angle and its cycles."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from edge_trainer.pose.base import LANDMARK
from edge_trainer.sim.motions import SPECS

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]


def main_angle(exercise: str, points: F32 | F64, visibility: F32 | F64 | None = None) -> F64:
    """Degrees of the exercise's main joint angle per frame.

    Args:
        exercise: Exercise name (its spec names the joint).
        points: ``(frames, 33, >=2)`` landmark coordinates in a common scale (world
            metres, or pixels); NaN rows give NaN.
        visibility: ``(frames, 33)`` landmark visibility. When given, the two sides are
            weighted by how visible their three landmarks are over the whole sequence
            (the far side of a body seen from the side is guessed, not seen); otherwise
            both sides count the same.
    """
    a, b, c = SPECS[exercise].angle
    angles, vis = [], []
    for side in ("left_", "right_"):
        ia, ib, ic = (LANDMARK[n.replace("left_", side)] for n in (a, b, c))
        u = points[:, ia, :3] - points[:, ib, :3]
        w = points[:, ic, :3] - points[:, ib, :3]
        cos = (u * w).sum(1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(w, axis=1) + 1e-9)
        angles.append(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
        if visibility is not None:
            vis.append(
                np.minimum(np.minimum(visibility[:, ia], visibility[:, ib]), visibility[:, ic])
            )
    both = np.stack(angles)
    if visibility is not None:
        with np.errstate(invalid="ignore"):
            weight = np.nan_to_num(np.array([np.nanmean(x) for x in vis])) ** 2 + 1e-6
        return np.asarray((both * weight[:, None]).sum(0) / weight.sum(), dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.nanmean(both, axis=0), dtype=np.float64)


def count_cycles(signal: F64, window: int = 5, min_range: float = 12.0) -> int:
    """Full excursions of ``signal`` away from where it starts and back.

    NaNs are filled by interpolation; the signal is smoothed over ``window`` samples and
    scaled between its 10th and 90th percentiles; a cycle is counted each time it enters
    the far third after having been in the near third. Fewer than ``min_range`` units
    between the percentiles count as no movement.
    """
    x = np.asarray(signal, dtype=np.float64)
    ok = np.isfinite(x)
    if ok.sum() < 3:
        return 0
    idx = np.arange(len(x))
    x = np.interp(idx, idx[ok], x[ok])
    if window > 1 and len(x) > window:
        x = np.convolve(np.pad(x, window // 2, mode="edge"), np.ones(window) / window, "valid")
    lo, hi = np.percentile(x, [10, 90])
    if hi - lo < min_range:
        return 0
    s = (x - lo) / (hi - lo)
    start_high = s[: max(3, len(s) // 20)].mean() > 0.5
    if start_high:
        s = 1.0 - s
    count, near = 0, True
    for value in s:
        if near and value > 0.67:
            count += 1
            near = False
        elif not near and value < 0.33:
            near = True
    return count
