"""The speech worker on real espeak-ng (pyttsx3 writing WAV files): order, expiry, failures."""

from __future__ import annotations

import gc
import json
import shutil
import threading
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from edge_trainer.coach.cues import Cue, Priority
from edge_trainer.config import SpeechConfig
from edge_trainer.errors import DeviceError
from edge_trainer.hw.speech import INDEX_NAME, Speech, build_speech
from edge_trainer.hw.tts import SpeakerEngine, WavEngine

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (apt install espeak-ng)"
)


def cue(text: str, prio: Priority = Priority.REP, *, t: float = 1.0, expiry: float = 5.0,
        key: str = "", kind: str = "rep") -> Cue:  # fmt: skip
    return Cue(text=text, priority=int(prio), kind=kind, t=t, expiry_s=expiry, key=key)  # type: ignore[arg-type]


def rms(path: Path) -> tuple[float, float]:
    """(RMS amplitude 0..1, duration s) of a 16-bit mono WAV."""
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
        return float(np.sqrt(np.mean(samples**2)) / 32768.0), w.getnframes() / w.getframerate()


def index(folder: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in (folder / INDEX_NAME).read_text().splitlines()]


def test_wav_backend_writes_real_speech_with_timestamps(tmp_path: Path) -> None:
    speech = build_speech(SpeechConfig(kind="wav"), tmp_path)
    try:
        speech.say(cue("3", t=7.25))
        speech.say(cue("Set done. 10 squats", Priority.SUMMARY, t=9.5, kind="set"))
        assert speech.flush(30.0)
    finally:
        speech.close()
    folder = tmp_path / "speech"
    wavs = sorted(folder.glob("cue_*.wav"))
    assert [p.name for p in wavs] == ["cue_0001_t0007.250_rep.wav", "cue_0002_t0009.500_set.wav"]
    (short_rms, short_s), (long_rms, long_s) = rms(wavs[0]), rms(wavs[1])
    assert short_rms > 0.01 and long_rms > 0.01, "espeak-ng wrote silence"
    assert long_s > short_s + 0.5, "the longer sentence should take longer to say"
    files = {e["text"]: e["file"] for e in index(folder) if e["outcome"] == "spoken"}
    assert files == {"3": wavs[0].name, "Set done. 10 squats": wavs[1].name}
    assert speech.stats.spoken == 2
    for start, ready in zip(
        speech.stats.start_latency_ms, speech.stats.ready_latency_ms, strict=True
    ):
        assert 0.0 <= start <= ready


class _GatedEngine:
    """The real WAV engine, held at its first cue until the test opens the gate."""

    def __init__(self, folder: Path) -> None:
        self.inner = WavEngine(SpeechConfig(kind="wav"), folder)
        self.started = threading.Event()
        self.gate = threading.Event()
        self.said: list[str] = []

    def speak(self, c: Cue, seq: int, on_audio: Callable[[], None]) -> str | None:
        self.started.set()
        assert self.gate.wait(10.0)
        self.said.append(c.text)
        return self.inner.speak(c, seq, on_audio)

    def close(self) -> None:
        self.inner.close()


def test_fault_goes_first_newer_rep_replaces_queued_one(tmp_path: Path) -> None:
    engine = _GatedEngine(tmp_path)
    speech = Speech(lambda: engine, index_path=tmp_path / INDEX_NAME)
    try:
        speech.say(cue("Squats", Priority.INFO, kind="exercise"))
        assert engine.started.wait(10.0)  # the worker is busy with the first cue
        speech.say(cue("4", key="rep"))
        speech.say(cue("Thirty seconds", Priority.REST, key="rest", kind="rest"))
        speech.say(cue("5", key="rep"))  # replaces the unsaid "4"
        speech.say(cue("Knees out", Priority.FAULT, kind="fault"))  # jumps the queue
        engine.gate.set()
        assert speech.flush(30.0)
    finally:
        speech.close()
    assert engine.said == ["Squats", "Knees out", "5", "Thirty seconds"]
    assert speech.stats.superseded == 1
    outcomes = {(e["text"], e["outcome"]) for e in index(tmp_path)}
    assert ("4", "superseded") in outcomes
    assert len(list(tmp_path.glob("cue_*.wav"))) == 4


def test_stale_cue_is_dropped_never_spoken_late(tmp_path: Path) -> None:
    speech = build_speech(SpeechConfig(kind="wav"), tmp_path)
    try:
        now = speech._clock()
        speech.say(cue("7", expiry=1.5), origin=now - 2.0)  # its frame was 2 s ago
        speech.say(cue("8", expiry=1.5), origin=now)
        assert speech.flush(30.0)
    finally:
        speech.close()
    assert speech.stats.stale == 1
    assert speech.stats.spoken == 1
    entries = index(tmp_path / "speech")
    assert [(e["text"], e["outcome"]) for e in entries] == [("7", "stale"), ("8", "spoken")]
    assert [p.name for p in (tmp_path / "speech").glob("cue_*.wav")] == [
        "cue_0002_t0001.000_rep.wav"
    ]


def test_engine_failure_is_counted_and_the_worker_carries_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    speech = build_speech(SpeechConfig(kind="wav"), tmp_path)
    folder = tmp_path / "speech"
    try:
        speech.say(cue("1"))
        assert speech.flush(30.0)
        # the output folder disappears and a file takes its name: every write now fails
        shutil.rmtree(folder)
        folder.write_text("not a folder")
        speech.say(cue("2"))
        speech.say(cue("3"))
        assert speech.flush(30.0)
        assert speech.stats.errors == 2
        folder.unlink()
        folder.mkdir()
        speech.say(cue("4"))
        assert speech.flush(30.0)
    finally:
        speech.close()
    assert speech.stats.spoken == 2
    assert [p.name for p in folder.glob("cue_*.wav")] == ["cue_0004_t0001.000_rep.wav"]
    assert sum("speech engine failed" in r.getMessage() for r in caplog.records) == 2


def test_engine_that_cannot_start_is_retried_on_the_next_cue(tmp_path: Path) -> None:
    attempts: list[int] = []

    def factory() -> WavEngine:
        attempts.append(1)
        if len(attempts) <= 2:  # at start-up and again on the first cue
            raise OSError("no sound device")
        return WavEngine(SpeechConfig(kind="wav"), tmp_path)

    speech = Speech(factory)
    try:
        speech.say(cue("1"))
        assert speech.flush(30.0)
        speech.say(cue("2"))
        assert speech.flush(30.0)
    finally:
        speech.close()
    assert (speech.stats.errors, speech.stats.spoken, len(attempts)) == (1, 1, 3)


def test_mute_drops_queued_and_new_cues(tmp_path: Path) -> None:
    speech = build_speech(SpeechConfig(kind="wav"), tmp_path)
    try:
        speech.set_muted(True)
        assert speech.muted
        speech.say(cue("1"))
        speech.set_muted(False)
        speech.say(cue("2"))
        assert speech.flush(30.0)
    finally:
        speech.close()
    assert (speech.stats.muted, speech.stats.spoken) == (1, 1)


def test_queue_is_bounded_and_drops_the_oldest_least_urgent(tmp_path: Path) -> None:
    engine = _GatedEngine(tmp_path)
    speech = Speech(lambda: engine)
    try:
        speech.say(cue("go"))
        assert engine.started.wait(10.0)
        for i in range(20):
            speech.say(cue(f"note {i}", Priority.INFO, kind="exercise"))
        speech.say(cue("Knees out", Priority.FAULT, kind="fault"))  # evicts note 4
        speech.say(cue("later", Priority.INFO - 1, kind="exercise"))  # least urgent: refused
        assert speech.stats.overflow == 6
        engine.gate.set()
        assert speech.flush(60.0)
    finally:
        engine.gate.set()
        speech.close()
    assert engine.said == ["go", "Knees out"] + [f"note {i}" for i in range(5, 20)]


def test_close_is_idempotent_and_say_after_close_is_ignored(tmp_path: Path) -> None:
    speech = build_speech(SpeechConfig(kind="none"), tmp_path)
    speech.say(cue("1"))
    assert speech.flush(10.0)
    speech.close()
    speech.close()
    speech.say(cue("2"))
    assert speech.stats.spoken == 1
    assert not (tmp_path / "speech").exists()


def test_dropping_one_engine_does_not_silence_another(tmp_path: Path) -> None:
    # pyttsx3 unregisters espeak's global callback when one of its engines is collected;
    # the engines share one pyttsx3 engine so that can never happen mid-run.
    first = WavEngine(SpeechConfig(kind="wav"), tmp_path)
    second = WavEngine(SpeechConfig(kind="wav", rate=200), tmp_path)
    first.close()
    del first
    gc.collect()
    name = second.speak(cue("Knees out", Priority.FAULT, kind="fault"), 1, lambda: None)
    assert name is not None
    level, seconds = rms(tmp_path / name)
    assert level > 0.01 and seconds > 0.3


def test_speaker_without_a_player_is_a_clear_device_error() -> None:
    with pytest.raises(DeviceError, match="apt install alsa-utils"):
        SpeakerEngine(SpeechConfig(kind="speaker"), player=("no-such-player-xyz",))


def test_speaker_whose_player_fails_counts_errors_and_goes_on(tmp_path: Path) -> None:
    # `false` stands in for an aplay with no sound card: it runs and exits non-zero
    speech = Speech(lambda: SpeakerEngine(SpeechConfig(kind="speaker"), player=("false",)))
    try:
        speech.say(cue("1"))
        speech.say(cue("2"))
        assert speech.flush(30.0)
    finally:
        speech.close()
    assert (speech.stats.errors, speech.stats.spoken) == (2, 0)


def test_speaker_plays_each_cue_through_the_player() -> None:
    # `true` stands in for aplay on a machine without a sound card; synthesis is real
    speech = Speech(lambda: SpeakerEngine(SpeechConfig(kind="speaker"), player=("true",)))
    try:
        speech.say(cue("1"))
        assert speech.flush(30.0)
    finally:
        speech.close()
    assert (speech.stats.errors, speech.stats.spoken) == (0, 1)
    assert speech.stats.ready_latency_ms[0] >= speech.stats.start_latency_ms[0]
