"""Frame sources: video files, USB cameras, the Pi camera and synthetic frames."""

from edge_trainer.camera.base import Frame, FrameSource

__all__ = ["Frame", "FrameSource"]
