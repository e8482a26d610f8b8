"""QueuedHistory: the store behind a bounded writer thread, flushed on close."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from edge_trainer.events import RepCompleted, RepRecord, SetEnded, SetRecord, SetStarted
from edge_trainer.session import (
    HistoryReader,
    HistoryStore,
    QueuedHistory,
    SessionMachine,
    WorkoutSession,
)
from edge_trainer.session.store import StoreError


def rep(i: int) -> RepRecord:
    return RepRecord(i, 2.0 * i, 2.0 * i + 1.5, 0.6, 0.9)


def test_ids_come_back_at_once_and_writes_commit_in_order(tmp_path: Path) -> None:
    committed: list[tuple[str, tuple[Any, ...]]] = []
    writer = QueuedHistory(
        HistoryStore(tmp_path / "h.sqlite3"), on_committed=lambda m, a: committed.append((m, a))
    )
    sid = writer.start_session(0.0)
    set_id = writer.start_set(sid, "squat", 0.0)
    assert (sid, set_id) == (1, 1)
    for i in range(1, 6):
        writer.add_rep(set_id, rep(i))
    got = writer.get_set(set_id)  # reads flush first
    assert got.rep_count == 5
    assert [m for m, _ in committed] == ["start_session", "start_set"] + ["add_rep"] * 5
    assert [a[1].index for m, a in committed if m == "add_rep"] == [1, 2, 3, 4, 5]
    writer.close()
    writer.close()
    with pytest.raises(StoreError, match="closed"):
        writer.add_rep(set_id, rep(6))


def test_close_commits_everything_still_queued(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    writer = QueuedHistory(HistoryStore(path))
    ws = WorkoutSession(SessionMachine(), writer)
    ws.handle(SetStarted(0.0, "squat"))
    reps = tuple(rep(i) for i in range(1, 101))
    for r in reps:
        ws.handle(RepCompleted(r.end_s, "squat", r))
    ws.handle(SetEnded(300.0, SetRecord("squat", 0.0, 300.0, reps)))
    writer.close()
    with HistoryReader(path) as reader:
        [stored] = reader.recent_sets()
    assert (stored.status, stored.rep_count) == ("done", 100)


def test_a_stalled_disk_fills_the_bounded_queue_and_writes_are_dropped_not_blocked(
    tmp_path: Path,
) -> None:
    release = threading.Event()

    def stall(method: str, args: tuple[Any, ...]) -> None:
        release.wait(10.0)  # the writer thread is stuck, as on a hung SD card

    writer = QueuedHistory(
        HistoryStore(tmp_path / "h.sqlite3"), maxsize=4, put_timeout_s=0.05, on_committed=stall
    )
    sid = writer.start_session(0.0)
    set_id = writer.start_set(sid, "squat", 0.0)
    for i in range(1, 11):
        writer.add_rep(set_id, rep(i))
    assert writer.dropped >= 4
    assert not writer.flush(timeout=0.1)
    release.set()
    assert writer.flush(timeout=5.0)
    kept = writer.get_set(set_id).rep_count
    assert kept + writer.dropped == 10
    writer.close()


def test_a_failing_write_is_counted_and_the_writer_goes_on(tmp_path: Path) -> None:
    writer = QueuedHistory(HistoryStore(tmp_path / "h.sqlite3"))
    writer.add_rep(99, rep(1))  # no such open set: StoreError on the writer thread
    sid = writer.start_session(0.0)
    set_id = writer.start_set(sid, "squat", 0.0)
    writer.add_rep(set_id, rep(1))
    assert writer.flush()
    assert writer.errors == 1 and writer.written == 3
    assert writer.get_set(set_id).rep_count == 1
    writer.close()
