"""A live one-line status for the terminal (and the text systemd's STATUS shows)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class StatusLine:
    """Rewrites one line on a terminal; prints a line every few seconds otherwise."""

    def __init__(self, stream: TextIO | None = None, interval_s: float = 5.0) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval_s = 0.2 if self.tty else interval_s
        self._last = 0.0
        self._width = 0
        self.text = ""

    def update(self, text: str, force: bool = False) -> None:
        self.text = text
        now = time.monotonic()
        if not force and now - self._last < self.interval_s:
            return
        self._last = now
        if self.tty:
            pad = max(0, self._width - len(text))
            self.stream.write("\r" + text + " " * pad)
            self._width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0
