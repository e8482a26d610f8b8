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
import shutil
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from edge_trainer.coach.cues import Cue
from edge_trainer.config import SpeechConfig
from edge_trainer.errors import DeviceError, missing_dependency

log = logging.getLogger(__name__)

INDEX_NAME = "cues.jsonl"
MAX_QUEUED = 16  # more cues than this waiting means they are stale anyway
PLAY_TIMEOUT_S = 30.0  # no cue takes this long to play; a player that does is stuck

# espeak-ng is one process-wide C library with one synthesis callback, so only one
# utterance may be in flight per process, whichever engine object asks for it.
_ESPEAK_LOCK = threading.Lock()
# The one pyttsx3 espeak engine of the process, kept for the life of the process:
# when a pyttsx3 espeak engine is garbage-collected it unregisters espeak's global
# synthesis callback, and every other engine then silently produces empty audio.
_SHARED: dict[str, Any] = {}


def _espeak_engine(cfg: SpeechConfig) -> Any:
    """The shared pyttsx3 engine, set to ``cfg``'s voice; call with ``_ESPEAK_LOCK`` held."""
    engine = _SHARED.get("engine")
    if engine is None:
        import pyttsx3
        import pyttsx3.drivers.espeak as espeak_driver

        # The driver print()s a line per file saved; on a box that runs for months that
        # belongs in the debug log, not on stdout (journald).
        espeak_driver.print = _driver_print
        engine = pyttsx3.init("espeak")
        _SHARED["engine"] = engine
    wanted = (cfg.voice, cfg.rate, cfg.volume)
    if _SHARED.get("applied") != wanted:
        engine.setProperty("voice", cfg.voice)
        engine.setProperty("rate", cfg.rate)
        engine.setProperty("volume", cfg.volume)
        _SHARED["applied"] = wanted
    return engine


def _driver_print(*args: object, **_: object) -> None:
    log.debug("pyttsx3: %s", " ".join(map(str, args)))


def _start_espeak(cfg: SpeechConfig) -> None:
    try:
        import pyttsx3  # noqa: F401
    except ImportError as exc:
        raise missing_dependency("pyttsx3", extra=None, apt="espeak-ng") from exc
    with _ESPEAK_LOCK:
        try:
            _espeak_engine(cfg)
        except Exception as exc:  # pyttsx3 raises RuntimeError, OSError, ValueError...
            raise DeviceError(
                f"espeak-ng could not start (voice {cfg.voice!r}): {exc}; "
                "install it with: apt install espeak-ng"
            ) from exc


def synthesize(cfg: SpeechConfig, text: str, path: Path) -> None:
    """Write ``text`` spoken by espeak-ng (through pyttsx3) to the WAV file ``path``.

    Raises:
        DeviceError: the file cannot be written or espeak-ng produced no audio.
    """
    # pyttsx3 raises inside espeak's C callback when it cannot write the file, and its
    # loop then never ends; opening the file here first turns that into an error.
    try:
        path.open("wb").close()
    except OSError as exc:
        raise DeviceError(f"cannot write {path}: {exc}") from exc
    with _ESPEAK_LOCK:
        engine = _espeak_engine(cfg)
        engine.save_to_file(text, str(path))
        engine.runAndWait()
    if path.stat().st_size <= 44:  # a bare WAV header: espeak produced no samples
        raise DeviceError(f"espeak-ng wrote no audio for {text!r}")


class SpeechEngine(Protocol):
    """Turns one cue into sound (or a sound file); blocks until done."""

    def speak(self, cue: Cue, seq: int, on_audio: Callable[[], None]) -> str | None:
        """Say ``cue``; returns the file written, if any. Raises on failure.

        ``on_audio`` is called the moment the cue's audio exists: the WAV file is
        complete, or playback is starting.
        """
        ...

    def close(self) -> None:
        """Release the engine."""
        ...


class WavEngine:
    """pyttsx3 on espeak-ng writing each cue to a WAV file (``kind = "wav"``).

    Files are ``cue_NNNN_tSSSS.SSS_KIND.wav``: sequence number, source time of the
    event that caused the cue, and the cue kind.
    """

    def __init__(self, cfg: SpeechConfig, folder: str | Path) -> None:
        """Start espeak-ng with the configured voice; write into ``folder``.

        Raises:
            DependencyError: pyttsx3 is not installed.
            DeviceError: espeak-ng cannot start, or ``folder`` cannot be created.
        """
        _start_espeak(cfg)
        self._cfg = cfg
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeviceError(f"cannot create the speech folder {self.folder}: {exc}") from exc

    def speak(self, cue: Cue, seq: int, on_audio: Callable[[], None]) -> str | None:
        """Write the cue's speech to a new WAV file; returns its name."""
        path = self.folder / f"cue_{seq:04d}_t{cue.t:08.3f}_{cue.kind}.wav"
        synthesize(self._cfg, cue.text, path)
        on_audio()
        return path.name

    def close(self) -> None:
        """Nothing to release: the shared engine lives as long as the process."""


class SpeakerEngine:
    """pyttsx3 on espeak-ng speaking aloud (``kind = "speaker"``).

    Each cue is synthesised to a temporary WAV and played with ALSA's ``aplay``, which
    is what pyttsx3's espeak driver does itself; doing it here means a failing sound
    card is reported (pyttsx3 ignores aplay's exit status) and playback start is known.
    """

    def __init__(self, cfg: SpeechConfig, player: tuple[str, ...] = ("aplay", "-q")) -> None:
        """Start espeak-ng and check the player exists.

        Raises:
            DependencyError: pyttsx3 is not installed.
            DeviceError: espeak-ng cannot start or the player is not installed.
        """
        if shutil.which(player[0]) is None:
            raise DeviceError(f"{player[0]} not found; install it with: apt install alsa-utils")
        _start_espeak(cfg)
        self._cfg = cfg
        device = ("-D", cfg.audio_device) if cfg.audio_device else ()
        self._player = (*player, *device)
        self._tmp = Path(tempfile.mkdtemp(prefix="edge-trainer-speech-"))

    def speak(self, cue: Cue, seq: int, on_audio: Callable[[], None]) -> str | None:
        """Synthesise, then play and wait until the cue has been heard."""
        path = self._tmp / "cue.wav"
        synthesize(self._cfg, cue.text, path)
        try:
            proc = subprocess.Popen(
                [*self._player, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
        except OSError as exc:
            raise DeviceError(f"cannot run {self._player[0]}: {exc}") from exc
        on_audio()
        try:
            _, err = proc.communicate(timeout=PLAY_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise DeviceError(f"{self._player[0]} hung for {PLAY_TIMEOUT_S:.0f} s") from None
        if proc.returncode != 0:
            reason = err.decode(errors="replace").strip().splitlines()
            raise DeviceError(
                f"{self._player[0]} failed ({proc.returncode}): {reason[-1] if reason else ''}"
            )
        return None

    def close(self) -> None:
        """Remove the temporary folder."""
        shutil.rmtree(self._tmp, ignore_errors=True)


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
        if self._index is None:
            return
        entry = {
            "seq": item.seq,
            "t": round(item.cue.t, 3),
            "kind": item.cue.kind,
            "priority": item.cue.priority,
            "text": item.cue.text,
            "outcome": outcome,
            **extra,
        }
        try:
            with self._index.open("a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")
        except OSError:
            log.warning("cannot append to the cue index %s", self._index)

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


def build_speech(cfg: SpeechConfig, output_dir: str | Path) -> Speech:
    """The speech worker the config asks for.

    ``kind="wav"`` writes ``<output_dir>/speech/cue_*.wav`` and ``cues.jsonl``;
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
        return Speech(lambda: WavEngine(cfg, folder), index_path=folder / INDEX_NAME)
    if cfg.kind == "speaker":
        return Speech(lambda: SpeakerEngine(cfg))
    return Speech(NullEngine)


class NullEngine:
    """No speech configured (``speech.kind = "none"``): cues are accepted and not said."""

    def speak(self, cue: Cue, seq: int, on_audio: Callable[[], None]) -> str | None:
        """Do nothing (the cue counts as said at once)."""
        on_audio()
        return None

    def close(self) -> None:
        """Do nothing."""
