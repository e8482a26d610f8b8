"""Spoken cues: one worker thread, a priority queue with expiry, pyttsx3 on espeak-ng.

``say`` never blocks: it queues the cue and returns. The worker speaks the most urgent
cue first, drops a cue whose expiry has passed rather than say it late, and lets a
newer cue replace a queued one with the same key (rep 6 replaces an unsaid rep 5). A
TTS engine that raises is logged and counted and the worker carries on.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from edge_trainer.coach.cues import Cue
from edge_trainer.config import SpeechConfig
from edge_trainer.errors import DeviceError
from edge_trainer.hw.tts import NullEngine, SpeakerEngine, SpeechEngine, WavEngine

log = logging.getLogger(__name__)

INDEX_NAME = "cues.jsonl"
MAX_QUEUED = 16  # more cues than this waiting means they are stale anyway


@dataclass(slots=True)
class SpeechStats:
    """Counters of the speech worker (read them from any thread).

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


@dataclass(order=True, slots=True)
class _Item:
    sort_key: tuple[int, int]
    cue: Cue = field(compare=False)
    origin: float = field(compare=False)
    seq: int = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Speech:
    """The speech worker: a priority queue of cues in front of one ``SpeechEngine``.

    The engine is built on the worker thread as it starts (pyttsx3 engines belong to the
    thread that made them) by ``engine_factory``; if building it fails, the worker tries
    again on each cue, so a sound card that appears later is picked up.
    """

    def __init__(
        self,
        engine_factory: Callable[[], SpeechEngine],
        index_path: str | Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start the worker.

        Args:
            engine_factory: Builds the engine, on the worker thread.
            index_path: If given, one JSON line per cue (spoken or dropped) goes here.
            clock: Monotonic seconds; ``say``'s ``origin`` must be on the same clock.
        """
        self.stats = SpeechStats()
        self._factory = engine_factory
        self._engine: SpeechEngine | None = None
        self._clock = clock
        self._index = Path(index_path) if index_path else None
        self._heap: list[_Item] = []
        self._cond = threading.Condition()
        self._seq = itertools.count(1)
        self._muted = False
        self._busy = False
        self._closed = False
        self._engine_failing = False
        self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
        self._thread.start()

    @property
    def muted(self) -> bool:
        """True while cues are dropped instead of spoken."""
        return self._muted

    def set_muted(self, muted: bool) -> None:
        """Mute or unmute; muting also drops the cues already queued."""
        with self._cond:
            self._muted = muted
            if muted:
                for item in self._heap:
                    if not item.cancelled:
                        item.cancelled = True
                        self.stats.muted += 1
                self._heap.clear()
        log.info("speech %s", "muted" if muted else "unmuted")

    def say(self, cue: Cue, origin: float | None = None) -> None:
        """Queue ``cue``; never blocks.

        Args:
            cue: What to say.
            origin: ``clock()`` time of the frame that caused the cue (its capture
                time); expiry and latency count from it. None means now.
        """
        now = self._clock()
        with self._cond:
            if self._closed:
                return
            if self._muted:
                self.stats.muted += 1
                return
            if cue.key:
                for item in self._heap:
                    if item.cue.key == cue.key and not item.cancelled:
                        item.cancelled = True
                        self.stats.superseded += 1
                        self._record(item, "superseded")
            self._heap = [i for i in self._heap if not i.cancelled]
            heapq.heapify(self._heap)
            seq = next(self._seq)
            item = _Item((-cue.priority, seq), cue, now if origin is None else origin, seq)
            if len(self._heap) >= MAX_QUEUED:
                # Full: the least urgent cue goes, and of equals the oldest (the first to
                # go stale); a newcomer less urgent than everything queued goes itself.
                low = min(i.cue.priority for i in self._heap)
                victim = item
                if cue.priority >= low:
                    victim = min(i for i in self._heap if i.cue.priority == low)
                    self._heap.remove(victim)
                    heapq.heapify(self._heap)
                self.stats.overflow += 1
                self._record(victim, "overflow")
                if victim is item:
                    return
            heapq.heappush(self._heap, item)
            self._cond.notify()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until the queue is empty and nothing is being said; False on timeout."""
        deadline = self._clock() + timeout
        with self._cond:
            while self._heap or self._busy:
                left = deadline - self._clock()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.1))
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Stop after the cue being said; queued cues are discarded. Idempotent."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._heap.clear()
            self._cond.notify_all()
        self._thread.join(timeout)

    # --- worker ------------------------------------------------------------------------

    def _record(self, item: _Item, outcome: str, **extra: Any) -> None:
        if self._index is not None:
            write_index_entry(self._index, item.seq, item.cue, outcome, **extra)

    def _next(self) -> _Item | None:
        with self._cond:
            while True:
                while not self._heap and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return None
                item = heapq.heappop(self._heap)
                if item.cancelled:
                    continue
                late = self._clock() - (item.origin + item.cue.expiry_s)
                if late > 0:
                    self.stats.stale += 1
                    log.info(
                        "dropped stale cue %r (%.0f ms past expiry)", item.cue.text, late * 1e3
                    )
                    self._record(item, "stale", late_ms=round(late * 1e3, 1))
                    continue
                self._busy = True
                return item

    def _run(self) -> None:
        try:
            # Build the engine now, not on the first cue, so rep 1 is as quick as rep 10.
            self._engine = self._factory()
        except Exception as exc:
            self._engine_failing = True
            log.error("speech engine unavailable, will retry on the next cue: %s", exc)
        while True:
            item = self._next()
            if item is None:
                break
            try:
                self._speak(item)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
        if self._engine is not None:
            try:
                self._engine.close()
            except Exception:
                log.exception("closing the speech engine failed")

    def _speak(self, item: _Item) -> None:
        if self._engine is None:
            try:
                self._engine = self._factory()
            except Exception as exc:
                self.stats.errors += 1
                if not self._engine_failing:
                    self._engine_failing = True
                    log.error("speech engine unavailable, cues are dropped: %s", exc)
                self._record(item, "error", error=str(exc))
                return
        start = self._clock()
        audio: list[float] = []
        try:
            written = self._engine.speak(item.cue, item.seq, lambda: audio.append(self._clock()))
        except Exception as exc:
            self.stats.errors += 1
            log.warning("speech engine failed on %r: %s", item.cue.text, exc, exc_info=True)
            self._record(item, "error", error=str(exc))
            return
        ready = audio[0] if audio else self._clock()
        start_ms = (start - item.origin) * 1e3
        ready_ms = (ready - item.origin) * 1e3
        self.stats.spoken += 1
        self.stats.start_latency_ms.append(start_ms)
        self.stats.ready_latency_ms.append(ready_ms)
        if self._engine_failing:
            self._engine_failing = False
            log.info("speech engine works again")
        log.debug("said %r: start %.0f ms, ready %.0f ms", item.cue.text, start_ms, ready_ms)
        self._record(
            item,
            "spoken",
            file=written,
            start_latency_ms=round(start_ms, 1),
            ready_latency_ms=round(ready_ms, 1),
        )


class CueSpeaker(Protocol):
    """What the app talks to: ``Speech`` (wall clock) or ``ReplaySpeaker`` (source clock)."""

    stats: SpeechStats

    @property
    def muted(self) -> bool:
        """True while cues are dropped instead of spoken."""
        ...

    def set_muted(self, muted: bool) -> None:
        """Mute or unmute."""
        ...

    def say(self, cue: Cue, origin: float | None = None) -> None:
        """Queue a cue; never blocks on the sound device."""
        ...

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued has been said (or dropped)."""
        ...

    def close(self, timeout: float = 10.0) -> None:
        """Stop; idempotent."""
        ...


def build_speech(
    cfg: SpeechConfig, output_dir: str | Path, clock: Literal["wall", "source"] = "wall"
) -> CueSpeaker:
    """The speech output the config asks for.

    Args:
        cfg: The speech section.
        output_dir: ``kind="wav"`` writes ``<output_dir>/speech/cue_*.wav`` and
            ``cues.jsonl`` there.
        clock: ``"wall"`` (a live box: the worker thread, expiry in real seconds) or
            ``"source"`` (the emulator replaying a clip: ``ReplaySpeaker``, expiry and
            speaking time in source seconds). Only ``kind="wav"`` has a source clock;
            the speaker is always on the wall clock.

    ``"speaker"`` speaks aloud; ``"none"`` runs the same queue with a silent engine.
    """
    if cfg.kind == "wav":
        folder = Path(output_dir) / "speech"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeviceError(f"cannot create the speech folder {folder}: {exc}") from exc
        for old in [*folder.glob("cue_*.wav"), folder / INDEX_NAME]:
            old.unlink(missing_ok=True)  # a new run starts a new cue sequence
        if clock == "source":
            from edge_trainer.hw.speech_replay import ReplaySpeaker

            return ReplaySpeaker(WavEngine(cfg, folder), folder, folder / INDEX_NAME)
        return Speech(lambda: WavEngine(cfg, folder), index_path=folder / INDEX_NAME)
    if cfg.kind == "speaker":
        return Speech(lambda: SpeakerEngine(cfg))
    return Speech(NullEngine)
