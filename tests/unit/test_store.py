"""The SQLite history store: writes, reads, migrations, recovery and clear errors."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from edge_trainer.errors import EdgeTrainerError, InputError
from edge_trainer.events import RepRecord, SetRecord
from edge_trainer.session import schema
from edge_trainer.session.store import HistoryReader, HistoryStore, StoreError, database_path


def rep(i: int, t: float = 0.0, **kw: object) -> RepRecord:
    base = {"concentric_s": 0.8, "eccentric_s": 1.2, "pause_s": 0.1}
    base.update(kw)
    return RepRecord(i, t + 2.0 * i, t + 2.0 * i + 2.0, **base)  # type: ignore[arg-type]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "history.sqlite3"


def test_new_database_is_wal_latest_schema_and_sound(db: Path) -> None:
    with HistoryStore(db) as store:
        assert store.integrity_check() == "ok"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    conn.close()


def test_reps_are_readable_by_another_connection_as_soon_as_added(db: Path) -> None:
    with HistoryStore(db) as store:
        sid = store.start_session(0.0)
        set_id = store.start_set(sid, "squat", 1.0)
        store.add_rep(set_id, rep(1, velocity=0.5, faults=("knees_in",)))
        store.add_rep(set_id, rep(1, 10.0, partial=True))
        with HistoryReader(db) as reader:
            live = reader.get_set(set_id)
        assert live.status == "open"
        assert (live.rep_count, live.partial_count) == (1, 1)
        assert live.reps[0].faults == ("knees_in",) and live.reps[0].velocity == 0.5
        assert live.faults == {"knees_in": 1}


def test_finish_set_replaces_reps_with_the_final_record(db: Path) -> None:
    with HistoryStore(db) as store:
        sid = store.start_session(0.0)
        set_id = store.start_set(sid, "unknown", 1.0)
        for i in range(1, 4):
            store.add_rep(set_id, rep(i, velocity=0.6 - 0.1 * i))
        # The end-of-set pass turned rep 3 into a partial and named the exercise.
        final = SetRecord(
            "squat",
            1.0,
            9.0,
            (rep(1, velocity=0.5, faults=("depth",)), rep(2, velocity=0.4, faults=("depth",))),
            (rep(1, 20.0, partial=True),),
        )
        store.finish_set(set_id, final, "Two squats.", "template")
        got = store.get_set(set_id)
    assert got.status == "done" and got.exercise == "squat"
    assert [r.index for r in got.reps] == [1, 2] and len(got.partial_reps) == 1
    assert got.partial_reps[0].partial
    assert got.velocity_loss_pct == 20.0
    assert got.faults == {"depth": 2}
    assert got.time_under_tension_s == pytest.approx(4.2)
    assert (got.concentric_avg_s, got.eccentric_avg_s) == (0.8, 1.2)
    assert (got.summary, got.summary_source) == ("Two squats.", "template")
    assert got.to_record().rep_count == 2
    assert got.to_record().time_under_tension_s == pytest.approx(4.2)


def test_previous_set_and_recent_sets(db: Path) -> None:
    with HistoryStore(db) as store:
        s1 = store.start_session(0.0)
        ids = []
        for n, ex in enumerate(["squat", "pushup", "squat", "squat"]):
            set_id = store.start_set(s1, ex, 10.0 * n)
            store.add_rep(set_id, rep(1, 10.0 * n))
            if n < 3:
                store.finish_set(set_id, SetRecord(ex, 10.0 * n, 10.0 * n + 4, (rep(1),)))
            ids.append(set_id)
        prev = store.previous_set(s1, "squat")
        assert prev is not None and prev.id == ids[2] and len(prev.reps) == 1
        assert store.previous_set(s1, "squat", before_set_id=ids[2]) is not None
        assert store.previous_set(s1, "squat", before_set_id=ids[0]) is None
        assert store.previous_set(s1, "lunge") is None
        assert [s.id for s in store.recent_sets(2)] == ids[2:]
        store.set_summary(ids[0], "Good depth.", "llm")
        assert store.get_set(ids[0]).summary == "Good depth."
        with pytest.raises(InputError, match="no set with id 99"):
            store.set_summary(99, "x")
        with pytest.raises(InputError, match="no set with id 99"):
            store.get_set(99)


def test_reopening_recovers_open_sets_from_their_reps(db: Path) -> None:
    store = HistoryStore(db)
    sid = store.start_session(5.0)
    done = store.start_set(sid, "squat", 6.0)
    store.finish_set(done, SetRecord("squat", 6.0, 9.0, (rep(1),)))
    open_id = store.start_set(sid, "pushup", 20.0)
    store.add_rep(open_id, rep(1, 20.0, velocity=0.5))
    store.add_rep(open_id, rep(2, 20.0, velocity=0.4))
    store.add_rep(open_id, rep(1, 30.0, partial=True))
    store.close()  # as after SIGKILL: the set was never finished

    with HistoryStore(db) as again:
        assert again.recovered_sets == [open_id]
        got = again.get_set(open_id)
        assert got.interrupted and got.rep_count == 2 and got.partial_count == 1
        assert got.end_s == 34.0
        assert got.velocity_loss_pct == 20.0
        session = again.sessions()[-1]
        assert (session.end_reason, session.ended_s, session.set_count) == ("interrupted", 34.0, 2)
        # New ids continue after the old ones.
        assert again.start_session(0.0) == sid + 1
    with HistoryStore(db) as third:
        assert third.recovered_sets == []


def test_an_old_schema_file_is_migrated_on_open(db: Path) -> None:
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db, isolation_level=None)
    schema.migrate(conn, target=1)
    conn.execute(
        "INSERT INTO sessions (id, started_s, ended_s, wall_start, end_reason) "
        "VALUES (1, 0, 9, 1.0, 'absence')"
    )
    conn.execute(
        "INSERT INTO sets (id, session_id, exercise, status, started_s, ended_s, wall_start, "
        "rep_count, summary) VALUES (1, 1, 'squat', 'done', 1, 9, 1.0, 5, 'Five squats.')"
    )
    conn.close()
    with HistoryStore(db) as store:
        got = store.get_set(1)
        assert (got.rep_count, got.summary, got.summary_source) == (5, "Five squats.", "unknown")
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "sets_by_exercise" in indexes
    conn.close()


def test_a_newer_schema_is_refused_and_left_untouched(db: Path) -> None:
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this edge-trainer"):
        HistoryStore(db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST + 1
    conn.close()


def test_garbage_file_gives_one_clear_error(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"is damaged: .*not a database") as err:
        HistoryStore(db)
    assert isinstance(err.value, EdgeTrainerError)
    with pytest.raises(StoreError, match="not a usable history database"):
        HistoryReader(db)
    assert db.read_bytes().startswith(b"this is not sqlite"), "the file is left as it was"


def test_missing_database_for_reading(db: Path) -> None:
    with pytest.raises(StoreError, match="no history database at"):
        HistoryReader(db)


def test_second_writer_is_refused(db: Path) -> None:
    with HistoryStore(db), pytest.raises(StoreError, match="in use by another"):
        HistoryStore(db)
    HistoryStore(db).close()  # the lock is released on close


def test_writes_after_close_fail_clearly_and_close_is_idempotent(db: Path) -> None:
    store = HistoryStore(db)
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.start_session(0.0)


def test_rep_for_a_set_that_is_not_open_is_refused(db: Path) -> None:
    with HistoryStore(db) as store:
        with pytest.raises(StoreError, match="not open"):
            store.add_rep(7, rep(1))
        sid = store.start_session(0.0)
        set_id = store.start_set(sid, "squat", 0.0)
        store.finish_set(set_id, SetRecord("squat", 0.0, 1.0, ()))
        with pytest.raises(StoreError, match="not open"):
            store.add_rep(set_id, rep(1))


def test_summary_from_another_thread_while_reps_are_written(db: Path) -> None:
    with HistoryStore(db) as store:
        sid = store.start_session(0.0)
        first = store.start_set(sid, "squat", 0.0)
        store.finish_set(first, SetRecord("squat", 0.0, 1.0, (rep(1),)))
        second = store.start_set(sid, "squat", 5.0)
        errors: list[BaseException] = []

        def summarise() -> None:
            try:
                for i in range(50):
                    store.set_summary(first, f"summary {i}", "llm")
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        worker = threading.Thread(target=summarise)
        worker.start()
        for i in range(1, 51):
            store.add_rep(second, rep(i))
        worker.join()
        assert errors == []
        assert store.get_set(first).summary == "summary 49"
        assert store.get_set(second).rep_count == 50


def test_database_path() -> None:
    assert database_path("/var/lib/edge-trainer") == Path("/var/lib/edge-trainer/history.sqlite3")
    assert database_path("/x", "/data/h.db") == Path("/data/h.db")


def test_an_interrupted_set_can_still_be_finished_but_a_done_one_cannot(db: Path) -> None:
    with HistoryStore(db) as store:
        sid = store.start_session(0.0)
        set_id = store.start_set(sid, "squat", 0.0)
        store.add_rep(set_id, rep(1))
        store.close_set_from_reps(set_id)
        assert store.get_set(set_id).status == "interrupted"
        store.finish_set(set_id, SetRecord("squat", 0.0, 5.0, (rep(1), rep(2))))
        assert (store.get_set(set_id).status, store.get_set(set_id).rep_count) == ("done", 2)
        with pytest.raises(StoreError, match="not open"):
            store.finish_set(set_id, SetRecord("squat", 0.0, 5.0, ()))


READ_AS_OTHER_USER = """
import os, sys
from edge_trainer.session.db import HistoryReader  # imported while still allowed to
if os.geteuid() == 0:
    os.setgid(65534)
    os.setuid(65534)  # nobody: may read the file, may not create files next to it
with HistoryReader(sys.argv[1]) as reader:
    print([s.rep_count for s in reader.recent_sets()])
"""


def test_an_owner_without_write_access_can_read_the_history() -> None:
    # Its own folder under the system temp dir, so the other user can reach it.
    folder = Path(tempfile.mkdtemp(prefix="edge-trainer-ro-"))
    db = folder / "history.sqlite3"
    try:
        with HistoryStore(db) as store:
            sid = store.start_session(0.0)
            set_id = store.start_set(sid, "squat", 0.0)
            store.finish_set(set_id, SetRecord("squat", 0, 1, (rep(1),)))
        assert not (folder / (db.name + "-shm")).exists()
        db.chmod(0o444)
        folder.chmod(0o555)  # no new files here (root ignores this; nobody does not)
        proc = subprocess.run(
            [sys.executable, "-c", READ_AS_OTHER_USER, str(db)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[1]"
