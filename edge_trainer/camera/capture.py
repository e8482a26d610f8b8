"""The capture thread: source -> FrameQueue, pacing files and reopening lost cameras."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from edge_trainer.camera.base import FrameSource
from edge_trainer.camera.queue import FrameQueue
from edge_trainer.errors import CameraError, EdgeTrainerError

log = logging.getLogger(__name__)


class CaptureWorker:
    """Reads a source on its own thread and feeds a FrameQueue.

    Args:
        source: The frame source (opened by the worker).
        queue: Where frames go; closed when the source ends or capture gives up.
        realtime: Pace a file at its frame rate, as a camera would deliver it.
        backoff_s: Waits between reopen attempts of a live source; the last one repeats.
        on_lost: Called with the reason when a live camera fails.
        on_restored: Called when frames flow again after a failure.
        max_reopen: Reopen attempts in a row before giving up (None: never give up).
    """

    def __init__(
        self,
        source: FrameSource,
        queue: FrameQueue,
        *,
        realtime: bool = False,
        backoff_s: Sequence[float] = (0.5, 1.0, 2.0, 5.0),
        on_lost: Callable[[str], None] | None = None,
        on_restored: Callable[[], None] | None = None,
        max_reopen: int | None = None,
    ) -> None:
        self.source = source
        self.queue = queue
        self.realtime = realtime
        self.backoff_s = tuple(backoff_s) or (1.0,)
        self.on_lost = on_lost
        self.on_restored = on_restored
        self.max_reopen = max_reopen
        self.error: EdgeTrainerError | None = None
        self.frames_read = 0
        # time.monotonic() at source time 0: maps a frame's t to when it was captured.
        self.t0_wall: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="capture", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to stop; idempotent."""
        self._stop.set()
        self.queue.close()

    def join(self, timeout: float | None = None) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def wall_time(self, t: float) -> float | None:
        """The ``time.monotonic()`` at which the frame of source time ``t`` was captured."""
        return None if self.t0_wall is None else self.t0_wall + t

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            self._loop()
        except EdgeTrainerError as exc:
            self.error = exc
            # A file's failure ends its run and is raised by whoever runs it: said once.
            log.log(logging.ERROR if self.source.live else logging.DEBUG, "%s", exc)
        except Exception as exc:  # any other failure must still end the pipeline cleanly
            self.error = CameraError(f"capture failed: {exc!r}")
            log.exception("capture thread failed")
        finally:
            self.source.close()
            self.queue.close()

    def _loop(self) -> None:
        self.source.open()
        start = time.monotonic()
        failures = 0
        while not self._stop.is_set():
            try:
                frame = self.source.read()
            except CameraError as exc:
                if not self.source.live:
                    raise
                failures += 1
                if not self._reopen(str(exc), failures):
                    raise
                continue
            if frame is None:
                return
            if failures:
                failures = 0
                log.info("camera restored")
                if self.on_restored:
                    self.on_restored()
            if self.realtime and not self.source.live:
                delay = start + frame.t - time.monotonic()
                if delay > 0 and self._stop.wait(delay):
                    return
            if self.t0_wall is None:
                self.t0_wall = time.monotonic() - frame.t
            self.frames_read += 1
            self.queue.put(frame)

    def _reopen(self, reason: str, attempt: int) -> bool:
        """Close and reopen the source after a back-off; False once the budget is spent."""
        if attempt == 1:
            log.warning("camera lost: %s; retrying", reason)
            if self.on_lost:
                self.on_lost(reason)
        while not self._stop.is_set():
            if self.max_reopen is not None and attempt > self.max_reopen:
                return False
            wait = self.backoff_s[min(attempt - 1, len(self.backoff_s) - 1)]
            if self._stop.wait(wait):
                return False
            self.source.close()
            try:
                self.source.open()
                return True
            except CameraError as exc:
                log.info("camera reopen attempt %d failed: %s", attempt, exc)
                attempt += 1
        return False
