"""Frames from a video file, read with OpenCV, each frame timestamped by its position."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from edge_trainer.camera.base import Frame
from edge_trainer.errors import VideoError

log = logging.getLogger(__name__)


class VideoFileSource:
    """Reads every frame of a video file in order.

    A file that stops early (truncated) ends with a VideoError once the frames it does hold
    have been delivered, so no readable frame is lost and the failure is still reported.
    """

    live = False

    def __init__(self, path: str | Path, fps_override: float | None = None) -> None:
        self.path = Path(path)
        self._fps_override = fps_override
        self._cap: cv2.VideoCapture | None = None
        self._fps = 30.0
        self._expected = 0
        self._index = 0
        self._first: npt.NDArray[Any] | None = None

    @property
    def fps(self) -> float:
        return self._fps

    @property
    def frame_count(self) -> int:
        """Frames the container says it holds (0 if it does not say)."""
        return self._expected

    def open(self) -> None:
        if not self.path.is_file():
            raise VideoError(f"cannot read video '{self.path}': no such file")
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            raise VideoError(f"cannot read video '{self.path}': not a video OpenCV can decode")
        fps = cap.get(cv2.CAP_PROP_FPS)
        self._fps = self._fps_override or (fps if 1.0 <= fps <= 240.0 else 30.0)
        self._expected = max(0, int(cap.get(cv2.CAP_PROP_FRAME_COUNT)))
        ok, first = cap.read()
        if not ok or first is None:
            cap.release()
            raise VideoError(f"cannot read video '{self.path}': no decodable frames")
        # The probed frame is delivered first rather than seeking back to it: a seek in
        # a one-frame file fails, and its only frame would be lost.
        self._first = first
        self._cap = cap
        self._index = 0

    def read(self) -> Frame | None:
        if self._cap is None:
            raise VideoError(f"cannot read video '{self.path}': not open")
        bgr: Any
        if self._first is not None:
            ok, bgr, self._first = True, self._first, None
        else:
            ok, bgr = self._cap.read()
        if not ok or bgr is None:
            # Containers often overstate their length by a frame or two; only a large
            # shortfall means the file was cut off.
            if self._expected and self._index < self._expected * 0.9 - 2:
                raise VideoError(
                    f"cannot read video '{self.path}': truncated after {self._index} of "
                    f"{self._expected} frames"
                )
            return None
        rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        frame = Frame(image=rgb, t=self._index / self._fps, index=self._index)
        self._index += 1
        return frame

    def close(self) -> None:
        self._first = None
        if self._cap is not None:
            self._cap.release()
            self._cap = None
