"""The Frame type and the FrameSource protocol every camera adapter implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Frame:
    """One RGB image with its own timestamp.

    Attributes:
        image: ``(height, width, 3)`` uint8 RGB, owned by this frame (never a camera buffer).
        t: Seconds since the source started; from the frame's position in a file, or the
            capture time of a live camera. Downstream stages use this, never the clock.
        index: Frame number from the source, counting frames the source delivered.
    """

    image: npt.NDArray[np.uint8]
    t: float
    index: int


@runtime_checkable
class FrameSource(Protocol):
    """A source of frames. ``read`` returns None at the end of a finite source."""

    @property
    def fps(self) -> float:
        """Nominal frame rate."""
        ...

    @property
    def live(self) -> bool:
        """True for cameras (frames are dropped when late), False for files."""
        ...

    def open(self) -> None:
        """Acquire the device or file; raises CameraError or VideoError."""
        ...

    def read(self) -> Frame | None:
        """Next frame, or None at the end of a file; raises CameraError on failure."""
        ...

    def close(self) -> None:
        """Release the device. Safe to call more than once."""
        ...
