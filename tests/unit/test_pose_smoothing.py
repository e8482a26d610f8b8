"""The One Euro landmark filter: less jitter when still, under a frame of lag in a rep."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from edge_trainer.config import PoseConfig
from edge_trainer.pose.smoothing import LandmarkSmoother, OneEuroFilter

FPS = 30.0
BODY = 400.0  # body size in pixels
NOISE = 0.004 * BODY  # landmark jitter of a fraction of a percent of the body


def _filter(x: npt.NDArray[np.float64], t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    cfg = PoseConfig()
    f = OneEuroFilter(cfg.smoothing_min_cutoff, cfg.smoothing_beta)
    return np.array([f(np.array([v]), float(ti), BODY)[0] for v, ti in zip(x, t, strict=True)])


def _lag_frames(y: npt.NDArray[np.float64], truth_at: object, t: npt.NDArray[np.float64]) -> float:
    """Delay (in frames) that best aligns the filtered signal with the truth."""
    cand = np.linspace(-1.0, 4.0, 101)
    sl = slice(30, -10)
    err = [np.mean((y[sl] - truth_at(t[sl] - c / FPS)) ** 2) for c in cand]  # type: ignore[operator]
    return float(cand[int(np.argmin(err))])


@pytest.mark.parametrize("freq", [0.25, 0.5, 1.0])
@pytest.mark.parametrize("amp", [0.1, 0.25])
def test_rep_motion_is_delayed_less_than_a_frame(freq: float, amp: float) -> None:
    rng = np.random.default_rng(int(freq * 100 + amp * 10))
    t = np.arange(int(12 * FPS)) / FPS

    def truth_at(tt: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return BODY * amp * np.cos(2 * np.pi * freq * tt)  # type: ignore[no-any-return]

    y = _filter(truth_at(t) + rng.normal(0, NOISE, t.size), t)
    assert _lag_frames(y, truth_at, t) <= 1.0


def test_still_landmarks_jitter_much_less() -> None:
    rng = np.random.default_rng(7)
    t = np.arange(int(20 * FPS)) / FPS
    x = 300.0 + rng.normal(0, NOISE, t.size)
    y = _filter(x, t)
    assert np.std(y[30:]) < 0.6 * np.std(x[30:])


def test_sudden_move_is_followed_within_two_frames() -> None:
    t = np.arange(60) / FPS
    x = np.where(t < 1.0, 0.0, 0.3 * BODY)  # a quick move of 30% of the body
    y = _filter(x, t)
    k = int(np.argmax(t >= 1.0))
    assert y[k + 2] >= 0.9 * x[k + 2]


def test_time_going_backwards_restarts_the_filter() -> None:
    f = OneEuroFilter()
    f(np.array([0.0]), 1.0)
    f(np.array([0.0]), 1.1)
    out = f(np.array([50.0]), 0.5)  # a new clip, say
    assert out[0] == 50.0


def test_landmark_smoother_keeps_shapes_and_smooths_visibility() -> None:
    s = LandmarkSmoother()
    lm = np.zeros((33, 5), dtype=np.float32)
    lm[:, 3] = 1.0
    aux = np.array([[100.0, 200.0], [100.0, 100.0]], dtype=np.float32)
    world = np.zeros((33, 3), dtype=np.float32)
    out, a, w = s(lm, aux, world, 0.0)
    assert out.shape == (33, 5) and a.shape == (2, 2) and w.shape == (33, 3)
    lm2 = lm.copy()
    lm2[:, 3] = 0.0
    out2, _, _ = s(lm2, aux, world, 1 / FPS)
    assert 0.5 < out2[0, 3] < 1.0  # a visibility drop is eased in, not a flicker
    s.reset()
    out3, _, _ = s(lm2, aux, world, 2 / FPS)
    assert out3[0, 3] == 0.0
