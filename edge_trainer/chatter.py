"""Keeps native libraries' chatter (LiteRT's XNNPACK line, FFmpeg, OpenCV) off stderr.

C libraries write to file descriptor 2 directly, past Python's logging. ``NativeChatter``
points descriptor 2 at a pipe and copies everything that comes through to the real
stderr, except lines that match a known chatter pattern; those go to the debug log.
Python's own messages (errors, progress bars) pass unchanged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import threading
from typing import ClassVar

log = logging.getLogger(__name__)

CHATTER = re.compile(
    rb"^(INFO: (Created TensorFlow Lite|Initialized TensorFlow Lite|TfLite)"
    rb"|\[[\w,. -]+ @ 0x[0-9a-f]+\]"  # FFmpeg: [mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d1...] ...
    rb"|\[ *(WARN|ERROR|INFO):\d+@[\d.]+\]"  # OpenCV: [ WARN:0@0.012] global ...
    rb"|WARNING: All log messages before absl::InitializeLog"
    rb"|W0000 |I0000 |E0000 )"  # absl-style prefixes
)
_SPLIT = re.compile(rb"([^\r\n]*(?:\r\n|\n|\r))")


def stderr_is_terminal() -> bool:
    """Whether the user's stderr is a terminal, also while ``NativeChatter`` filters it."""
    if NativeChatter.terminal is not None:
        return NativeChatter.terminal
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class NativeChatter:
    """Context manager: filter descriptor 2 for its duration (no-op when it cannot).

    It does nothing when stderr is not descriptor 2 (a test capturing it), so it never
    hides output from a caller that redirected ``sys.stderr`` itself.
    """

    # Whether the real descriptor 2 is a terminal while it is filtered (the pipe is not).
    terminal: ClassVar[bool | None] = None

    def __init__(self) -> None:
        self._saved: int | None = None
        self._thread: threading.Thread | None = None
        self.dropped = 0

    def __enter__(self) -> NativeChatter:
        try:
            if sys.stderr is None or sys.stderr.fileno() != 2:
                return self
        except (AttributeError, OSError, ValueError):
            return self
        sys.stderr.flush()
        NativeChatter.terminal = os.isatty(2)
        read_fd, write_fd = os.pipe()
        self._saved = os.dup(2)
        os.dup2(write_fd, 2)
        os.close(write_fd)
        self._thread = threading.Thread(
            target=self._pump, args=(read_fd, self._saved), name="stderr-filter", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved is None:
            return
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        # Put the real stderr back: the pipe's last writer goes, and the pump ends at EOF
        # (a child process still holding the pipe is not waited for long).
        os.dup2(self._saved, 2)
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        os.close(self._saved)
        self._saved = None
        NativeChatter.terminal = None

    def _pump(self, read_fd: int, out_fd: int) -> None:
        pending = b""
        try:
            while chunk := os.read(read_fd, 65536):
                pending += chunk
                parts = _SPLIT.split(pending)
                pending = parts.pop()  # what follows the last line end: not a line yet
                for part in parts:
                    if part:
                        self._forward(part, out_fd)
            if pending:
                self._forward(pending, out_fd)
        except OSError:
            pass
        finally:
            os.close(read_fd)

    def _forward(self, line: bytes, out_fd: int) -> None:
        if CHATTER.match(line.lstrip(b"\r")):
            self.dropped += 1
            log.debug("native: %s", line.decode(errors="replace").strip())
            return
        with contextlib.suppress(OSError):
            os.write(out_fd, line)
