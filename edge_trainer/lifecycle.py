"""Ordered, idempotent shutdown: cleanup steps run once, newest first, failures logged."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


class Closer:
    """Runs cleanup callbacks once, newest first, logging (not raising) failures.

    Register each part as it is built; closing then undoes start-up in reverse, and a
    part that fails to close does not stop the others from closing.
    """

    def __init__(self) -> None:
        self.steps: list[tuple[str, Callable[[], object]]] = []
        self.done = False

    def add(self, name: str, fn: Callable[[], object]) -> None:
        self.steps.append((name, fn))

    def close(self) -> None:
        if self.done:
            return
        self.done = True
        for name, fn in reversed(self.steps):
            try:
                fn()
            except Exception:
                log.exception("closing %s failed", name)
