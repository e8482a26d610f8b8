"""Text to speech with pyttsx3 on espeak-ng: the WAV writer, the speaker, and a silent engine."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from edge_trainer.coach.cues import Cue
from edge_trainer.config import SpeechConfig
from edge_trainer.errors import DeviceError, missing_dependency

log = logging.getLogger(__name__)

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
    for attempt in (1, 2):
        with _ESPEAK_LOCK:
            engine = _espeak_engine(cfg)
            engine.save_to_file(text, str(path))
            engine.runAndWait()
        if path.stat().st_size > 44:  # more than a bare WAV header: there are samples
            return
        # espeak-ng now and then returns an empty utterance under heavy load; once more
        # is cheap (tens of ms) and saves the cue.
        if attempt == 1:
            log.warning("espeak-ng wrote no audio for %r; trying once more", text)
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


class NullEngine:
    """No speech configured (``speech.kind = "none"``): cues are accepted and not said."""

    def speak(self, cue: Cue, seq: int, on_audio: Callable[[], None]) -> str | None:
        """Do nothing (the cue counts as said at once)."""
        on_audio()
        return None

    def close(self) -> None:
        """Do nothing."""
