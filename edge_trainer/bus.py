"""A small synchronous event bus: the pipeline publishes, outputs subscribe."""

from __future__ import annotations

import logging
from collections.abc import Callable

from edge_trainer.events import Event

log = logging.getLogger(__name__)

Handler = Callable[[Event], None]


class EventBus:
    """Delivers each event to every subscriber, in subscription order.

    Handlers run on the publishing (inference) thread, so they must only hand work to
    their own worker. A handler that raises is logged and does not stop the others.
    """

    def __init__(self) -> None:
        self._handlers: list[tuple[str, Handler]] = []
        self.errors = 0

    def subscribe(self, handler: Handler, name: str = "") -> None:
        self._handlers.append((name or getattr(handler, "__qualname__", "handler"), handler))

    def publish(self, event: Event) -> None:
        for name, handler in self._handlers:
            try:
                handler(event)
            except Exception:
                self.errors += 1
                log.exception("event handler %s failed on %s", name, type(event).__name__)

    def publish_all(self, events: list[Event]) -> None:
        for event in events:
            self.publish(event)
