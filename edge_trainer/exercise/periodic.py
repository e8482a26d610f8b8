"""How periodic a motion is around each frame: windowed autocorrelation on its main axis."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise.filters import main_axis

FloatArray = npt.NDArray[np.float64]

# The period is the first autocorrelation peak this close to the highest one.
PEAK_SHARE = 0.8


def local_maxima(x: FloatArray) -> npt.NDArray[np.intp]:
    """Indices of the local maxima of 1-D ``x``, a flat top by its middle (rounded down).

    The ends are never maxima. This is ``scipy.signal.find_peaks(x)`` with no conditions,
    in numpy: the box does not install scipy for one function.
    """
    d = np.diff(x)
    moves = np.flatnonzero(d != 0)  # steps that go up or down; flat steps are skipped
    up = d[moves] > 0
    k = np.flatnonzero(up[:-1] & ~up[1:])  # a rise followed, after any flat, by a fall
    first, last = moves[k] + 1, moves[k + 1]
    middle: npt.NDArray[np.intp] = ((first + last) // 2).astype(np.intp)
    return middle


def autocorrelation(x: FloatArray) -> FloatArray:
    """Normalised autocorrelation of mean-removed ``(n, D)`` data, summed over dims.

    Lag ``l`` is divided by the overlap ``n - l`` so long lags are not penalised; 1.0 at
    lag 0.
    """
    n = len(x)
    m = 1 << int(np.ceil(np.log2(2 * n)))
    f = np.fft.rfft(x, m, axis=0)
    power = np.sum(np.abs(f) ** 2, axis=1) if f.ndim > 1 else np.abs(f) ** 2
    ac = np.fft.irfft(power, m)[:n]
    return np.asarray(ac / max(float(ac[0]), 1e-12) * n / np.maximum(n - np.arange(n), 1))


@dataclass(frozen=True, slots=True)
class Periodicity:
    """Per-frame periodicity of the motion around each frame.

    Attributes:
        score: Autocorrelation at the period (0 = no repetition, 1 = identical cycles).
        period_s: The local period in seconds (NaN where no period was found).
    """

    score: FloatArray
    period_s: FloatArray


PeriodCache = dict[tuple[int, int, float], tuple[float, float]]


def periodicity(
    feats: FloatArray,
    t: FloatArray,
    *,
    scales_s: tuple[float, ...] = (4.0, 8.0, 16.0),
    hop_s: float = 0.5,
    min_period_s: float = 0.4,
    project: bool = True,
    cache: PeriodCache | None = None,
) -> Periodicity:
    """How periodic the motion is around each frame, over several window lengths.

    Windows of each length (the longest holds two cycles of a slow 8 s rep) are centred
    on a fixed grid of source time every ``hop_s``; the period comes from each window's
    autocorrelation (``_window_period``). The best-scoring scale wins per window; frames
    take their nearest window.

    Args:
        feats: ``(T, D)`` motion features (NaN rows: no pose).
        t: Frame times.
        scales_s: Window lengths.
        hop_s: Spacing of the window centres.
        min_period_s: Shortest period considered.
        project: Measure along each window's main axis (see below).
        cache: Results of windows that ended well before the last frame, keyed by their
            source times; a live caller passes the same dict on every recount so only
            the newest windows are computed again (the score does not depend on the
            features' scale, the only thing that changes for an old window).
    """
    n = len(feats)
    dt = float(np.median(np.diff(t))) if n > 1 else 1.0 / 30.0
    first, last = np.ceil(t[0] / hop_s), np.floor(t[-1] / hop_s)
    grid = np.arange(first, last + 1) * hop_s if last >= first else np.array([t[0]])
    centres = np.clip(np.searchsorted(t, grid), 0, n - 1)
    c_score = np.zeros(len(centres))
    c_period = np.full(len(centres), np.nan)
    ok_rows = np.all(np.isfinite(feats), axis=1)
    settled = t[-1] - 0.5  # smoothing and gap filling still move the last frames
    # Windows clipped at either end of the data are the same window for many centres:
    # each distinct window is computed once per call, settled or not.
    done: PeriodCache = {}
    for k, c in enumerate(centres):
        for w_s in scales_s:
            w = round(w_s / dt)
            if w > n:
                break  # a window must fit whole: a clipped one would find any two bumps periodic
            b = min(n, max(0, int(c) - w // 2) + w)
            a = max(0, b - w)
            key = (round(t[a] * 1000), round(t[b - 1] * 1000), w_s)
            if key in done:
                score, period = done[key]
            elif cache is not None and key in cache:
                score, period = done[key] = cache[key]
            else:
                score, period = _window_period(feats[a:b], ok_rows[a:b], dt, min_period_s, project)
                done[key] = (score, period)
                if cache is not None and t[b - 1] < settled:
                    cache[key] = (score, period)
            if score > c_score[k]:
                c_score[k], c_period[k] = score, period
    nearest = np.clip(np.searchsorted(t[centres], t), 0, len(centres) - 1)
    prev = np.clip(nearest - 1, 0, len(centres) - 1)
    closer = np.abs(t[centres][prev] - t) < np.abs(t[centres][nearest] - t)
    nearest = np.where(closer, prev, nearest)
    return Periodicity(c_score[nearest], c_period[nearest])


def _window_period(
    x: FloatArray, ok: npt.NDArray[np.bool_], dt: float, min_period_s: float, project: bool
) -> tuple[float, float]:
    """``(score, period_s)`` of one window; ``(0, NaN)`` when it has no clear period.

    The period is the shortest autocorrelation peak (a local maximum) that
    reaches 0.8 of the window's highest one, so a cycle whose halves differ a little is
    not taken for two cycles and two similar cycles are not taken for one. The signal
    need not cross zero between cycles: a rep with a long hold at rest keeps its
    autocorrelation positive at every lag.
    """
    none = (0.0, float("nan"))
    if ok.sum() < max(10, 0.6 * len(x)):
        return none
    x = x[ok]
    x = x - x.mean(axis=0)
    if project:
        # The window's main axis: jittering joints that take no part in the movement
        # would otherwise dilute the autocorrelation.
        x = x @ main_axis(x)
    ac = autocorrelation(x)
    lmin, lmax = max(2, round(min_period_s / dt)), len(x) // 2
    if lmax <= lmin:
        return none
    peaks = local_maxima(ac[: lmax + 1])
    peaks = peaks[(peaks >= lmin) & (ac[peaks] > 0)]
    if peaks.size == 0:
        return none
    top = float(ac[peaks].max())
    lag = int(peaks[np.argmax(ac[peaks] >= PEAK_SHARE * top)])
    return float(ac[lag]), lag * dt


def runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``[start, end)`` index pairs of the True runs in a boolean array."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))
