"""Augmentation of landmark clips: camera roll, noise, dropped joints and frames, speed."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise.features import mirror_window

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class AugmentSpec:
    """Ranges of the random changes applied to a clip.

    Attributes:
        roll_deg: Camera roll, uniform in +-roll_deg.
        noise: Landmark jitter, std as a fraction of the body's extent.
        joint_drop: Probability that a landmark is missing in a frame.
        frame_drop: Probability that a whole frame is missing (nobody found).
        speed: Playback speed range (the same motion done faster or slower).
    """

    roll_deg: float = 10.0
    noise: tuple[float, float] = (0.0, 0.02)
    joint_drop: float = 0.02
    frame_drop: float = 0.05
    speed: tuple[float, float] = (0.75, 1.35)


def augment_rows(
    rows: FloatArray, rng: np.random.Generator, spec: AugmentSpec
) -> tuple[FloatArray, float]:
    """A randomly changed copy of ``rows`` and its playback speed factor.

    Args:
        rows: ``(frames, 33, 4)`` landmarks.
        rng: Random source (the caller's seed makes this deterministic).
        spec: Ranges of the changes.

    Returns:
        The new rows and the speed factor (multiply the clip's fps by it).
    """
    out = rows.astype(np.float32).copy()
    xy = out[..., :2]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames are expected
        centre = np.nanmedian(xy.reshape(-1, 2), axis=0)
        extent = np.nanmedian(np.nanmax(xy, axis=1) - np.nanmin(xy, axis=1), axis=0)
    if not np.isfinite(centre).all():
        return out, 1.0
    extent = np.where(np.isfinite(extent) & (extent > 0), extent, 1.0)
    angle = np.deg2rad(rng.uniform(-spec.roll_deg, spec.roll_deg))
    # Roll in a square frame: scale the axes to the body's extent first, so a clip whose
    # axes were normalised separately is rotated as the body, not as a distorted box.
    rel = (xy - centre) / extent
    c, s = np.cos(angle), np.sin(angle)
    rot = np.stack([c * rel[..., 0] - s * rel[..., 1], s * rel[..., 0] + c * rel[..., 1]], -1)
    sigma = rng.uniform(*spec.noise)
    rot = rot + rng.normal(0.0, sigma, size=rot.shape)
    out[..., :2] = rot * extent + centre
    drop = rng.random(out.shape[:2]) < spec.joint_drop
    out[drop] = np.nan
    frames = rng.random(out.shape[0]) < spec.frame_drop
    out[frames] = np.nan
    return out, float(rng.uniform(*spec.speed))


def random_mirror(windows: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Each window in one of its four mirror variants, chosen at random."""
    out = windows.copy()
    for i in range(len(out)):
        flip, swap = rng.random() < 0.5, rng.random() < 0.5
        if flip or swap:
            out[i] = mirror_window(out[i], flip, swap)
    return out


def static_hold(
    rows: FloatArray, fps: float, seconds: float, rng: np.random.Generator
) -> FloatArray | None:
    """A still pose taken from ``rows``, held for ``seconds`` with tremor and slow sway.

    Holding any pose, even one met mid-exercise, is not exercising: these are ``rest``.
    """
    valid = np.flatnonzero(np.isfinite(rows[..., :2]).all(axis=(1, 2)))
    if len(valid) == 0:
        return None
    frame = rows[rng.choice(valid)]
    n = max(2, round(seconds * fps))
    out = np.repeat(frame[None], n, axis=0).astype(np.float32)
    extent = np.nanmax(frame[:, :2], axis=0) - np.nanmin(frame[:, :2], axis=0)
    sway = np.linspace(0, 1, n)[:, None, None] * rng.normal(0, 0.03, size=(1, 1, 2))
    tremor = rng.normal(0, rng.uniform(0.002, 0.012), size=(n, 33, 2))
    out[..., :2] += (sway + tremor) * extent
    return out
