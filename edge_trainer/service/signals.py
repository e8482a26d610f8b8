"""Signal handling: SIGTERM/SIGINT request a stop, SIGHUP a reload, SIGUSR1 dumps stacks."""

from __future__ import annotations

import faulthandler
import logging
import signal
import sys
import threading
from types import FrameType
from typing import Any, TextIO

log = logging.getLogger(__name__)


class SignalHandlers:
    """Turns signals into flags the app's main loop acts on.

    - SIGTERM (systemd stop) and SIGINT (Ctrl-C) set ``stop``, so both run the same
      ordered shutdown. A second SIGINT raises KeyboardInterrupt, for a stuck shutdown.
    - SIGHUP (``systemctl reload``) requests a reload; ``take_reload()`` consumes it.
    - SIGUSR1 makes ``faulthandler`` write every thread's stack to stderr (journald).

    Every signal also sets ``wake``, so a main loop sleeping in ``wait()`` reacts at once.
    Events are set from a short helper thread: ``Event.set()`` takes a lock the main
    thread may be holding at the moment the handler interrupts it.

    Args:
        dump_file: Where SIGUSR1 stack dumps go (needs a real file descriptor).
    """

    def __init__(self, dump_file: TextIO | None = None) -> None:
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.stop_signal: str | None = None
        self._reloads_requested = 0
        self._reloads_taken = 0
        self._dump_file = dump_file
        self._previous: dict[int, Any] = {}
        self._installed = False

    def install(self) -> SignalHandlers:
        """Install the handlers (main thread only); returns self."""
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("signal handlers can only be installed from the main thread")
        for signum, handler in (
            (signal.SIGTERM, self._on_stop),
            (signal.SIGINT, self._on_stop),
            (signal.SIGHUP, self._on_reload),
        ):
            self._previous[signum] = signal.signal(signum, handler)
        dump = self._dump_file or _fd_stream()
        faulthandler.register(signal.SIGUSR1, file=dump, all_threads=True)
        self._installed = True
        return self

    def restore(self) -> None:
        """Put the previous handlers back; safe to call twice."""
        if not self._installed:
            return
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        faulthandler.unregister(signal.SIGUSR1)
        self._previous.clear()
        self._installed = False

    def __enter__(self) -> SignalHandlers:
        return self.install()

    def __exit__(self, *exc: object) -> None:
        self.restore()

    def take_reload(self) -> bool:
        """True once per SIGHUP received since the last call (several HUPs: one reload)."""
        requested = self._reloads_requested
        if requested == self._reloads_taken:
            return False
        self._reloads_taken = requested
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Sleep until a signal arrives or ``timeout`` passes; returns ``stop.is_set()``."""
        self.wake.wait(timeout)
        self.wake.clear()
        return self.stop.is_set()

    def request_stop(self, reason: str = "request") -> None:
        """Ask for a stop from code (same effect as SIGTERM)."""
        if self.stop_signal is None:
            self.stop_signal = reason
        self.stop.set()
        self.wake.set()

    def _on_stop(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.stop_signal is not None:
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            return
        self.stop_signal = name
        _set_later(self.stop, self.wake)

    def _on_reload(self, signum: int, frame: FrameType | None) -> None:
        self._reloads_requested += 1
        _set_later(self.wake)


def _set_later(*events: threading.Event) -> None:
    """Set events off the signal handler's (main) thread, avoiding a lock re-entry."""

    def run() -> None:
        for event in events:
            event.set()

    threading.Thread(target=run, name="signal-set", daemon=True).start()


def _fd_stream() -> TextIO:
    """stderr if it is a real file (it is not under some test runners), else the original."""
    try:
        sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return sys.__stderr__ if sys.__stderr__ is not None else sys.stdout
    return sys.stderr
