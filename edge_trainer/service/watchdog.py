"""Watchdog pings that come from the frame loop, so a stalled pipeline gets restarted."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

from edge_trainer.service.notify import Notifier

log = logging.getLogger(__name__)


class FrameWatchdog:
    """Pings systemd's watchdog only while frames are being processed.

    Call ``frame()`` from the frame loop after each processed frame: it pings at most
    every ``ping_every_s`` (half of ``WatchdogSec`` by default, as systemd advises). If
    the loop stalls, the calls stop, the pings stop, and systemd restarts the service.
    Nothing here runs on its own thread: a timer thread would keep pinging a dead loop.

    ``keepalive(reason)`` is for a loop that is healthy but knowingly without frames
    (the camera is being reopened with back-off); it pings the same way and logs why.

    Args:
        notifier: Where pings go; disabled notifier or no watchdog means no pings.
        ping_every_s: Seconds between pings; None derives it from ``WATCHDOG_USEC``.
        clock: Monotonic clock (injectable for tests).
    """

    def __init__(
        self,
        notifier: Notifier,
        ping_every_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.notifier = notifier
        timeout = notifier.watchdog_interval()
        if ping_every_s is None and timeout is not None:
            ping_every_s = timeout / 2
        self.ping_every_s = ping_every_s
        self._clock = clock
        self._last_ping: float | None = None
        self._frames: deque[float] = deque(maxlen=64)
        self.pings = 0
        self.frames = 0
        self._keepalive_reason = ""

    @property
    def enabled(self) -> bool:
        """True when pings are being sent (systemd asked for a watchdog)."""
        return self.ping_every_s is not None and self.notifier.enabled

    def frame(self) -> None:
        """Record one processed frame; pings systemd when a ping is due."""
        now = self._clock()
        self.frames += 1
        self._frames.append(now)
        if self._keepalive_reason:
            log.info("frames flow again (was: %s)", self._keepalive_reason)
            self._keepalive_reason = ""
        self._maybe_ping(now)

    def keepalive(self, reason: str) -> None:
        """Ping without frames, for a known recoverable gap (e.g. camera reopening)."""
        if reason != self._keepalive_reason:
            log.info("watchdog kept alive without frames: %s", reason)
            self._keepalive_reason = reason
        self._maybe_ping(self._clock())

    def _maybe_ping(self, now: float) -> None:
        if self.ping_every_s is None:
            return
        if self._last_ping is None or now - self._last_ping >= self.ping_every_s:
            self._last_ping = now
            if self.notifier.watchdog():
                self.pings += 1

    def fps(self) -> float:
        """Processed frames per second over the recent frames (0 when stalled)."""
        if len(self._frames) < 2 or self._clock() - self._frames[-1] > 2.0:
            return 0.0
        span = self._frames[-1] - self._frames[0]
        return (len(self._frames) - 1) / span if span > 0 else 0.0
