"""Speech on the source clock: a simulated speaker for the emulator replaying a clip.

A clip replayed faster or slower than real time would make wall-clock expiry drop cues
according to the machine's speed. ``ReplaySpeaker`` keeps the worker's rules (priority,
expiry, supersession) but runs them on source time: a cue may start when the simulated
speaker has finished the previous cue's audio (its real WAV duration), and is stale if
that start is past its expiry. The outcome depends only on the cues and their times,
so a replay writes the same WAVs on every machine, and they are the cues a real speaker
would have managed to say.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import threading
import wave
from pathlib import Path

from edge_trainer.coach.cues import Cue
from edge_trainer.hw.speech import SpeechStats, write_index_entry
from edge_trainer.hw.tts import SpeechEngine

log = logging.getLogger(__name__)


class ReplaySpeaker:
    """Same interface as ``Speech`` (``say``, ``set_muted``, ``flush``, ``close``, ``stats``).

    Synthesis runs in the caller's thread when a later cue (or ``flush``) moves source
    time past a queued cue's start, about 10-20 ms a cue: meant for recorded clips,
    where the frame queue is lossless and waiting drops nothing.
    """

    def __init__(self, engine: SpeechEngine, folder: str | Path, index_path: Path | None) -> None:
        """Speak through ``engine`` (a ``WavEngine`` writing into ``folder``)."""
        self.stats = SpeechStats()
        self._engine = engine
        self._folder = Path(folder)
        self._index = index_path
        self._heap: list[tuple[tuple[int, int], Cue]] = []
        self._seq = itertools.count(1)
        self._free_at = -math.inf  # source time the simulated speaker is free again
        self._lock = threading.RLock()
        self._muted = False
        self._closed = False

    @property
    def muted(self) -> bool:
        """True while cues are dropped instead of spoken."""
        return self._muted

    def set_muted(self, muted: bool) -> None:
        """Mute or unmute; muting also drops the cues already queued."""
        with self._lock:
            self._muted = muted
            if muted:
                self.stats.muted += len(self._heap)
                self._heap.clear()

    def say(self, cue: Cue, origin: float | None = None) -> None:
        """Queue ``cue`` at its source time ``cue.t`` (``origin`` is ignored here)."""
        with self._lock:
            if self._closed:
                return
            if self._muted:
                self.stats.muted += 1
                return
            self._play_until(cue.t)
            if cue.key:
                kept = [(k, c) for k, c in self._heap if c.key != cue.key]
                for (_, seq), old in self._heap:
                    if old.key == cue.key:
                        self.stats.superseded += 1
                        self._record(seq, old, "superseded")
                self._heap = kept
                heapq.heapify(self._heap)
            seq = next(self._seq)
            heapq.heappush(self._heap, ((-cue.priority, seq), cue))

    def flush(self, timeout: float = 0.0) -> bool:
        """Say everything still queued (the clip has ended); always True."""
        with self._lock:
            self._play_until(math.inf)
        return True

    def close(self, timeout: float = 0.0) -> None:
        """Discard what is queued and stop. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._heap.clear()
        self._engine.close()

    def _record(self, seq: int, cue: Cue, outcome: str, **extra: object) -> None:
        if self._index is not None:
            write_index_entry(self._index, seq, cue, outcome, **extra)

    def _play_until(self, now: float) -> None:
        """Run the simulated speaker over every start strictly before ``now``."""
        while self._heap:
            start = max(self._free_at, min(c.t for _, c in self._heap))
            if start >= now:
                return  # a cue arriving at ``now`` may still outrank what is queued
            ready = [entry for entry in self._heap if entry[1].t <= start]
            entry = min(ready)
            self._heap.remove(entry)
            heapq.heapify(self._heap)
            (_, seq), cue = entry
            late = start - (cue.t + cue.expiry_s)
            if late > 0:
                self.stats.stale += 1
                self._record(seq, cue, "stale", late_ms=round(late * 1e3, 1))
                continue
            try:
                name = self._engine.speak(cue, seq, lambda: None)
                seconds = _wav_seconds(self._folder / name) if name else 0.0
            except Exception as exc:
                self.stats.errors += 1
                log.warning("speech engine failed on %r: %s", cue.text, exc)
                self._record(seq, cue, "error", error=str(exc))
                continue
            self._free_at = start + seconds
            wait_ms = (start - cue.t) * 1e3
            self.stats.spoken += 1
            self.stats.start_latency_ms.append(wait_ms)
            self.stats.ready_latency_ms.append(wait_ms)
            self._record(
                seq,
                cue,
                "spoken",
                file=name,
                start_t=round(start, 3),
                end_t=round(self._free_at, 3),
                start_latency_ms=round(wait_ms, 1),
            )


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return float(w.getnframes()) / float(w.getframerate())
