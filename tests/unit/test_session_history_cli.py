"""``edge-trainer history``: table, JSON, CSV, plot, and clear errors, through the real CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from edge_trainer.cli import main
from edge_trainer.events import RepRecord, SetRecord
from edge_trainer.session.store import HistoryStore


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite3"
    with HistoryStore(path) as store:
        sid = store.start_session(0.0)
        reps = tuple(
            RepRecord(i, 2.0 * i, 2.0 * i + 2, 0.8, 1.2, 0.1, 0.6 - 0.05 * i) for i in range(1, 6)
        )
        first = store.start_set(sid, "squat", 0.0)
        store.finish_set(
            first,
            SetRecord("squat", 0.0, 12.0, reps, (RepRecord(1, 12, 13, 0.3, 0.3, partial=True),)),
            "Five squats.",
            "template",
        )
        second = store.start_set(sid, "push_up", 30.0)
        store.add_rep(second, RepRecord(1, 30.0, 32.0, 0.5, 0.7, faults=("hips_sag",)))
    return path


def test_table(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["ID", "SESS", "STARTED", "EXERCISE"]
    assert lines[1].split()[4:7] == ["squat", "5", "1"]
    assert "push_up" in lines[2] and "hips_sag:1" in lines[2]


def test_json_and_last(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--db", str(db), "--json", "--last", "1"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["exercise"], row["reps"], row["status"]) == ("push_up", 1, "open")
    assert row["faults"] == {"hips_sag": 1}


def test_csv(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--db", str(db), "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["exercise"] for r in rows] == ["squat", "push_up"]
    assert rows[0]["velocity_loss_pct"] == "36.4" and rows[0]["summary"] == "Five squats."


def test_plot(db: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the 'plot' extra is not installed")
    from PIL import Image

    out = tmp_path / "plots" / "set.png"
    assert main(["history", "--db", str(db), "--plot", "1", "-o", str(out)]) == 0
    with Image.open(out) as img:
        assert img.format == "PNG" and img.size == (700, 400)
        # Bars are drawn in the concentric blue: the picture is not blank.
        colours = {c for _, c in img.convert("RGB").getcolors(1 << 20) or []}
        assert (59, 125, 216) in colours


def test_clear_errors(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--db", str(tmp_path / "none.sqlite3")]) == 2
    assert "no history database at" in capsys.readouterr().err
    assert main(["history", "--db", str(db), "--plot", "42"]) == 2
    assert "no set with id 42" in capsys.readouterr().err
    assert main(["history", "--db", str(db), "--last", "0"]) == 2
    assert main(["history", "--db", str(db), "-o", "x.png"]) == 2
    assert "only used with --plot" in capsys.readouterr().err


def test_database_comes_from_the_config(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[paths]\nstate_dir = "{tmp_path}"\n', encoding="utf-8")
    assert main(["history", "--config", str(cfg), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
