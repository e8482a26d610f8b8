"""What the live and the replay speaker share: the cue queue behind a lock, mute, and
what became of each cue (counters, and one JSON line per cue)."""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edge_trainer.coach.cue_queue import CueQueue, Dropped, Queued
from edge_trainer.coach.cues import Cue

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SpeechStats:
    """Counters of a speaker (read them from any thread).

    Attributes:
        spoken: Cues spoken (or written).
        stale: Cues dropped because their expiry passed before they could start.
        superseded: Queued cues replaced by a newer cue with the same key.
        overflow: Cues dropped because the queue was full.
        muted: Cues dropped while muted.
        errors: Cues the engine failed on.
        start_latency_ms: Per spoken cue, event frame time to the engine starting on it.
        ready_latency_ms: Per spoken cue, event frame time to its audio existing (WAV
            file complete, or the speaker's playback starting).
    """

    spoken: int = 0
    stale: int = 0
    superseded: int = 0
    overflow: int = 0
    muted: int = 0
    errors: int = 0
    start_latency_ms: deque[float] = field(default_factory=lambda: deque(maxlen=1000))
    ready_latency_ms: deque[float] = field(default_factory=lambda: deque(maxlen=1000))


def write_index_entry(path: Path, seq: int, cue: Cue, outcome: str, **extra: Any) -> None:
    """Append one JSON line about ``cue`` (spoken, stale, superseded...) to ``path``."""
    entry = {
        "seq": seq,
        "t": round(cue.t, 3),
        "kind": cue.kind,
        "priority": cue.priority,
        "text": cue.text,
        "outcome": outcome,
        **extra,
    }
    try:
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
    except OSError:
        log.warning("cannot append to the cue index %s", path)


class CueLog:
    """Counts every cue's outcome in ``stats`` and, with an index file, writes it down.

    Args:
        index_path: One JSON line per numbered cue (spoken or dropped) goes here.
    """

    def __init__(self, index_path: Path | None) -> None:
        self.stats = SpeechStats()
        self._index = index_path

    def dropped(self, drops: Iterable[Dropped]) -> None:
        """Count (and write down) cues the queue let go."""
        for d in drops:
            cue = d.item.cue
            if d.outcome == "muted":
                self.stats.muted += 1
                continue  # muted on purpose: nothing worth a line
            if d.outcome == "stale":
                self.stats.stale += 1
                late_ms = round(d.late_s * 1e3, 1)
                log.info("dropped stale cue %r (%.0f ms past expiry)", cue.text, late_ms)
                self._write(d.item, "stale", late_ms=late_ms)
            elif d.outcome == "superseded":
                self.stats.superseded += 1
                self._write(d.item, "superseded")
            else:
                self.stats.overflow += 1
                self._write(d.item, "overflow")

    def spoken(
        self,
        item: Queued,
        file: str | None,
        start_ms: float,
        ready_ms: float | None = None,
        **when: float,
    ) -> None:
        """Count a spoken cue and write its line.

        Args:
            item: The cue.
            file: The file written for it (None when spoken aloud).
            start_ms: Its event to the engine starting on it.
            ready_ms: Its event to its audio existing; None when that was the start.
            when: Source times of its speaking, for its line.
        """
        self.stats.spoken += 1
        self.stats.start_latency_ms.append(start_ms)
        self.stats.ready_latency_ms.append(start_ms if ready_ms is None else ready_ms)
        fields: dict[str, Any] = {"file": file, **when, "start_latency_ms": round(start_ms, 1)}
        if ready_ms is not None:
            fields["ready_latency_ms"] = round(ready_ms, 1)
        self._write(item, "spoken", **fields)

    def failed(self, item: Queued, exc: Exception) -> None:
        """Count a cue the engine could not say."""
        self.stats.errors += 1
        self._write(item, "error", error=str(exc))

    def _write(self, item: Queued, outcome: str, **extra: Any) -> None:
        if self._index is not None:
            write_index_entry(self._index, item.seq, item.cue, outcome, **extra)


class QueuedSpeaker:
    """A speaker's cue queue, the lock its callers share, and the log of what it said.

    Args:
        lock: Held around every use of the queue (the worker's condition, or a lock).
        index_path: Where the log writes one JSON line per numbered cue, if anywhere.
    """

    def __init__(self, lock: AbstractContextManager[Any], index_path: Path | None) -> None:
        self._lock = lock
        self._queue = CueQueue()
        self._log = CueLog(index_path)
        self.stats: SpeechStats = self._log.stats

    @property
    def muted(self) -> bool:
        """True while cues are dropped instead of spoken."""
        return self._queue.muted

    def set_muted(self, muted: bool) -> None:
        """Mute or unmute; muting also drops the cues already queued."""
        with self._lock:
            self._log.dropped(self._queue.set_muted(muted))
        log.info("speech %s", "muted" if muted else "unmuted")
