"""Frames drawn by a function of time: the synthetic gym, or a test pattern."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from edge_trainer.camera.base import Frame

Renderer = Callable[[int, float], npt.NDArray[np.uint8]]


def moving_gradient(width: int = 640, height: int = 480) -> Renderer:
    """A moving gradient, for plumbing tests that need no person in the picture."""

    def render(index: int, t: float) -> npt.NDArray[np.uint8]:
        x = np.linspace(0, 255, width, dtype=np.float32)
        row = ((x + 40.0 * t) % 256).astype(np.uint8)
        img = np.empty((height, width, 3), np.uint8)
        img[:] = row[None, :, None]
        return img

    return render


class SyntheticSource:
    """A finite source of rendered frames with exact timestamps ``index / fps``."""

    live = False

    def __init__(self, render: Renderer, frames: int, fps: float = 30.0) -> None:
        self._render = render
        self._frames = frames
        self._fps = fps
        self._index = 0

    @property
    def fps(self) -> float:
        return self._fps

    def open(self) -> None:
        self._index = 0

    def read(self) -> Frame | None:
        if self._index >= self._frames:
            return None
        t = self._index / self._fps
        frame = Frame(image=self._render(self._index, t), t=t, index=self._index)
        self._index += 1
        return frame

    def close(self) -> None:
        self._index = self._frames
