"""Runs the real daemon (``App`` in run mode) on a clip whose camera can hang.

Used by the daemon tests as a subprocess: ``python -m tests.daemon_harness CONFIG CLIP
[--hang-after N]``. Everything is the production daemon except the camera, which plays a
video file and, with ``--hang-after``, stops delivering frames after N of them the way a
wedged camera driver does (``read`` blocks until capture is stopped).
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path

from edge_trainer import config
from edge_trainer.app import App
from edge_trainer.camera.base import Frame
from edge_trainer.camera.video import VideoFileSource
from edge_trainer.cli import setup_logging


class HangingCamera:
    """A live camera that hangs after ``hang_after`` frames."""

    live = True

    def __init__(self, clip: Path, hang_after: int | None) -> None:
        self.video = VideoFileSource(clip)
        self.hang_after = hang_after
        self.read_count = 0
        self._closed = threading.Event()
        self._t0 = 0.0

    @property
    def fps(self) -> float:
        return self.video.fps

    def open(self) -> None:
        self._closed.clear()
        self.video.open()
        self._t0 = time.monotonic()

    def read(self) -> Frame | None:
        if self.hang_after is not None and self.read_count >= self.hang_after:
            self._closed.wait()
            return None
        self.read_count += 1
        frame = self.video.read()
        if frame is not None:
            # A camera delivers frames at its own rate, not as fast as a file decodes.
            self._closed.wait(max(0.0, self._t0 + frame.t - time.monotonic()))
        return frame

    def close(self) -> None:
        self._closed.set()
        self.video.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("config", type=Path)
    parser.add_argument("clip", type=Path)
    parser.add_argument("--hang-after", type=int)
    args = parser.parse_args()
    setup_logging("info")
    cfg = config.load(args.config)
    source = HangingCamera(args.clip, args.hang_after) if args.hang_after else None
    app = App(cfg, "run", video=args.clip, config_path=args.config, source=source)
    return app.run()


if __name__ == "__main__":
    raise SystemExit(main())
