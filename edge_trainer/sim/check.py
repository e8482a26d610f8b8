"""Reference checks on landmark sequences: an exercise's main joint angle and its cycles."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from edge_trainer.pose.base import LANDMARK
from edge_trainer.sim.lift import lifted_angle
from edge_trainer.sim.motions import SPECS

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]


def _joints(exercise: str) -> list[tuple[int, int, int]]:
    """Landmark indices (end, joint, end) of the exercise's main angle, left then right."""
    names = SPECS[exercise].exercise.angle
    return [
        (LANDMARK[names[0].replace("left_", side)], LANDMARK[names[1].replace("left_", side)],
         LANDMARK[names[2].replace("left_", side)])
        for side in ("left_", "right_")
    ]  # fmt: skip


def main_angle(exercise: str, points: F32 | F64, visibility: F32 | F64 | None = None) -> F64:
    """Degrees of the exercise's main joint angle per frame.

    Args:
        exercise: Exercise name (the catalogue names the joint).
        points: ``(frames, 33, >=2)`` landmark coordinates in a common scale (world
            metres, or pixels); NaN rows give NaN.
        visibility: ``(frames, 33)`` landmark visibility. When given, the two sides are
            weighted by how visible their three landmarks are over the whole sequence
            (the far side of a body seen from the side is guessed, not seen); otherwise
            both sides count the same.
    """
    angles = []
    for ia, ib, ic in _joints(exercise):
        u = points[:, ia, :3] - points[:, ib, :3]
        w = points[:, ic, :3] - points[:, ib, :3]
        cos = (u * w).sum(1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(w, axis=1) + 1e-9)
        angles.append(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
    return _sides(exercise, angles, visibility)


def lifted_main_angle(exercise: str, image: F64, visibility: F32 | F64 | None = None) -> F64:
    """The main joint angle with depth lifted from foreshortening (see ``lifted_angle``).

    Each segment's true length is its longest image length over the whole sequence, so
    pass a sequence in which each limb is seen broadside at some point (a set of reps
    of one exercise from one camera). The depth signs are left unknown: on the
    benchmark's clips a pose model's signs cost more rep counts than they saved (see
    the sim README).

    Args:
        exercise: Exercise name.
        image: ``(frames, 33, 2)`` landmark positions in pixels of equal scale.
        visibility: ``(frames, 33)`` landmark visibility, weighting the sides as in
            ``main_angle``.
    """
    angles = []
    for ia, ib, ic in _joints(exercise):
        angles.append(lifted_angle(image[:, ia] - image[:, ib], image[:, ic] - image[:, ib]))
    return _sides(exercise, angles, visibility)


def _sides(exercise: str, angles: list[F64], visibility: F32 | F64 | None) -> F64:
    """Per-frame mean of the two sides' angles, weighted by visibility when given."""
    both = np.stack(angles)
    if visibility is not None:
        weight = []
        for ia, ib, ic in _joints(exercise):
            vis = np.minimum(np.minimum(visibility[:, ia], visibility[:, ib]), visibility[:, ic])
            with np.errstate(invalid="ignore"):
                weight.append(np.nan_to_num(np.nanmean(vis)) ** 2 + 1e-6)
        wt = np.asarray(weight)
        return np.asarray((both * wt[:, None]).sum(0) / wt.sum(), dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.nanmean(both, axis=0), dtype=np.float64)


def _filled(signal: F32 | F64) -> F64 | None:
    """``signal`` with NaNs interpolated, or None when fewer than 3 samples are finite."""
    x = np.asarray(signal, dtype=np.float64)
    ok = np.isfinite(x)
    if ok.sum() < 3:
        return None
    idx = np.arange(len(x))
    return np.asarray(np.interp(idx, idx[ok], x[ok]), dtype=np.float64)


def _despiked(x: F64, window: int) -> F64:
    """Running median over 3 samples (drops one-frame glitches) then mean over ``window``."""
    if len(x) >= 3:
        p = np.pad(x, 1, mode="edge")
        x = np.median(np.stack([p[:-2], p[1:-1], p[2:]]), axis=0)
    if window > 1 and len(x) > window:
        pad = (window // 2, window - 1 - window // 2)  # same length for even windows
        x = np.convolve(np.pad(x, pad, mode="edge"), np.ones(window) / window, "valid")
    return x


def measured_angle(
    exercise: str,
    landmarks: F32 | F64,
    world: F32 | F64 | None,
    size: tuple[int, int],
    window: int = 5,
    *,
    lift: bool = True,
) -> F64:
    """The main joint angle (degrees) as a pose model's landmarks show it.

    A pose model gives three views of the same joint: the image-plane angle (exact when
    the limb moves across the picture, squashed when it moves towards the camera), the
    angle between its 3D world landmarks (sees depth, but the model's depth is a guess
    and often flattens the movement) and the image angle lifted to 3D by
    foreshortening (``lifted_main_angle``: a limb that looks shorter than its longest
    has turned towards or away from the camera; the depth sign is left unknown).
    Neither is right for every exercise and view, so all are measured (sides weighted
    by visibility, see ``main_angle``) and blended frame by frame, each scaled to its
    own 10th..90th percentile range and weighted by how cleanly it moves: that range
    divided by its frame-to-frame noise (the robust spread of the signal around its
    smoothed self). A view in which the joint barely moves (under 12 degrees) or only
    jitters gets little or no weight. A view that moves against the cleanest one (a
    projected angle can open while the joint closes) is turned over before blending.
    The blend is mapped back to degrees over the cleanest view's range, so
    ``count_cycles`` applies unchanged.

    Args:
        exercise: Exercise name.
        landmarks: ``(frames, 33, >=4)`` x, y normalised to the frame, z, visibility;
            NaN rows for frames with no person.
        world: ``(frames, 33, 3)`` world landmarks (metres), or None.
        size: ``(width, height)`` of the frames, so image angles are not stretched.
        window: Smoothing (samples) used to tell movement from noise.
        lift: Include the foreshortening-lifted angle (off only to measure what it adds).
    """
    lm = np.asarray(landmarks, dtype=np.float64)
    vis = np.nan_to_num(lm[:, :, 3])
    image = lm[:, :, :2] * np.asarray(size, np.float64)
    signals = [main_angle(exercise, image, vis)]
    if world is not None:
        signals.append(main_angle(exercise, np.asarray(world, np.float64), vis))
    if lift:
        signals.append(lifted_main_angle(exercise, image, vis))
    parts: list[F64] = []
    weights, lows, spans = [], [], []
    for sig in signals:
        x = _filled(sig)
        if x is None:
            continue
        smooth = _despiked(x, window)
        lo, hi = np.percentile(smooth, [10, 90])
        noise = 1.4826 * float(np.median(np.abs(x - smooth))) + 1.0
        if hi - lo < 12.0:
            continue
        parts.append((x - lo) / (hi - lo))
        weights.append((hi - lo) / noise)
        lows.append(lo)
        spans.append(hi - lo)
    if not parts:
        # No view moves: return whichever angle exists, count_cycles reads it as still.
        return np.asarray(signals[-1], dtype=np.float64)
    ref = int(np.argmax(weights))
    for k, part in enumerate(parts):
        # The projection of an angle can open while the angle itself closes (a sit-up
        # seen from above): turn each view to rise and fall with the cleanest one.
        if k != ref and np.corrcoef(part, parts[ref])[0, 1] < 0:
            parts[k] = 1.0 - part
    w = np.asarray(weights) / sum(weights)
    blend = sum(wi * p for wi, p in zip(w, parts, strict=True))
    return np.asarray(lows[ref] + blend * spans[ref], dtype=np.float64)


def count_cycles(signal: F64, window: int = 5, min_range: float = 12.0) -> int:
    """Full excursions of ``signal`` away from where it starts and back.

    NaNs are filled by interpolation; one-sample spikes are removed by a running median
    over 3 samples and the signal is then smoothed over ``window`` samples and scaled
    between its 10th and 90th percentiles; a cycle is counted each time it enters the
    far third after having been in the near third. Fewer than ``min_range`` units
    between the percentiles count as no movement.
    """
    x = _filled(signal)
    if x is None:
        return 0
    x = _despiked(x, window)
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
