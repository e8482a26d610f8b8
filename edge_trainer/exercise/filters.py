"""Signal helpers for the rep counter: gaps, smoothing, envelopes, main axis, swings."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# Points a line between them needs (interpolation), and a smoothing or a range (three:
# a middle one to tell a trend from a single jump).
MIN_LINE_POINTS = 2
MIN_SERIES = 3
# Weights below this are no data: dividing by them would blow noise up.
MIN_WEIGHT = 1e-6
# Frame steps shorter than this (seconds) are repeated timestamps, not a frame rate.
MIN_STEP_S = 1e-6


def fill_gaps(x: FloatArray, t: FloatArray, max_gap_s: float) -> FloatArray:
    """Linearly interpolate NaN runs no longer than ``max_gap_s`` along axis 0."""
    out = np.array(x, dtype=np.float64, copy=True)
    flat = out.reshape(len(out), -1)
    for j in range(flat.shape[1]):
        col = flat[:, j]
        ok = np.isfinite(col)
        if ok.all() or ok.sum() < MIN_LINE_POINTS:
            continue
        idx = np.flatnonzero(ok)
        interp = np.interp(t, t[idx], col[idx])
        # Only inner gaps no longer than max_gap_s get filled.
        nxt = np.searchsorted(idx, np.arange(len(col)))
        prev_i = idx[np.clip(nxt - 1, 0, len(idx) - 1)]
        next_i = idx[np.clip(nxt, 0, len(idx) - 1)]
        inner = (~ok) & (nxt > 0) & (nxt < len(idx))
        short = (t[next_i] - t[prev_i]) <= max_gap_s
        fill = inner & short
        col[fill] = interp[fill]
    return out


def smooth(x: FloatArray, t: FloatArray, sigma_s: float) -> FloatArray:
    """Gaussian smoothing along axis 0 that ignores NaNs (normalised convolution)."""
    if len(x) < MIN_SERIES or sigma_s <= 0:
        return x
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0 / 30.0
    sigma = max(sigma_s / max(dt, MIN_STEP_S), 0.5)
    half = int(np.ceil(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-half, half + 1) / sigma) ** 2)
    arr = x.reshape(len(x), -1)
    ok = np.isfinite(arr)
    n = len(arr)

    def conv(col: FloatArray) -> FloatArray:
        return np.convolve(col, k, "full")[half : half + n]

    num = np.stack([conv(np.where(ok[:, j], arr[:, j], 0.0)) for j in range(arr.shape[1])], 1)
    den = np.stack([conv(ok[:, j].astype(float)) for j in range(arr.shape[1])], 1)
    out = np.where(ok & (den > MIN_WEIGHT), num / np.fmax(den, MIN_WEIGHT), np.nan)
    return out.reshape(x.shape)


def main_axis(x: FloatArray) -> FloatArray:
    """Unit first principal axis of mean-removed ``(n, D)`` data (eigenvector of X'X)."""
    _, vecs = np.linalg.eigh(x.T @ x)
    return np.asarray(vecs[:, -1])


def moving_mean(x: FloatArray, half: int) -> FloatArray:
    """Centred moving mean over ``2*half+1`` rows, NaN-aware, along axis 0."""
    arr = x.reshape(len(x), -1)
    ok = np.isfinite(arr)
    cs = np.vstack([np.zeros((1, arr.shape[1])), np.cumsum(np.where(ok, arr, 0.0), axis=0)])
    cn = np.vstack([np.zeros((1, arr.shape[1])), np.cumsum(ok, axis=0)])
    i = np.arange(len(arr))
    a, b = np.clip(i - half, 0, len(arr)), np.clip(i + half + 1, 0, len(arr))
    out = (cs[b] - cs[a]) / np.fmax(cn[b] - cn[a], 1)
    return np.asarray(out.reshape(x.shape))


def envelope(sig: FloatArray, win: int) -> tuple[FloatArray, FloatArray]:
    """Centred moving minimum and maximum over ``win`` frames, ignoring NaNs."""
    half = win // 2
    lo_src = np.where(np.isfinite(sig), sig, np.inf)
    hi_src = np.where(np.isfinite(sig), sig, -np.inf)
    lo_pad = np.pad(lo_src, half, constant_values=np.inf)
    hi_pad = np.pad(hi_src, half, constant_values=-np.inf)
    view = np.lib.stride_tricks.sliding_window_view
    lo = view(lo_pad, 2 * half + 1).min(axis=1)
    hi = view(hi_pad, 2 * half + 1).max(axis=1)
    bad = ~np.isfinite(lo) | ~np.isfinite(hi)
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def zigzag(sig: FloatArray, h: float) -> list[int]:
    """Indices of alternating extrema where each swing is at least ``h`` (NaNs skipped)."""
    idx = np.flatnonzero(np.isfinite(sig))
    if idx.size == 0:
        return []
    ext: list[int] = []
    hi_i = lo_i = int(idx[0])
    direction = 0  # +1 rising to a max, -1 falling to a min
    for i in idx[1:]:
        v = sig[i]
        if direction >= 0 and v > sig[hi_i]:
            hi_i = int(i)
        if direction <= 0 and v < sig[lo_i]:
            lo_i = int(i)
        if direction >= 0 and sig[hi_i] - v >= h:
            if direction == 0:
                ext.append(lo_i)
            ext.append(hi_i)
            direction = -1
            lo_i = int(i)
        elif direction <= 0 and v - sig[lo_i] >= h:
            if direction == 0:
                ext.append(hi_i)
            ext.append(lo_i)
            direction = 1
            hi_i = int(i)
    last = hi_i if direction > 0 else lo_i if direction < 0 else None
    if last is not None and (not ext or ext[-1] != last):
        ext.append(last)
    return sorted(set(ext))


def typical_amplitude(sig: FloatArray, t: FloatArray) -> float:
    """The set's typical peak-to-peak rep amplitude in signal units.

    The swings found with a threshold of a quarter of the robust range, then the median
    of the larger half of them: a few big setup moves or small partials barely move it.
    """
    v = sig[np.isfinite(sig)]
    if v.size < MIN_SERIES:
        return 0.0
    rng = float(np.percentile(v, 98) - np.percentile(v, 2))
    if rng <= 0:
        return 0.0
    ext = zigzag(sig, 0.25 * rng)
    swings = np.abs(np.diff(sig[ext])) if len(ext) > 1 else np.array([rng])
    swings = np.sort(swings)[len(swings) // 2 :]
    return float(np.median(swings))
