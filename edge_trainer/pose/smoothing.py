"""Landmark smoothing: a One Euro filter whose speed is measured in body sizes per second.

The One Euro filter is a low-pass filter whose cut-off rises with speed: a still body
is smoothed hard (no jitter), a moving limb passes almost unfiltered (no lag, so a rep's
turning point is not delayed). Speeds are divided by the person's size in pixels, so the
same settings work near and far from the camera.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

# Defaults follow MediaPipe's pose graph: body landmarks, and the heavier filtering of the
# two alignment points that place the next frame's region (a steady crop when still).
BODY_MIN_CUTOFF = 0.05
BODY_BETA = 80.0
ALIGN_MIN_CUTOFF = 0.01
ALIGN_BETA = 10.0
DERIVATIVE_CUTOFF = 1.0
VISIBILITY_ALPHA = 0.1


def _alpha(cutoff: npt.NDArray[np.float64] | float, dt: float) -> npt.NDArray[np.float64]:
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff, dtype=np.float64))
    out: npt.NDArray[np.float64] = 1.0 / (1.0 + tau / dt)
    return out


class OneEuroFilter:
    """A One Euro filter over an array of values, all sharing one clock.

    Args:
        min_cutoff: Cut-off frequency (Hz) when still; lower is smoother.
        beta: How fast the cut-off rises with speed; higher lags less.
        derivative_cutoff: Cut-off (Hz) of the speed estimate.
    """

    def __init__(
        self,
        min_cutoff: float = BODY_MIN_CUTOFF,
        beta: float = BODY_BETA,
        derivative_cutoff: float = DERIVATIVE_CUTOFF,
    ) -> None:
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.derivative_cutoff = derivative_cutoff
        self.reset()

    def reset(self) -> None:
        """Forget the history; the next value passes through unchanged."""
        self._t: float | None = None
        self._x: npt.NDArray[np.float64] | None = None
        self._raw: npt.NDArray[np.float64] | None = None
        self._dx: npt.NDArray[np.float64] | None = None

    def __call__(
        self, value: npt.NDArray[np.floating[Any]], t: float, scale: float = 1.0
    ) -> npt.NDArray[np.float64]:
        """Filter ``value`` observed at time ``t`` (seconds).

        Args:
            value: Any-shaped array; the shape must not change between calls.
            t: Source time; a time that does not move forward restarts the filter.
            scale: Divides speeds (e.g. the body size in the values' units).
        """
        value = np.asarray(value, dtype=np.float64)
        if (
            self._t is None
            or self._x is None
            or self._raw is None
            or t <= self._t
            or self._x.shape != value.shape
        ):
            self._t, self._x, self._raw = t, value.copy(), value.copy()
            self._dx = np.zeros_like(value)
            return value.copy()
        dt = t - self._t
        speed = (value - self._raw) / max(scale, 1e-9) / dt
        a_d = _alpha(self.derivative_cutoff, dt)
        self._dx = a_d * speed + (1.0 - a_d) * (self._dx if self._dx is not None else 0.0)
        cutoff = self.min_cutoff + self.beta * np.abs(self._dx)
        a = _alpha(cutoff, dt)
        self._x = a * value + (1.0 - a) * self._x
        self._raw = value.copy()
        self._t = t
        return self._x.copy()


class LandmarkSmoother:
    """Smooths a person's landmarks, visibilities and alignment points over frames."""

    def __init__(self, min_cutoff: float = BODY_MIN_CUTOFF, beta: float = BODY_BETA) -> None:
        self._body = OneEuroFilter(min_cutoff, beta)
        self._align = OneEuroFilter(ALIGN_MIN_CUTOFF, ALIGN_BETA)
        self._world = OneEuroFilter(0.1, 40.0)
        self._vis: npt.NDArray[np.float64] | None = None

    def reset(self) -> None:
        """Start afresh (the person was lost or changed)."""
        self._body.reset()
        self._align.reset()
        self._world.reset()
        self._vis = None

    def __call__(
        self,
        landmarks: npt.NDArray[np.float32],
        aux: npt.NDArray[np.float32],
        world: npt.NDArray[np.float32],
        t: float,
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """Smoothed copies of ``(33, 5)`` pixel landmarks, ``(2, 2)`` aux, ``(33, 3)`` world.

        The body size used to scale speeds is the alignment box (twice the distance
        between the two alignment points), in the landmarks' pixel units.
        """
        size = float(2.0 * np.hypot(*(aux[1] - aux[0])))
        out = landmarks.copy()
        out[:, :3] = self._body(landmarks[:, :3], t, size)
        vis = landmarks[:, 3].astype(np.float64)
        if self._vis is not None:
            vis = VISIBILITY_ALPHA * vis + (1.0 - VISIBILITY_ALPHA) * self._vis
        self._vis = vis
        out[:, 3] = self._vis
        aux_out = self._align(aux, t, size).astype(np.float32)
        world_out = self._world(world, t).astype(np.float32)
        return out, aux_out, world_out
