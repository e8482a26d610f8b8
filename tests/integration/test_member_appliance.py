"""The emulated box signing a member in from pixels: a card held up, then a set of squats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from edge_trainer import config
from edge_trainer.app import App
from edge_trainer.eventlog import read_events
from edge_trainer.hw.screens import StatusScreen, render_image
from edge_trainer.members.registry import MemberList
from edge_trainer.sim.api import write_clip
from edge_trainer.sim.spec import ActivitySpec, ClipSpec, SetSpec
from tests.appliance import provision_models, query, write_config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[App]]:
    root = tmp_path_factory.mktemp("member-box")
    models = provision_models(root / "models")
    members = MemberList()
    ana = members.add("Ana")
    members.save(root / "state" / "members.json")
    spec = ClipSpec(
        (ActivitySpec("stand", 2.0, 90.0), SetSpec("squat", 5, 90.0)),
        seed=3, width=480, height=360, card_id=ana.id, card_s=1.5,
    )  # fmt: skip
    write_clip(spec, root / "card-squats")
    cfg = config.load(write_config(root / "c.toml", root, models))
    apps = []
    for i in range(2):  # the same workout on two days
        cfg = config.replace(cfg, paths=config.replace(cfg.paths, output_dir=str(root / f"out{i}")))
        app = App(cfg, "demo", video=root / "card-squats.mp4")
        assert app.run() == 0
        apps.append(app)
    return root, ana.id, apps


def test_the_card_signs_the_member_in_and_their_set_is_theirs(
    runs: tuple[Path, str, list[App]],
) -> None:
    root, member, apps = runs
    events = read_events(root / "out0" / "session.jsonl")
    signed = [e for e in events if e["type"] == "MemberSignedIn"]
    assert len(signed) == 1 and signed[0]["member_id"] == member and signed[0]["t"] < 1.5
    first_set = next(e for e in events if e["type"] == "SetStarted")
    assert signed[0]["t"] < first_set["t"]
    rows = query(root / "state" / "history.sqlite3", "SELECT member_id, rep_count FROM sets "
                 "WHERE rep_count > 0 ORDER BY id")  # fmt: skip
    assert [r[0] for r in rows] == [member, member]
    assert apps[0].card_reader is not None and apps[0].card_reader.scans > 0
    # The card was only looked for outside the set, every tenth frame at most.
    reader = apps[0].card_reader
    assert reader.scans <= reader.frames / 10 + 1


def test_greeting_and_first_best_are_said_and_shown(runs: tuple[Path, str, list[App]]) -> None:
    root, member, _apps = runs
    speech = root / "out0" / "speech"
    cues = [json.loads(x) for x in (speech / "cues.jsonl").read_text().splitlines()]
    said = [c["text"] for c in cues if c["outcome"] == "spoken"]
    assert said[0] == "Hello Ana"
    assert "New best: 5 squats" in said
    assert said.index("Set done. 5 squats") < said.index("New best: 5 squats")
    bests = [e for e in read_events(root / "out0" / "session.jsonl") if e["type"] == "PersonalBest"]
    assert [(b["member_id"], b["reps"]) for b in bests] == [(member, 5)]
    oled = root / "out0" / "oled"
    shown = [json.loads(x) for x in (oled / "index.jsonl").read_text().splitlines()]
    status = [
        Image.open(oled / s["file"]).convert("1") for s in shown if s["screen"] == "StatusScreen"
    ]
    for screen in (
        StatusScreen("Welcome", "Hi Ana. Your sets are saved as yours.", "info"),
        StatusScreen("New best", "5 squats", "info"),
    ):
        expected = render_image(screen)
        assert any(ImageChops.difference(expected, png).getbbox() is None for png in status), screen


def test_the_same_set_again_is_no_new_best(runs: tuple[Path, str, list[App]]) -> None:
    _root, _member, apps = runs
    assert apps[1].outputs is not None
    assert [g.name for g in apps[1].outputs.greetings] == ["Ana"]
    assert apps[1].outputs.bests == []
