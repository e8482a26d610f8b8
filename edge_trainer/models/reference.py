"""Reference outputs: what a model computes on the recorded input, kept in its manifest.

A hash proves a file is the one the manifest names, not that the manifest was made from
a working model: a careless tool can hash damaged weights. So when a set is built, each
TFLite model is run on a recorded input (pseudo-random values from a fixed seed, in the
input's own dtype and shape, so it needs no data file) and a fingerprint of each output
is stored. A trial load runs the model on the same input and compares.

Tolerance: an output matches when every fingerprint value is within 2 % of that
output's scale (its largest fingerprint magnitude) plus 1e-6. Float kernels on ARM and
x86 (XNNPACK or not, any thread count) differ by about 1e-5 relative; damaged weights
move outputs by far more than 2 %, and a model that computes zeros or NaN fails outright.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

RECORDED_SEED = 20261203
SAMPLES = 16  # evenly spaced output values kept, plus the mean and the spread
RTOL = 0.02
ATOL = 1e-6


def recorded_input(shape: Sequence[int], dtype: Any, index: int = 0) -> npt.NDArray[Any]:
    """The recorded input for one model input: the same values on every machine."""
    rng = np.random.default_rng(RECORDED_SEED + index)
    kind = np.dtype(dtype)
    if kind.kind == "f":
        return rng.random(tuple(shape)).astype(kind)
    info = np.iinfo(kind)
    return rng.integers(int(info.min), int(info.max), tuple(shape), endpoint=True).astype(kind)


def fingerprint(output: npt.NDArray[Any]) -> tuple[float, ...]:
    """``SAMPLES`` evenly spaced values of an output, its mean and standard deviation."""
    flat = np.asarray(output, dtype=np.float64).ravel()
    if flat.size == 0:
        return ()
    picks = flat[np.linspace(0, flat.size - 1, min(SAMPLES, flat.size)).astype(int)]
    values = [*picks.tolist(), float(flat.mean()), float(flat.std())]
    return tuple(float(f"{v:.6g}") for v in values)


def sanity_problem(prints: Sequence[Sequence[float]]) -> str | None:
    """Why outputs cannot come from a working model (NaN, or nothing but zeros), or None."""
    values = [v for p in prints for v in p]
    if not values:
        return None
    if not all(np.isfinite(values)):
        return "outputs NaN or infinity on the recorded input"
    if all(v == 0.0 for v in values):
        return "outputs nothing but zeros on the recorded input"
    return None


def mismatch(
    observed: Sequence[Sequence[float]], reference: Sequence[Sequence[float]]
) -> str | None:
    """Why ``observed`` does not match the manifest's ``reference``, or None."""
    if len(observed) != len(reference):
        return f"{len(observed)} outputs, the reference has {len(reference)}"
    for i, (got, want) in enumerate(zip(observed, reference, strict=True)):
        if len(got) != len(want):
            return f"output {i}: fingerprint of {len(got)} values, reference {len(want)}"
        scale = max((abs(v) for v in want), default=0.0)
        worst = max((abs(g - w) for g, w in zip(got, want, strict=True)), default=0.0)
        if not np.isfinite(worst) or worst > RTOL * scale + ATOL:
            return (
                f"output {i} differs from the reference outputs by {worst:.3g} "
                f"(tolerance {RTOL * scale + ATOL:.3g}): the weights are not the ones "
                "the set was built with"
            )
    return None
