"""Speech on the source clock: a simulated speaker for the emulator replaying a clip.

A clip replayed faster or slower than real time would make wall-clock expiry drop cues
according to the machine's speed. ``ReplaySpeaker`` drives the live speaker's cue queue
(``coach.cue_queue``: priority, supersession, expiry, mute) on source time instead: a
cue may start when the simulated speaker has finished the previous cue's audio (its real
WAV duration), and is stale if that start is past its expiry. The outcome depends only
on the cues and their times, so a replay writes the same WAVs on every machine, and they
are the cues a real speaker would have managed to say.
"""

from __future__ import annotations

import logging
import math
import threading
import wave
from pathlib import Path

from edge_trainer.coach.cue_queue import Queued
from edge_trainer.coach.cues import Cue
from edge_trainer.hw.speaker import QueuedSpeaker
from edge_trainer.hw.tts import SpeechEngine

log = logging.getLogger(__name__)


class ReplaySpeaker(QueuedSpeaker):
    """Same interface as ``Speech`` (``say``, ``set_muted``, ``flush``, ``close``, ``stats``).

    Synthesis runs in the caller's thread when a later cue (or ``flush``) moves source
    time past a queued cue's start, about 10-20 ms a cue: meant for recorded clips,
    where the frame queue is lossless and waiting drops nothing.
    """

    def __init__(self, engine: SpeechEngine, folder: str | Path, index_path: Path | None) -> None:
        """Speak through ``engine`` (a ``WavEngine`` writing into ``folder``)."""
        super().__init__(threading.RLock(), index_path)
        self._engine = engine
        self._folder = Path(folder)
        self._free_at = -math.inf  # source time the simulated speaker is free again
        self._closed = False

    def say(self, cue: Cue, origin: float | None = None) -> None:
        """Queue ``cue`` at its source time ``cue.t`` (``origin`` is ignored here)."""
        with self._lock:
            if self._closed:
                return
            self._play_until(cue.t)
            self._log.dropped(self._queue.push(cue, cue.t))

    def flush(self, timeout: float = 0.0) -> bool:
        """Say everything still queued (the clip has ended); always True."""
        with self._lock:
            self._play_until(math.inf)
        return True

    def close(self, timeout: float = 0.0) -> None:
        """Discard what is queued and stop. Idempotent."""
        with self._lock:
            closing, self._closed = not self._closed, True
            self._queue.clear()
        if closing:
            self._engine.close()

    def _play_until(self, now: float) -> None:
        """Run the simulated speaker over every start strictly before ``now``."""
        while (arrival := self._queue.next_arrival()) is not None:
            # The speaker starts the next cue once it is free and a cue has arrived.
            start = max(self._free_at, arrival)
            if start >= now:
                return  # a cue arriving at ``now`` may still outrank what is queued
            item, dropped = self._queue.pop(start)
            self._log.dropped(dropped)
            if item is not None:
                self._say(item, start)

    def _say(self, item: Queued, start: float) -> None:
        try:
            name = self._engine.speak(item.cue, item.seq, lambda: None)
            seconds = _wav_seconds(self._folder / name) if name else 0.0
        except Exception as exc:
            log.warning("speech engine failed on %r: %s", item.cue.text, exc)
            self._log.failed(item, exc)
            return
        self._free_at = start + seconds
        waited_ms = (start - item.origin) * 1e3
        self._log.spoken(
            item, name, waited_ms, start_t=round(start, 3), end_t=round(self._free_at, 3)
        )


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return float(w.getnframes()) / float(w.getframerate())
