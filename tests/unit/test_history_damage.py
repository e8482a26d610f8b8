"""A damaged history never stops the box: found at open, moved aside, salvaged on demand."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from edge_trainer.cli import main
from edge_trainer.events import RepRecord, SetRecord
from edge_trainer.session import HistoryReader, HistoryStore
from edge_trainer.session.damage import DamagedHistoryError
from edge_trainer.session.store import open_history


def rep(i: int) -> RepRecord:
    return RepRecord(i, 2.0 * i, 2.0 * i + 1.5, 0.6, 0.9, 0.0, 0.5)


def fill(path: Path, sets: int = 40, reps: int = 10) -> None:
    """A history big enough to span many pages, closed cleanly (WAL merged)."""
    with HistoryStore(path) as store:
        sid = store.start_session(0.0)
        for _ in range(sets):
            set_id = store.start_set(sid, "squat", 0.0)
            for i in range(1, reps + 1):
                store.add_rep(set_id, rep(i))
            record = SetRecord("squat", 0.0, 30.0, tuple(rep(i) for i in range(1, reps + 1)))
            store.finish_set(set_id, record, "x" * 400, "template")
        store.end_session(sid, 99.0, "command")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


def damage_reps_page(path: Path) -> None:
    """Overwrite one page in the middle of the reps table with garbage."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'reps'").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    try:  # a leaf page of the reps table itself, wherever the schema put it
        leaves = [
            r[0]
            for r in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'reps' AND pagetype = 'leaf' "
                "ORDER BY pageno"
            )
        ]
    except sqlite3.OperationalError:  # SQLite built without the dbstat table
        leaves = []
    conn.close()
    victim = leaves[len(leaves) // 2] if leaves else min(pages - 2, root + 3)
    with path.open("r+b") as f:
        f.seek((victim - 1) * page_size)
        f.write(b"\xa5" * page_size)


def test_a_zero_byte_history_is_moved_aside_not_replaced_silently(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    db.write_bytes(b"")
    with pytest.raises(DamagedHistoryError, match="empty"):
        HistoryStore(db)
    store, moved = open_history(db)
    store.close()
    assert moved is not None and moved.name.startswith("history.sqlite3.damaged-")
    assert moved.stat().st_size == 0 and db.stat().st_size > 0


def test_a_damaged_page_is_found_at_open_and_the_box_starts_a_new_history(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "history.sqlite3"
    fill(db)
    damage_reps_page(db)
    before = db.read_bytes()
    store, moved = open_history(db)
    try:
        assert moved is not None and moved.read_bytes() == before, "never deleted or changed"
        assert store.recent_sets() == []
        sid = store.start_session(0.0)
        store.start_set(sid, "squat", 0.0)
    finally:
        store.close()
    assert "history --recover" in caplog.text


def test_garbage_is_moved_aside_too(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    db.write_bytes(b"this is not sqlite" * 100)
    store, moved = open_history(db)
    store.close()
    assert moved is not None and moved.read_bytes().startswith(b"this is not sqlite")


def test_history_on_a_damaged_file_is_one_line_and_recover_salvages_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "history.sqlite3"
    fill(db)
    damage_reps_page(db)
    before = db.read_bytes()
    for fmt in ([], ["--json"], ["--csv"]):
        code = main(["history", "--db", str(db), "--last", "1000", *fmt])
        err = capsys.readouterr().err
        assert code == 2 or err == "", err
        if code == 2:
            assert err.count("\n") == 1 and "--recover" in err
    out = tmp_path / "salvaged.sqlite3"
    assert main(["history", "--recover", str(db), "-o", str(out)]) == 0
    line = capsys.readouterr().out
    assert line.startswith("recovered 1 session(s), ") and str(out) in line
    assert "1 unreadable stretch(es) skipped" in line
    assert db.read_bytes() == before, "the damaged file is left as it was"
    with HistoryReader(out) as reader:
        sets = reader.recent_sets(1000)
        assert reader.integrity_check() == "ok"
    conn = sqlite3.connect(out)
    reps = conn.execute("SELECT COUNT(*) FROM reps").fetchone()[0]
    conn.close()
    # One page of rows is lost (sets and reps share pages as they were written); the
    # rest is all there.
    assert 380 <= len(sets) + reps < 440
    assert main(["history", "--recover", str(db), "-o", str(out)]) == 2  # never overwrites
    assert "exists" in capsys.readouterr().err


def test_recover_refuses_what_is_not_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "--recover", str(tmp_path)]) == 2
    assert "directory" in capsys.readouterr().err
