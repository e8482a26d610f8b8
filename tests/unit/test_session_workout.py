"""WorkoutSession: the machine's events recorded in a real SQLite history, rep by rep."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from edge_trainer.coach.summary import summarize_set
from edge_trainer.events import (
    Command,
    Event,
    PartialRep,
    PersonAppeared,
    PersonLost,
    RepCompleted,
    RepRecord,
    SetEnded,
    SetRecord,
    SetStarted,
)
from edge_trainer.session import (
    HistoryReader,
    HistoryStore,
    SessionMachine,
    StoreError,
    WorkoutSession,
)
from edge_trainer.session.machine import Request, SessionState


def rep(i: int, t: float, **kw: object) -> RepRecord:
    return RepRecord(i, t - 2.0, t, 0.7, 1.1, 0.0, 0.5 - i / 50, **kw)  # type: ignore[arg-type]


@pytest.fixture
def session(tmp_path: Path) -> WorkoutSession:
    store = HistoryStore(tmp_path / "history.sqlite3")
    machine = SessionMachine(absence_end_s=30, rest_target_s=60, summarize=summarize_set)
    return WorkoutSession(machine, store)


def feed(ws: WorkoutSession, events: list[Event]) -> list[object]:
    out: list[object] = []
    for e in events:
        out.extend(ws.handle(e))
    return out


def squat_set(t0: float, n: int) -> tuple[list[Event], SetRecord]:
    reps = [rep(i, t0 + 2.0 * i) for i in range(1, n + 1)]
    events: list[Event] = [SetStarted(t0, "squat")]
    events += [RepCompleted(r.end_s, "squat", r) for r in reps]
    return events, SetRecord("squat", t0, t0 + 2.0 * n, tuple(reps))


def test_each_rep_is_in_the_database_when_handle_returns(session: WorkoutSession) -> None:
    assert session.store is not None
    feed(session, [PersonAppeared(0.0), SetStarted(1.0, "squat")])
    for i in range(1, 4):
        session.handle(RepCompleted(1.0 + 2 * i, "squat", rep(i, 1.0 + 2 * i)))
        # A separate read-only connection, as another process would see it.
        with HistoryReader(session.store.path) as reader:
            assert reader.get_set(session.set_id or -1).rep_count == i
    session.handle(PartialRep(9.0, "squat", rep(1, 9.0)))  # partial flag set on the way in
    assert session.store.get_set(session.set_id or -1).partial_count == 1


def test_two_sets_a_rest_and_an_absence(session: WorkoutSession) -> None:
    store = session.store
    assert store is not None
    first_events, first = squat_set(1.0, 3)
    feed(session, [PersonAppeared(0.0), *first_events, SetEnded(15.0, first)])
    first_id = session.last_set_id
    assert session.view.state is SessionState.REST
    assert first_id is not None and store.get_set(first_id).status == "done"
    assert store.get_set(first_id).summary == session.view.summary

    second_events, second = squat_set(40.0, 2)
    feed(session, second_events)
    prev = session.previous_set("squat", before_set_id=session.set_id)
    assert prev is not None and prev.id == first_id and prev.rep_count == 3
    feed(session, [SetEnded(50.0, second), PersonLost(55.0)])
    session.tick(84.0)
    assert session.view.state is SessionState.REST
    session.tick(85.0)
    assert session.view.state is SessionState.IDLE
    rows = store.sessions()
    assert [(r.end_reason, r.set_count, r.ended_s) for r in rows] == [("absence", 2, 85.0)]
    assert session.session_id is None


def test_llm_summary_replaces_the_template(session: WorkoutSession) -> None:
    events, record = squat_set(1.0, 2)
    feed(session, [*events, SetEnded(8.0, record)])
    set_id = session.last_set_id
    assert set_id is not None and session.store is not None
    session.attach_summary(set_id, "Two clean squats, steady tempo.", "llm")
    assert session.view.summary == "Two clean squats, steady tempo."
    stored = session.store.get_set(set_id)
    assert (stored.summary, stored.summary_source) == ("Two clean squats, steady tempo.", "llm")


def test_shutdown_mid_set_keeps_the_reps_as_interrupted(session: WorkoutSession) -> None:
    events, _ = squat_set(1.0, 4)
    feed(session, events)
    set_id = session.set_id
    session.close(10.0)
    assert session.store is not None and set_id is not None
    stored = session.store.get_set(set_id)
    assert (stored.status, stored.rep_count) == ("interrupted", 4)
    assert session.store.sessions()[-1].end_reason == "shutdown"


def test_end_session_button_waits_for_the_final_record(session: WorkoutSession) -> None:
    events, record = squat_set(1.0, 3)
    feed(session, events)
    out = session.handle(Command(8.0, "end_session"))
    assert out == [Request(8.0, "end_set")]
    session.handle(SetEnded(8.0, record))
    assert session.store is not None and session.last_set_id is not None
    assert session.store.get_set(session.last_set_id).status == "done"
    assert session.store.sessions()[-1].end_reason == "command"


def test_a_set_end_without_its_start_still_records_the_reps(session: WorkoutSession) -> None:
    _, record = squat_set(1.0, 2)
    session.handle(SetEnded(9.0, record))
    assert session.store is not None
    [stored] = session.store.recent_sets()
    assert (stored.status, stored.rep_count) == ("done", 2)


def test_a_failing_store_is_logged_and_the_session_goes_on(
    session: WorkoutSession, caplog: pytest.LogCaptureFixture
) -> None:
    assert session.store is not None
    session.store.close()  # every write now raises StoreError
    events, record = squat_set(1.0, 2)
    feed(session, [PersonAppeared(0.0), *events, SetEnded(9.0, record)])
    assert session.view.state is SessionState.REST and session.view.reps == 2
    assert session.store_errors >= 1 and not session.saving
    assert "history store" in caplog.text


def test_without_a_store_only_the_view_is_kept() -> None:
    ws = WorkoutSession(SessionMachine(), None)
    events, record = squat_set(1.0, 2)
    feed(ws, [*events, SetEnded(9.0, record)])
    assert ws.view.reps == 2 and ws.previous_set("squat") is None


def test_a_late_set_end_finishes_the_set_the_session_end_cut_short(
    session: WorkoutSession,
) -> None:
    events, record = squat_set(1.0, 3)
    feed(session, events)
    set_id = session.set_id
    session.handle(Command(8.0, "end_session"))
    session.tick(9.5)  # the end_set request went unanswered: the session ends anyway
    assert session.view.state is SessionState.IDLE
    assert session.store is not None and set_id is not None
    assert session.store.get_set(set_id).status == "interrupted"
    session.handle(SetEnded(10.0, record))  # ...and then the analyzer's record arrives
    [stored] = session.store.recent_sets()
    assert (stored.id, stored.status, stored.rep_count) == (set_id, "done", 3)


def test_a_set_the_end_pass_empties_keeps_its_announced_rep_discounted(
    session: WorkoutSession,
) -> None:
    store = session.store
    assert store is not None
    events, _ = squat_set(1.0, 1)
    feed(session, [PersonAppeared(0.0), *events])
    set_id = session.set_id
    assert set_id is not None and store.get_set(set_id).rep_count == 1
    session.handle(SetEnded(9.0, SetRecord("squat", 1.0, 3.0, ())))
    assert session.view.state is SessionState.PRESENT
    assert session.view.set_no == 0
    [kept] = store.recent_sets()
    assert (kept.id, kept.rep_count, kept.discounted_count) == (set_id, 0, 1)
    stored = store.get_set(set_id)
    assert [d.rep.index for d in stored.discounted] == [1]
    assert "end-of-set pass" in stored.discounted[0].reason
    events, record = squat_set(20.0, 2)
    feed(session, [*events, SetEnded(30.0, record)])
    assert [s.rep_count for s in store.recent_sets()] == [0, 2]
    assert session.view.set_no == 1


def test_a_set_without_a_stored_rep_that_the_end_pass_empties_is_not_kept(
    session: WorkoutSession,
) -> None:
    feed(session, [PersonAppeared(0.0), SetStarted(1.0, "squat")])
    session.handle(SetEnded(9.0, SetRecord("squat", 1.0, 3.0, ())))
    assert session.store is not None and session.store.recent_sets() == []


def test_the_end_pass_never_deletes_an_announced_rep(session: WorkoutSession) -> None:
    store = session.store
    assert store is not None
    events, record = squat_set(1.0, 7)
    feed(session, [PersonAppeared(0.0), *events])
    set_id = session.set_id
    assert set_id is not None
    # The final pass drops live rep 3 and numbers the others 1..6.
    final = tuple(
        dataclasses.replace(r, index=i)
        for i, r in enumerate((r for r in record.reps if r.index != 3), 1)
    )
    session.handle(SetEnded(16.0, dataclasses.replace(record, reps=final)))
    stored = store.get_set(set_id)
    assert (stored.status, stored.rep_count, stored.discounted_count) == ("done", 6, 1)
    [dropped] = stored.discounted
    assert (dropped.rep.index, dropped.rep.end_s) == (3, 7.0)
    assert "end-of-set pass" in dropped.reason
    assert len(stored.reps) + len(stored.discounted) == 7


def test_a_crash_cut_set_below_min_set_reps_keeps_its_rep_discounted(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path)
    ws = WorkoutSession(SessionMachine(), store, min_set_reps=2)
    events, _ = squat_set(1.0, 1)
    feed(ws, [PersonAppeared(0.0), *events])
    set_id = ws.set_id
    store.close()  # as a kill -9 leaves it: the set still open
    with HistoryStore(path) as again:
        assert again.recovered_sets == [set_id]
        stored = again.get_set(set_id or -1)
    assert (stored.status, stored.rep_count, stored.discounted_count) == ("interrupted", 0, 1)
    assert "min_set_reps" in stored.discounted[0].reason


def test_a_crash_cut_set_keeps_every_announced_rep(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path)
    ws = WorkoutSession(SessionMachine(), store, min_set_reps=2)
    events, _ = squat_set(1.0, 3)
    feed(ws, [PersonAppeared(0.0), *events])
    store.close()
    with HistoryStore(path) as again:
        [stored] = again.recent_sets()
    assert (stored.status, stored.rep_count, stored.discounted_count) == ("interrupted", 3, 0)


class FlakyStore(HistoryStore):
    """A real store whose writes fail while ``broken`` is set, like a full disk."""

    broken = False

    def _tx(self):  # type: ignore[no-untyped-def]
        if self.broken:
            raise StoreError(f"writing {self.path} failed: database or disk is full")
        return super()._tx()


def test_reps_that_cannot_be_stored_are_held_and_retried(tmp_path: Path) -> None:
    now = [0.0]
    health: list[tuple[bool, str]] = []
    store = FlakyStore(tmp_path / "history.sqlite3")
    ws = WorkoutSession(
        SessionMachine(),
        store,
        retry_s=5.0,
        on_health=lambda ok, why: health.append((ok, why)),
        clock=lambda: now[0],
    )
    events, record = squat_set(1.0, 4)
    feed(ws, [PersonAppeared(0.0), *events[:3]])
    assert ws.saved and ws.saving
    store.broken = True
    ws.handle(events[3])
    assert not ws.saved and not ws.saving and ws.unsaved == 1
    assert health == [(False, f"not saving: writing {store.path} failed: database or disk is full")]
    ws.handle(events[4])
    ws.handle(SetEnded(12.0, record))
    assert ws.unsaved == 3
    now[0] = 4.0
    ws.tick(13.0)
    assert ws.unsaved == 3  # not due yet
    now[0] = 5.0
    ws.tick(13.5)
    assert ws.unsaved == 3  # due, but still failing
    store.broken = False
    now[0] = 10.0
    ws.tick(14.0)
    assert ws.saving and health[-1][0] is True
    [stored] = store.recent_sets()
    assert (stored.status, stored.rep_count) == ("done", 4)
