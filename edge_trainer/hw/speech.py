"""Spoken cues: one worker thread in front of pyttsx3 on espeak-ng, driving the cue queue.

``say`` never blocks: it queues the cue and returns. The worker speaks the most urgent
cue first, drops a cue whose expiry has passed rather than say it late, and lets a
newer cue replace a queued one with the same key (rep 6 replaces an unsaid rep 5): the
rules of ``coach.cue_queue``, on the wall clock. A TTS engine that raises is logged and
counted and the worker carries on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal, Protocol

from edge_trainer.coach.cue_queue import Queued
from edge_trainer.coach.cues import Cue
from edge_trainer.config import SpeechConfig
from edge_trainer.errors import DeviceError
from edge_trainer.hw.speaker import QueuedSpeaker, SpeechStats
from edge_trainer.hw.tts import NullEngine, SpeakerEngine, SpeechEngine, WavEngine

log = logging.getLogger(__name__)

INDEX_NAME = "cues.jsonl"


class Speech(QueuedSpeaker):
    """The speech worker: the cue queue in front of one ``SpeechEngine``, on the wall clock.

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
        self._cond = threading.Condition()
        super().__init__(self._cond, Path(index_path) if index_path else None)
        self._factory = engine_factory
        self._engine: SpeechEngine | None = None
        self._clock = clock
        self._busy = False
        self._closed = False
        self._engine_failing = False
        self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
        self._thread.start()

    def say(self, cue: Cue, origin: float | None = None) -> None:
        """Queue ``cue``; never blocks.

        Args:
            cue: What to say.
            origin: ``clock()`` time of the frame that caused the cue (its capture
                time); expiry and latency count from it. None means now.
        """
        now = self._clock()
        # A capture time estimated a moment ahead of now is now: the cue is due at once.
        when = now if origin is None else min(origin, now)
        with self._cond:
            if self._closed:
                return
            self._log.dropped(self._queue.push(cue, when))
            self._cond.notify()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until the queue is empty and nothing is being said; False on timeout."""
        deadline = self._clock() + timeout
        with self._cond:
            while len(self._queue) or self._busy:
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
            self._queue.clear()
            self._cond.notify_all()
        self._thread.join(timeout)

    # --- worker ------------------------------------------------------------------------

    def _next(self) -> Queued | None:
        with self._cond:
            while True:
                while not len(self._queue) and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return None
                item, dropped = self._queue.pop(self._clock())
                self._log.dropped(dropped)
                if item is not None:
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

    def _speak(self, item: Queued) -> None:
        if self._engine is None:
            try:
                self._engine = self._factory()
            except Exception as exc:
                if not self._engine_failing:
                    self._engine_failing = True
                    log.error("speech engine unavailable, cues are dropped: %s", exc)
                self._log.failed(item, exc)
                return
        start = self._clock()
        audio: list[float] = []
        try:
            written = self._engine.speak(item.cue, item.seq, lambda: audio.append(self._clock()))
        except Exception as exc:
            log.warning("speech engine failed on %r: %s", item.cue.text, exc, exc_info=True)
            self._log.failed(item, exc)
            return
        ready = audio[0] if audio else self._clock()
        start_ms = (start - item.origin) * 1e3
        ready_ms = (ready - item.origin) * 1e3
        if self._engine_failing:
            self._engine_failing = False
            log.info("speech engine works again")
        log.debug("said %r: start %.0f ms, ready %.0f ms", item.cue.text, start_ms, ready_ms)
        self._log.spoken(item, written, start_ms, ready_ms)


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
