"""The daemon's health file: ok, degraded with each current problem, back to ok."""

from __future__ import annotations

from collections import namedtuple
from pathlib import Path

import pytest

from edge_trainer.models.health import read_health
from edge_trainer.service import health as health_mod
from edge_trainer.service.health import HealthReporter


def test_problems_degrade_and_clear(tmp_path: Path) -> None:
    said: list[str] = []
    rep = HealthReporter(tmp_path, lambda: "m7", said.append)
    rep.write()
    first = read_health(tmp_path)
    assert first is not None and (first.status, first.manifest_id) == ("ok", "m7")
    rep.problem("history", "not saving: disk full")
    rep.problem("history", "not saving: disk full")  # no change, no second report
    rep.problem("disk", "only 3 MB free")
    report = read_health(tmp_path)
    assert report is not None and report.status == "degraded" and report.loaded
    assert report.detail == "not saving: disk full; only 3 MB free"
    rep.problem("history", None)
    rep.problem("disk", None)
    last = read_health(tmp_path)
    assert last is not None and last.ok
    assert said == [
        "degraded: not saving: disk full",
        "degraded: only 3 MB free",
        "running",
        "running",
    ]


def test_low_disk_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    usage = namedtuple("usage", "total used free")
    free = [50 * 2**20]
    monkeypatch.setattr(health_mod.shutil, "disk_usage", lambda p: usage(0, 0, free[0]))
    rep = HealthReporter(tmp_path, lambda: "", lambda text: None)
    rep.check_disk(64)
    assert "only 50 MB free" in rep.problems["disk"]
    free[0] = 500 * 2**20
    rep.check_disk(64)
    assert rep.problems == {}


def test_demo_mode_writes_no_file(tmp_path: Path) -> None:
    rep = HealthReporter(tmp_path, lambda: "", lambda text: None, enabled=False)
    rep.problem("disk", "low")
    assert read_health(tmp_path) is None
