"""A bounded frame queue that drops the oldest frame instead of blocking capture."""

from __future__ import annotations

import threading
from collections import deque

from edge_trainer.camera.base import Frame


class FrameQueue:
    """Holds at most ``maxsize`` frames between capture and inference.

    In live mode ``put`` never waits: a full queue drops its oldest frame and counts it,
    so a slow stage never stalls capture and latency never builds. With ``lossless=True``
    (analysing a file) ``put`` waits for room instead, so every frame is processed.
    """

    def __init__(self, maxsize: int = 2, lossless: bool = False) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self.lossless = lossless
        self._items: deque[Frame] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self.dropped = 0
        self.put_count = 0

    def put(self, frame: Frame) -> None:
        """Add a frame; drops the oldest (live) or waits for room (lossless)."""
        with self._cond:
            if self.lossless:
                while len(self._items) >= self.maxsize and not self._closed:
                    self._cond.wait()
            elif len(self._items) >= self.maxsize:
                self._items.popleft()
                self.dropped += 1
            if self._closed:
                return
            self._items.append(frame)
            self.put_count += 1
            self._cond.notify_all()

    def get(self, timeout: float | None = None) -> Frame | None:
        """The oldest frame held, or None on timeout or once closed and empty."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._items or self._closed, timeout):
                return None
            if not self._items:
                return None
            frame = self._items.popleft()
            self._cond.notify_all()
            return frame

    def close(self) -> None:
        """Wake every waiter; later ``get`` calls drain what is left, then return None."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)
