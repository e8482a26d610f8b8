"""The whole emulated appliance on a rendered multi-set workout: from pixels to PNG, WAV, SQL."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from edge_trainer import config
from edge_trainer.app import App
from edge_trainer.eventlog import read_events
from edge_trainer.sim.truth import Truth
from tests.appliance import SHIPPED_CLASSIFIER, provision_models, query, workout_clip, write_config

pytestmark = pytest.mark.slow


def rms(path: Path) -> float:
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return float(np.sqrt(np.mean((data / 32768.0) ** 2))) if data.size else 0.0


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[App, Path, Truth]:
    root = tmp_path_factory.mktemp("appliance")
    models = provision_models(root / "models")
    clip = workout_clip(root)
    cfg = config.load(
        write_config(
            root / "c.toml",
            root,
            models,
            buttons={"kind": "emulator", "script": ["1.0:mute", "2.0:mute"]},
        )
    )
    app = App(cfg, "demo", video=clip)
    assert app.run() == 0
    return app, root, Truth.load(clip.with_suffix("").with_name(clip.stem + ".truth.json"))


def test_sets_and_reps_are_recorded(run: tuple[App, Path, Truth]) -> None:
    _, root, truth = run
    db = root / "state" / "history.sqlite3"
    # A set whose announced reps the end-of-set pass took back is kept with them
    # discounted; it counts no rep and is not one of the workout's sets.
    taken_back = query(db, "SELECT discounted_count FROM sets WHERE rep_count = 0")
    assert all(n > 0 for (n,) in taken_back)  # type: ignore[operator]
    sets = query(
        db,
        "SELECT id, exercise, status, rep_count, summary FROM sets WHERE rep_count > 0 ORDER BY id",
    )
    expected = [(s.exercise, len(s.reps)) for s in truth.sets]
    assert len(sets) == len(expected) == 2
    for (set_id, exercise, status, reps, summary), (true_ex, true_reps) in zip(
        sets, expected, strict=True
    ):
        assert status == "done"
        assert abs(reps - true_reps) <= 1, (exercise, reps, true_reps)
        if (SHIPPED_CLASSIFIER / "manifest.json").is_file():
            assert exercise == true_ex
        stored = query(
            db,
            "SELECT count(*) FROM reps WHERE set_id = ? AND partial = 0 AND discounted = 0",
            set_id,
        )
        assert stored == [(reps,)]
        assert summary, "every set gets a summary"
    sessions = query(db, "SELECT end_reason FROM sessions")
    assert len(sessions) == 1


def test_event_log_tells_the_story(run: tuple[App, Path, Truth]) -> None:
    _, root, _ = run
    events = read_events(root / "out" / "session.jsonl")
    kinds = [e["type"] for e in events]
    assert kinds[0] == "PersonAppeared"
    # A set the end-of-set pass took back to no reps may start and end too; it is no set.
    sets = [e for e in events if e["type"] == "SetEnded" and e["record"]["reps"]]
    assert len(sets) == 2
    assert kinds.count("SetStarted") == kinds.count("SetEnded")
    assert kinds.index("SetStarted") < kinds.index("RepCompleted") < kinds.index("SetEnded")
    assert kinds.count("Command") == 2


def test_oled_screens(run: tuple[App, Path, Truth]) -> None:
    _, root, _ = run
    oled = root / "out" / "oled"
    index = [json.loads(x) for x in (oled / "index.jsonl").read_text().splitlines()]
    assert len(index) == len(list(oled.glob("oled_*.png"))) >= 10
    shown = [e["screen"] for e in index]
    for screen in ("IdleScreen", "LiveSetScreen", "SummaryScreen"):
        assert screen in shown, shown
    assert shown.index("IdleScreen") < shown.index("LiveSetScreen") < shown.index("SummaryScreen")
    assert (root / "out" / "session.gif").stat().st_size > 1000


def test_spoken_cues(run: tuple[App, Path, Truth]) -> None:
    _, root, _ = run
    speech = root / "out" / "speech"
    cues = [json.loads(x) for x in (speech / "cues.jsonl").read_text().splitlines()]
    spoken = [c for c in cues if c["outcome"] == "spoken"]
    reps = [c["text"] for c in spoken if c["kind"] == "rep"]
    # The first rep of the set names the recognised exercise with its count.
    assert reps[:3] == ["Squats. 1", "2", "3"]
    assert not any(c["kind"] == "exercise" for c in spoken)  # never named apart from a rep
    assert any(c["kind"] == "summary" for c in spoken)
    assert len(list(speech.glob("cue_*.wav"))) == len(spoken)
    for cue in spoken:
        assert rms(speech / cue["file"]) > 0.01, cue
