"""Speech on the source clock (the emulator replaying a clip), on real espeak-ng."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from edge_trainer.coach.cues import Cue, Priority
from edge_trainer.config import SpeechConfig
from edge_trainer.hw.speech import INDEX_NAME, build_speech
from edge_trainer.hw.speech_replay import ReplaySpeaker

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (apt install espeak-ng)"
)

SUMMARY = "Eight squats. Knees caved on three reps, so push them out next set."


def cue(text: str, prio: Priority, t: float, *, expiry: float = 2.0, key: str = "",
        kind: str = "rep") -> Cue:  # fmt: skip
    return Cue(text=text, priority=int(prio), kind=kind, t=t, expiry_s=expiry, key=key)  # type: ignore[arg-type]


def replay(out: Path) -> list[dict[str, object]]:
    speaker = build_speech(SpeechConfig(kind="wav"), out, clock="source")
    assert isinstance(speaker, ReplaySpeaker)
    stream = [
        cue("1", Priority.REP, 2.0, key="rep"),
        cue("2", Priority.REP, 4.0, key="rep"),
        # three cues on one rep: the fault goes first, the others follow while fresh
        cue("3", Priority.REP, 6.0, key="rep"),
        cue("Knees out", Priority.FAULT, 6.0, kind="fault"),
        cue("Stay strong, keep it fast", Priority.ENCOURAGE, 6.0, kind="encourage"),
        # a long summary keeps the speaker busy: the rep counts behind it pile up
        cue(SUMMARY, Priority.SUMMARY, 20.0, expiry=30.0, kind="summary"),
        cue("4", Priority.REP, 21.0, key="rep"),
        cue("Two more", Priority.ENCOURAGE, 21.5, kind="encourage"),
        cue("5", Priority.REP, 22.0, key="rep", expiry=30.0),
    ]
    for c in stream:
        speaker.say(c)
    assert speaker.flush()
    speaker.close()
    lines = (out / "speech" / INDEX_NAME).read_text().splitlines()
    return [json.loads(x) for x in lines]


def test_replay_schedules_cues_on_source_time(tmp_path: Path) -> None:
    entries = replay(tmp_path)
    outcome = {e["text"]: e["outcome"] for e in entries}
    assert outcome == {
        "1": "spoken", "2": "spoken", "3": "spoken", "Knees out": "spoken",
        "Stay strong, keep it fast": "spoken", SUMMARY: "spoken", "4": "superseded",
        "Two more": "stale", "5": "spoken",
    }  # fmt: skip
    spoken = [e for e in entries if e["outcome"] == "spoken"]
    assert [e["text"] for e in spoken] == [
        "1", "2", "Knees out", "3", "Stay strong, keep it fast", SUMMARY, "5"
    ]  # fmt: skip
    # each cue starts at its own time or when the previous one has finished, never earlier
    free_at = 0.0
    for e in spoken:
        assert e["start_t"] == pytest.approx(max(float(e["t"]), free_at), abs=1e-3)
        assert float(e["end_t"]) > float(e["start_t"]) + 0.3  # real audio, not a blip
        free_at = float(e["end_t"])
    assert [e["start_t"] for e in spoken][:2] == [2.0, 4.0]
    wavs = sorted(p.name for p in (tmp_path / "speech").glob("cue_*.wav"))
    assert len(wavs) == 7 and wavs[0] == "cue_0001_t0002.000_rep.wav"


def test_replay_is_the_same_every_run(tmp_path: Path) -> None:
    first = replay(tmp_path / "a")
    second = replay(tmp_path / "b")
    assert [(e["text"], e["outcome"]) for e in first] == [(e["text"], e["outcome"]) for e in second]
    # pyttsx3 now and then loses espeak's last few ms of trailing silence, so start
    # times after a long cue may differ by that much
    for a, b in zip(first, second, strict=True):
        assert float(a.get("start_t", 0.0)) == pytest.approx(float(b.get("start_t", 0.0)), abs=0.06)


def test_replay_mute_and_close(tmp_path: Path) -> None:
    speaker = build_speech(SpeechConfig(kind="wav"), tmp_path, clock="source")
    speaker.say(cue("1", Priority.REP, 1.0))
    speaker.set_muted(True)
    speaker.say(cue("2", Priority.REP, 2.0))
    speaker.set_muted(False)
    speaker.say(cue("3", Priority.REP, 3.0))
    speaker.flush()
    speaker.close()
    speaker.close()
    speaker.say(cue("4", Priority.REP, 4.0))
    # "1" was still queued (source time had not moved past it) when mute dropped it
    assert (speaker.stats.spoken, speaker.stats.muted) == (1, 2)
