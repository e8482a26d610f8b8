"""Frames from the Raspberry Pi camera through picamera2 (imported only here, lazily)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from edge_trainer.camera.base import Frame
from edge_trainer.errors import CameraError, missing_dependency


class PiCameraSource:
    """The CSI camera. picamera2 comes from apt (python3-picamera2), not from PyPI."""

    live = True

    def __init__(self, width: int = 640, height: int = 480, fps: float = 30.0) -> None:
        self.width = width
        self.height = height
        self._fps = fps
        self._cam: Any = None
        self._t0 = 0.0
        self._index = 0

    @property
    def fps(self) -> float:
        return self._fps

    def open(self) -> None:
        try:
            # picamera2 loads libcamera at import time, so it is imported here only.
            from picamera2 import Picamera2
        except ImportError as exc:
            raise missing_dependency("picamera2", apt="python3-picamera2") from exc
        try:
            cam = Picamera2()
            config = cam.create_video_configuration(
                main={"size": (self.width, self.height), "format": "RGB888"},
                controls={"FrameRate": self._fps},
                buffer_count=2,
            )
            cam.configure(config)
            cam.start()
        except Exception as exc:  # libcamera raises plain RuntimeError/IndexError
            raise CameraError(f"cannot open the Pi camera: {exc}") from exc
        self._cam = cam
        if not self._t0:
            # Keep one time base across reopens: after a lost camera comes back, time
            # goes on from where it was, so downstream stages never see it run backwards.
            self._t0 = time.monotonic()

    def read(self) -> Frame | None:
        if self._cam is None:
            raise CameraError("the Pi camera is not open")
        try:
            # capture_array copies out of the camera buffer and releases it at once.
            # picamera2's "RGB888" is BGR in memory order; flip to RGB.
            bgr = self._cam.capture_array("main")
        except Exception as exc:
            raise CameraError(f"the Pi camera stopped delivering frames: {exc}") from exc
        t = time.monotonic() - self._t0
        rgb = np.ascontiguousarray(bgr[:, :, 2::-1])
        frame = Frame(image=rgb, t=t, index=self._index)
        self._index += 1
        return frame

    def close(self) -> None:
        if self._cam is not None:
            try:
                self._cam.stop()
                self._cam.close()
            finally:
                self._cam = None
