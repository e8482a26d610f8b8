"""The session log: every event as one JSON line, flushed as it happens."""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from pathlib import Path
from typing import IO, Any

from edge_trainer.events import Event

log = logging.getLogger(__name__)


def event_to_dict(event: Event) -> dict[str, Any]:
    """A JSON-ready dict with the event's type name under ``type``."""
    data = dataclasses.asdict(event)
    data["type"] = type(event).__name__
    return data


class EventLog:
    """Appends events to a JSONL file; safe to call from several threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] | None = path.open("a", encoding="utf-8")
        self._lock = threading.Lock()
        self.count = 0

    def __call__(self, event: Event) -> None:
        line = json.dumps(event_to_dict(event), separators=(",", ":"), default=str)
        with self._lock:
            if self._file is None:
                return
            self._file.write(line + "\n")
            self._file.flush()
            self.count += 1

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def read_events(path: Path) -> list[dict[str, Any]]:
    """All events of a session log, for tests and tools."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
