"""Frames from a USB (UVC) camera through OpenCV's V4L2 backend."""

from __future__ import annotations

import time

import cv2
import numpy as np

from edge_trainer.camera.base import Frame
from edge_trainer.errors import CameraError


class UsbCameraSource:
    """A live USB camera; timestamps are capture times relative to ``open``."""

    live = True

    def __init__(self, device: int = 0, width: int = 640, height: int = 480, fps: float = 30.0):
        self.device = device
        self.width = width
        self.height = height
        self._fps = fps
        self._cap: cv2.VideoCapture | None = None
        self._t0 = 0.0
        self._index = 0

    @property
    def fps(self) -> float:
        return self._fps

    def open(self) -> None:
        cap = cv2.VideoCapture(self.device, cv2.CAP_V4L2)
        if not cap.isOpened():
            cap.release()
            raise CameraError(f"cannot open USB camera /dev/video{self.device}")
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        cap.set(cv2.CAP_PROP_FPS, self._fps)
        # One buffered frame: a slow consumer then sees a recent frame, not an old one.
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._cap = cap
        if not self._t0:
            # Keep one time base across reopens: after a lost camera comes back, time
            # goes on from where it was, so downstream stages never see it run backwards.
            self._t0 = time.monotonic()

    def read(self) -> Frame | None:
        if self._cap is None:
            raise CameraError(f"USB camera /dev/video{self.device} is not open")
        ok, bgr = self._cap.read()
        t = time.monotonic() - self._t0
        if not ok or bgr is None:
            raise CameraError(f"USB camera /dev/video{self.device} stopped delivering frames")
        rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        frame = Frame(image=rgb, t=t, index=self._index)
        self._index += 1
        return frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
