"""The autocorrelation's local maxima, as the period search reads them."""

from __future__ import annotations

import numpy as np
import pytest

from edge_trainer.exercise.periodic import local_maxima


def test_hand_cases() -> None:
    assert local_maxima(np.array([0.0, 1.0, 0.0, 2.0, 0.0])).tolist() == [1, 3]
    # A flat top counts once, by its middle (rounded down); ends are never maxima.
    assert local_maxima(np.array([0.0, 1.0, 1.0, 1.0, 1.0, 0.0])).tolist() == [2]
    assert local_maxima(np.array([3.0, 2.0, 1.0, 2.0, 3.0])).tolist() == []
    # A flat step on the way up or down is no maximum.
    assert local_maxima(np.array([0.0, 1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 0.0])).tolist() == [3]
    assert local_maxima(np.array([1.0, 1.0])).tolist() == []
    assert local_maxima(np.array([], float)).tolist() == []


def test_same_as_scipy_find_peaks() -> None:
    signal = pytest.importorskip("scipy.signal", reason="scipy (a test reference) not installed")
    rng = np.random.default_rng(0)
    for n in (3, 10, 200):
        for _ in range(50):
            # Rounded so that flat runs and plateaus occur, as they do in quantised data.
            x = np.round(rng.normal(size=n), 1)
            assert local_maxima(x).tolist() == signal.find_peaks(x)[0].tolist()
