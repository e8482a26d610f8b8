"""Fleet history: exports folded into one database, idempotently, with conflicts kept out."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from edge_trainer.cli import main
from edge_trainer.events import RepRecord, SetRecord
from edge_trainer.session.merge import export, merge
from edge_trainer.session.store import HistoryReader, HistoryStore


def rep(i: int) -> RepRecord:
    return RepRecord(i, i * 2.0, i * 2.0 + 1.5, 0.7, 0.8, velocity=0.5)


def box_history(path: Path, member: str, reps: int, clock: float, *, finish: bool = True) -> int:
    """A box's history with one set by ``member``; returns the set id."""
    with HistoryStore(path, clock=lambda: clock) as store:
        sid = store.start_session(0.0)
        set_id = store.start_set(sid, "push_up", 1.0)
        store.set_member(set_id, member)
        for i in range(1, reps + 1):
            store.add_rep(set_id, rep(i))
        if finish:
            record = SetRecord("push_up", 1.0, 20.0, tuple(rep(i) for i in range(1, reps + 1)))
            store.finish_set(set_id, record, "Nice.", "template")
            store.end_session(sid, 30.0, "absence")
    return set_id


def member_reps(db: Path, member: str) -> list[int]:
    with HistoryReader(db) as reader:
        return [s.rep_count for s in reader.member_sets(member)]


def test_merge_twice_adds_nothing(tmp_path: Path) -> None:
    a, b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    box_history(a, "AAAA1111", 5, 1000.0)
    box_history(b, "AAAA1111", 7, 2000.0)
    ea, eb = tmp_path / "ea.sqlite3", tmp_path / "eb.sqlite3"
    assert export(a, ea) != export(b, eb)  # each file has its own box id
    fleet = tmp_path / "fleet.sqlite3"
    first = merge(fleet, [ea, eb])
    assert (first.sessions, first.sets, first.conflicts) == (2, 2, [])
    again = merge(fleet, [ea, eb])
    assert (again.sessions, again.sets, again.updated, again.unchanged) == (0, 0, 0, 2)
    assert member_reps(fleet, "AAAA1111") == [5, 7]
    with sqlite3.connect(fleet) as conn:
        assert conn.execute("SELECT COUNT(*) FROM reps").fetchone()[0] == 12
    # A merged file merged further keeps each set's first box: still nothing new.
    other = tmp_path / "other.sqlite3"
    merge(other, [ea])
    assert merge(other, [fleet]).sets == 1  # only b's set is new there
    assert merge(other, [eb, fleet]).sets == 0


def test_a_later_export_brings_the_final_state_of_an_open_set(tmp_path: Path) -> None:
    box = tmp_path / "box.sqlite3"
    set_id = box_history(box, "AAAA1111", 3, 1000.0, finish=False)
    early = tmp_path / "early.sqlite3"
    shutil.copyfile(box, early)  # taken while the set was still open
    with HistoryStore(box, clock=lambda: 1000.0) as store:  # recovery closes it
        assert store.recovered_sets == [set_id]
    fleet = tmp_path / "fleet.sqlite3"
    assert merge(fleet, [early]).sets == 1
    later = tmp_path / "later.sqlite3"
    export(box, later)
    report = merge(fleet, [later])
    assert (report.sets, report.updated) == (0, 1)
    with HistoryReader(fleet) as reader:
        (merged,) = reader.recent_sets(5)
    assert merged.status == "interrupted" and merged.rep_count == 3
    assert merge(fleet, [early, later]).updated == 0  # an older state never wins


def test_a_copied_box_is_a_conflict_not_a_mix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = tmp_path / "box.sqlite3"
    box_history(box, "AAAA1111", 4, 1000.0)
    clone = tmp_path / "clone.sqlite3"
    shutil.copyfile(box, clone)  # an SD card copied to a second box, same box id
    with sqlite3.connect(clone) as conn:
        conn.execute("UPDATE sets SET wall_start = wall_start + 86400")
    fleet = tmp_path / "fleet.sqlite3"
    code = main(["history", "merge", "--db", str(fleet), str(box), str(clone)])
    captured = capsys.readouterr()
    assert code == 1
    assert "1 set(s) added" in captured.out and "1 conflict(s)" in captured.out
    assert "copied from another box" in captured.err
    assert member_reps(fleet, "AAAA1111") == [4]


def test_bad_exports_are_refused_and_nothing_is_lost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.sqlite3"
    box_history(good, "AAAA1111", 4, 1000.0)
    fleet = tmp_path / "fleet.sqlite3"
    merge(fleet, [good])
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    assert main(["history", "merge", "--db", str(fleet), str(junk)]) == 2
    assert main(["history", "merge", "--db", str(fleet), str(fleet)]) == 2
    assert main(["history", "merge", "--db", str(fleet), str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.count("error:") == 3
    assert member_reps(fleet, "AAAA1111") == [4]


def test_member_history_and_progress_on_the_merged_file(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    boxes = []
    for i, (reps, day) in enumerate(((5, 0), (7, 8), (9, 15))):
        path = tmp_path / f"box{i}.sqlite3"
        box_history(path, "AAAA1111", reps, 1_700_000_000.0 + day * 86400)
        boxes.append(str(path))
    fleet = tmp_path / "fleet.sqlite3"
    assert main(["history", "merge", "--db", str(fleet), *boxes]) == 0
    members = tmp_path / "members.json"
    members.write_text(
        '{"members": [{"id": "AAAA1111", "name": "Ana", "created": 1, "updated": 1}]}'
    )
    out = tmp_path / "progress.png"
    args = ["history", "--db", str(fleet), "--members", str(members), "--member", "ana"]
    assert main([*args, "--progress", "-o", str(out)]) == 0
    assert out.stat().st_size > 10_000
    assert main([*args, "--json"]) == 0
    assert main(["history", "--db", str(fleet), "--members", str(members), "--member", "Bob"]) == 2
