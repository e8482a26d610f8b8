"""The daemon's side of systemd in one object: signals, READY/STATUS/STOPPING, watchdog."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

from edge_trainer.config import ServiceConfig
from edge_trainer.service.notify import Notifier
from edge_trainer.service.signals import SignalHandlers
from edge_trainer.service.watchdog import FrameWatchdog

log = logging.getLogger(__name__)


class ServiceRuntime:
    """Bundles ``Notifier``, ``FrameWatchdog`` and ``SignalHandlers`` for the app.

    Typical use in the composition root::

        rt = ServiceRuntime(cfg.service)
        rt.install_signals()          # main thread
        ...build camera and models...
        rt.ready("camera and models up")
        # frame loop:   rt.frame() after every processed frame
        # main loop:    while not rt.signals.wait(1.0): rt.status(line)
        #               if rt.signals.take_reload(): rt.reloading(); ...; rt.ready("reloaded")
        rt.stopping(); ...ordered shutdown...; rt.close()

    Without ``NOTIFY_SOCKET`` all notify calls are no-ops and signals still work.

    Args:
        cfg: The service section of the config.
        environ: Environment to read systemd's variables from (default: the process's).
        clock: Monotonic clock (injectable for tests).
    """

    def __init__(
        self,
        cfg: ServiceConfig,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cfg = cfg
        self.notifier = Notifier(environ)
        self.watchdog = FrameWatchdog(self.notifier, clock=clock)
        self.signals = SignalHandlers()
        self._clock = clock
        self._last_status: float | None = None
        self.is_ready = False

    def install_signals(self) -> SignalHandlers:
        """Install SIGTERM/SIGINT/SIGHUP/SIGUSR1 handling (main thread only)."""
        return self.signals.install()

    def ready(self, status: str = "running") -> None:
        """Start-up (or a reload) is complete: camera and models are up."""
        self.is_ready = True
        self.notifier.ready(status)
        self._last_status = self._clock()
        if self.notifier.enabled:
            log.info(
                "told systemd READY (%s); watchdog ping every %s s",
                status,
                self.watchdog.ping_every_s,
            )

    def frame(self) -> None:
        """Call after each processed frame: feeds the watchdog."""
        self.watchdog.frame()

    def status(self, text: str, force: bool = False) -> bool:
        """Send a STATUS line, at most every ``status_interval_s`` unless ``force``."""
        now = self._clock()
        due = self._last_status is None or now - self._last_status >= self.cfg.status_interval_s
        if not (force or due):
            return False
        self._last_status = now
        return self.notifier.status(text)

    def reloading(self) -> None:
        """A reload began (SIGHUP); call ``ready()`` when the new config is in use."""
        self.notifier.reloading()

    def stopping(self, status: str = "stopping") -> None:
        """Shutdown began; systemd stops expecting watchdog pings."""
        self.notifier.stopping(status)

    def close(self) -> None:
        """Restore signal handlers and close the socket; safe to call twice."""
        self.signals.restore()
        self.notifier.close()
