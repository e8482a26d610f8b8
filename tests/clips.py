"""Tiny video files made on the fly for tests."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def write_test_video(path: Path, frames: int = 30, fps: float = 30.0, size=(64, 48)) -> Path:
    """An mp4 of a moving bar; each frame's bar position encodes its index."""
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    assert writer.isOpened(), "OpenCV cannot write mp4 here"
    for i in range(frames):
        img = np.full((h, w, 3), 30, np.uint8)
        x = (i * 2) % w
        img[:, x : x + 2] = 220
        writer.write(img)
    writer.release()
    return path
