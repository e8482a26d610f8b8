"""The systemd notify protocol (READY, STATUS, WATCHDOG, STOPPING) over NOTIFY_SOCKET.

A few lines of socket code instead of a dependency: one datagram per message to the
AF_UNIX socket systemd names in ``NOTIFY_SOCKET``. Without that variable (a terminal,
the emulator, tests) every call is a cheap no-op.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)


def _address(raw: str) -> str | bytes | None:
    """Decode NOTIFY_SOCKET: a filesystem path, or ``@name`` for the abstract namespace."""
    if raw.startswith("/"):
        return raw
    if raw.startswith("@"):
        return b"\0" + raw[1:].encode()
    return None


class Notifier:
    """Sends sd_notify messages to systemd; every method is a no-op when disabled.

    Send failures are logged once and never raised: losing a STATUS line must not take
    the trainer down. (A lost WATCHDOG ping will, which is the point of the watchdog.)

    Args:
        environ: Where to read ``NOTIFY_SOCKET``, ``WATCHDOG_USEC`` and ``WATCHDOG_PID``
            (the process environment by default).
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._warned = False
        self.sent = 0
        raw = env.get("NOTIFY_SOCKET", "")
        self.address = _address(raw) if raw else None
        if raw and self.address is None:
            log.warning("NOTIFY_SOCKET=%r is not a unix socket address; notify disabled", raw)
        self._watchdog_usec = self._read_watchdog(env)

    @staticmethod
    def _read_watchdog(env: Mapping[str, str]) -> int | None:
        try:
            usec = int(env.get("WATCHDOG_USEC", "0"))
        except ValueError:
            return None
        pid = env.get("WATCHDOG_PID", "")
        # WATCHDOG_PID names the process systemd expects pings from; any other (a child
        # that inherited the environment) must not ping.
        if usec <= 0 or (pid and pid != str(os.getpid())):
            return None
        return usec

    @property
    def enabled(self) -> bool:
        """True when running under systemd with a notify socket."""
        return self.address is not None

    def watchdog_interval(self) -> float | None:
        """systemd's watchdog timeout in seconds (``WatchdogSec``), or None if not enabled."""
        return None if self._watchdog_usec is None else self._watchdog_usec / 1e6

    def notify(self, **fields: object) -> bool:
        """Send one message of ``KEY=value`` lines; returns True if it was sent."""
        if self.address is None:
            return False
        text = "\n".join(f"{key}={value}" for key, value in fields.items())
        data = text.encode("utf-8", "replace")
        with self._lock:
            try:
                if self._sock is None:
                    self._sock = socket.socket(
                        socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC
                    )
                self._sock.sendto(data, self.address)
            except OSError as exc:
                if not self._warned:
                    self._warned = True
                    log.warning("systemd notify to %r failed: %s", self.address, exc)
                return False
            self.sent += 1
            return True

    def ready(self, status: str | None = None) -> bool:
        """Tell systemd start-up is complete (camera and models are up)."""
        if status is None:
            return self.notify(READY=1)
        return self.notify(READY=1, STATUS=status)

    def status(self, text: str) -> bool:
        """Set the one-line status ``systemctl status`` shows."""
        return self.notify(STATUS=text.replace("\n", " "))

    def watchdog(self) -> bool:
        """Ping the watchdog (use ``FrameWatchdog``, which pings only while frames flow)."""
        return self.notify(WATCHDOG=1)

    def reloading(self) -> bool:
        """Tell systemd a reload began; send ``ready()`` when it is done."""
        usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        return self.notify(RELOADING=1, MONOTONIC_USEC=usec)

    def stopping(self, status: str | None = None) -> bool:
        """Tell systemd shutdown began."""
        if status is None:
            return self.notify(STOPPING=1)
        return self.notify(STOPPING=1, STATUS=status)

    def extend_timeout(self, seconds: float) -> bool:
        """Ask for more time for the current start-up or shutdown step."""
        return self.notify(EXTEND_TIMEOUT_USEC=int(seconds * 1e6))

    def close(self) -> None:
        """Close the socket; safe to call twice."""
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None
