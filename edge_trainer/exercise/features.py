"""Classifier features: normalised body-joint coordinates and joint angles over a time window.

The normalisation is chosen so that one model serves live camera landmarks and landmark
files that were already normalised elsewhere:

* Only 13 body joints are used (nose, shoulders, elbows, wrists, hips, knees, ankles).
  Hands, feet and eye points are noisy in BlazePose and absent from COCO-style sources.
* Each frame's x and y are min-max scaled separately over those 13 joints. This removes
  position, scale and camera distance, and it is exactly invariant to any per-axis affine
  map of the input, which includes the per-frame min-max over all 33 landmarks that some
  datasets apply (``repcount_pose``): min-max scaling an affinely mapped frame gives the
  same numbers as min-max scaling the original. Torso-length scaling on top would bring
  back a dependence on how foreshortened the torso is, so it is not applied.
* Coordinates are then taken relative to the hip centre.
* Joint angles are measured in that normalised plane (so they agree across sources, even
  where the min-max scaling distorted the aspect).

Left/right mirroring is handled by the classifier, which averages its output over the
four mirror variants (``mirror_variants``): flipping x, swapping left and right labels,
and both. That makes the prediction exactly invariant to mirroring, whichever way the
pose source labels a mirrored person's sides.

Windows are resampled by timestamp to a fixed rate so frame rate and dropped frames do not
change the input.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from edge_trainer.errors import InputError
from edge_trainer.exercise.geometry import N_LANDMARKS, SEQUENCE_NDIM, XY
from edge_trainer.models import roles

FloatArray = npt.NDArray[np.float32]

# The version the model store's contract records for these features: bump it there.
FEATURE_VERSION = roles.FEATURE_VERSION

# BlazePose indices of the joints used, in feature order.
JOINTS = (0, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
JOINT_NAMES = (
    "nose", "l_shoulder", "r_shoulder", "l_elbow", "r_elbow", "l_wrist", "r_wrist",
    "l_hip", "r_hip", "l_knee", "r_knee", "l_ankle", "r_ankle",
)  # fmt: skip
# Positions in JOINTS that swap under a left/right relabelling.
_SWAP = np.array([0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11])
_L_SH, _R_SH, _L_EL, _R_EL, _L_WR, _R_WR = 1, 2, 3, 4, 5, 6
_L_HIP, _R_HIP, _L_KN, _R_KN, _L_AN, _R_AN = 7, 8, 9, 10, 11, 12

# (a, vertex, b) triples, left then right, for elbow, shoulder, hip and knee angles.
ANGLES = (
    (_L_SH, _L_EL, _L_WR), (_R_SH, _R_EL, _R_WR),
    (_L_EL, _L_SH, _L_HIP), (_R_EL, _R_SH, _R_HIP),
    (_L_SH, _L_HIP, _L_KN), (_R_SH, _R_HIP, _R_KN),
    (_L_HIP, _L_KN, _L_AN), (_R_HIP, _R_KN, _R_AN),
)  # fmt: skip

N_JOINTS = len(JOINTS)
N_FEATURES = 2 * N_JOINTS + len(ANGLES) + 2
_MIN_RANGE = 1e-6
# Joints a frame needs to be scaled: two span only a line, not the body's box.
MIN_JOINTS = 3


@dataclass(frozen=True)
class WindowSpec:
    """How a window is sampled.

    Attributes:
        rate_hz: Resampling rate.
        frames: Samples per window.
        min_valid: Fraction of samples that must come from frames with a person.
    """

    rate_hz: float = 15.0
    frames: int = 24
    min_valid: float = 0.5

    @property
    def duration_s(self) -> float:
        """Time a window spans, first sample to last."""
        return (self.frames - 1) / self.rate_hz


DEFAULT_WINDOW = WindowSpec()


def check_rows(rows: npt.NDArray[Any]) -> FloatArray:
    """Validate a landmark sequence of shape ``(frames, 33, >=2)`` and return it as float32.

    Raises:
        InputError: the shape is wrong.
    """
    arr = np.asarray(rows, dtype=np.float32)
    if arr.ndim != SEQUENCE_NDIM or arr.shape[1] != N_LANDMARKS or arr.shape[2] < XY:
        raise InputError(f"landmarks must have shape (frames, 33, 4), got {arr.shape}")
    return arr


def normalise_joints(rows: npt.NDArray[Any]) -> FloatArray:
    """Body joints of each frame, min-max scaled per axis and centred on the hips.

    Args:
        rows: ``(frames, 33, >=2)`` landmarks; x, y first. NaN marks missing values.

    Returns:
        ``(frames, 13, 2)``; a frame (or joint) with no data is NaN.
    """
    xy = check_rows(rows)[:, JOINTS, :2].astype(np.float32)
    valid = np.isfinite(xy).all(axis=2)
    out = np.full_like(xy, np.nan)
    has = valid.sum(axis=1) >= MIN_JOINTS
    if not has.any():
        return out
    with np.errstate(invalid="ignore"), _quiet_nan():
        lo = np.nanmin(xy[has], axis=1)
        hi = np.nanmax(xy[has], axis=1)
        span = np.maximum(hi - lo, _MIN_RANGE)
        scaled = (xy[has] - lo[:, None, :]) / span[:, None, :]
        # The hip centre, or the mean joint when both hips are missing in a frame.
        centre = np.nanmean(scaled[:, [_L_HIP, _R_HIP]], axis=1)
        centre = np.where(np.isfinite(centre), centre, np.nanmean(scaled, axis=1))
    out[has] = scaled - centre[:, None, :]
    out[~valid] = np.nan
    return out


@contextlib.contextmanager
def _quiet_nan() -> Iterator[None]:
    """Silence numpy's 'mean of empty slice' warnings where all-NaN slices are expected."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def joint_angles(joints: FloatArray) -> FloatArray:
    """Unsigned joint angles in [0, 1] (fraction of pi) for each ``ANGLES`` triple.

    Args:
        joints: ``(frames, 13, 2)`` normalised joints.

    Returns:
        ``(frames, len(ANGLES))``; NaN where a joint is missing.
    """
    idx = np.array(ANGLES)
    a = joints[:, idx[:, 0]] - joints[:, idx[:, 1]]
    b = joints[:, idx[:, 2]] - joints[:, idx[:, 1]]
    dot = (a * b).sum(axis=2)
    cross = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    return np.asarray(np.abs(np.arctan2(cross, dot)) / np.pi, dtype=np.float32)


def frame_features(joints: FloatArray) -> FloatArray:
    """Per-frame feature vectors: coordinates, angles and torso direction.

    Args:
        joints: ``(frames, 13, 2)`` from :func:`normalise_joints`.

    Returns:
        ``(frames, N_FEATURES)`` float32, NaN where data is missing.
    """
    n = joints.shape[0]
    coords = joints.reshape(n, -1)
    angles = joint_angles(joints)
    shoulders = joints[:, [_L_SH, _R_SH]].mean(axis=1)
    hips = joints[:, [_L_HIP, _R_HIP]].mean(axis=1)
    torso = shoulders - hips
    norm = np.linalg.norm(torso, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        torso_dir = torso / np.maximum(norm, _MIN_RANGE)
    return np.asarray(np.concatenate([coords, angles, torso_dir], axis=1), dtype=np.float32)


def resample(
    values: FloatArray, t: npt.NDArray[Any], t_out: npt.NDArray[Any]
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Linearly resample rows of ``values`` (frames, ...) from times ``t`` to ``t_out``.

    Frames with any NaN are treated as missing and interpolated over; samples whose
    nearest input frame is missing are reported invalid.

    Returns:
        The resampled values (missing data filled) and a per-sample validity mask.
    """
    flat = values.reshape(values.shape[0], -1)
    t = np.asarray(t, dtype=np.float64)
    t_out = np.asarray(t_out, dtype=np.float64)
    ok = np.isfinite(flat).all(axis=1)
    out = np.zeros((len(t_out), flat.shape[1]), dtype=np.float32)
    if ok.sum() == 0:
        return out.reshape((len(t_out), *values.shape[1:])), np.zeros(len(t_out), dtype=bool)
    tv = t[ok]
    for j in range(flat.shape[1]):
        out[:, j] = np.interp(t_out, tv, flat[ok, j])
    nearest = np.clip(np.searchsorted(t, t_out), 0, len(t) - 1)
    prev = np.clip(nearest - 1, 0, len(t) - 1)
    pick = np.where(np.abs(t[prev] - t_out) < np.abs(t[nearest] - t_out), prev, nearest)
    valid = ok[pick]
    return out.reshape((len(t_out), *values.shape[1:])), valid


def window_features(
    rows: npt.NDArray[Any],
    t: npt.NDArray[Any],
    end_t: float | None = None,
    spec: WindowSpec = DEFAULT_WINDOW,
) -> FloatArray | None:
    """The feature window ending at ``end_t`` (default: the last frame's time).

    Args:
        rows: ``(frames, 33, >=2)`` landmarks covering at least the window.
        t: Frame times in seconds, increasing.
        end_t: Time of the window's last sample.
        spec: Sampling of the window.

    Returns:
        ``(spec.frames, N_FEATURES)`` float32, or None when too few samples have a person.
    """
    t = np.asarray(t, dtype=np.float64)
    if len(t) == 0:
        return None
    end = float(t[-1]) if end_t is None else end_t
    t_out = end - np.arange(spec.frames - 1, -1, -1) / spec.rate_hz
    joints = normalise_joints(rows)
    feats = frame_features(joints)
    # Per-joint gaps (one occluded wrist) are filled over time before the frame-level pass.
    feats = _fill_columns(feats, t)
    out, valid = resample(feats, t, t_out)
    if valid.mean() < spec.min_valid:
        return None
    return out


def _fill_columns(feats: FloatArray, t: npt.NDArray[np.float64]) -> FloatArray:
    """Fill NaN gaps of single columns in frames that have a pose, by time interpolation."""
    frame_ok = np.isfinite(feats).any(axis=1)
    out = feats.copy()
    for j in range(feats.shape[1]):
        col = feats[:, j]
        good = np.isfinite(col)
        if good.all() or not frame_ok.any():
            continue
        fill = frame_ok & ~good
        if good.any():
            out[fill, j] = np.interp(t[fill], t[good], col[good])
        else:
            out[fill, j] = 0.0
    return out


def sequence_windows(
    rows: npt.NDArray[Any],
    fps: float,
    hop_s: float = 0.2,
    spec: WindowSpec = DEFAULT_WINDOW,
) -> tuple[FloatArray, npt.NDArray[np.float64]]:
    """All windows of a whole sequence at a fixed hop (for training and evaluation).

    Args:
        rows: ``(frames, 33, >=2)`` landmarks, NaN rows where nobody was found.
        fps: Frame rate of ``rows``.
        hop_s: Time between window ends.
        spec: Sampling of each window.

    Returns:
        ``(windows, spec.frames, N_FEATURES)`` features and each window's end time; windows
        with too few valid samples are left out.

    Raises:
        InputError: bad shape or frame rate.
    """
    if not fps > 0:
        raise InputError(f"frame rate must be positive, got {fps}")
    arr = check_rows(rows)
    t = np.arange(arr.shape[0], dtype=np.float64) / fps
    feats = _fill_columns(frame_features(normalise_joints(arr)), t)
    ends = np.arange(spec.duration_s, t[-1] + 1e-9, hop_s) if len(t) else np.array([])
    if len(ends) == 0:
        return np.zeros((0, spec.frames, N_FEATURES), np.float32), np.zeros(0)
    offsets = np.arange(spec.frames - 1, -1, -1) / spec.rate_hz
    # Every window's sample times at once: one interpolation per feature column.
    t_all = (ends[:, None] - offsets[None, :]).ravel()
    out, valid = resample(feats, t, t_all)
    wins = out.reshape(len(ends), spec.frames, -1)
    keep = valid.reshape(len(ends), spec.frames).mean(axis=1) >= spec.min_valid
    return np.ascontiguousarray(wins[keep]), np.asarray(ends[keep], dtype=np.float64)


def mirror_variants(window: FloatArray) -> FloatArray:
    """The window under identity, x-flip, left/right swap, and both: ``(4, frames, F)``."""
    variants = [mirror_window(window, f, s) for f in (False, True) for s in (False, True)]
    return np.stack(variants)


def mirror_window(window: FloatArray, flip_x: bool, swap: bool) -> FloatArray:
    """The window with x negated (``flip_x``) and/or left and right joints swapped."""
    w = window.copy()
    n_c = 2 * N_JOINTS
    coords = w[..., :n_c].reshape(*w.shape[:-1], N_JOINTS, 2)
    angles = w[..., n_c : n_c + len(ANGLES)]
    torso = w[..., n_c + len(ANGLES) :]
    if flip_x:
        coords[..., 0] = -coords[..., 0]
        torso[..., 0] = -torso[..., 0]
    if swap:
        coords[...] = coords[..., _SWAP, :]
        # Angles are stored left, right per joint: swap within each pair.
        pairs = angles.reshape(*angles.shape[:-1], -1, 2)
        pairs[...] = pairs[..., ::-1].copy()
    return w
