"""The session state machine: states, timers, commands and the view, from events alone."""

from __future__ import annotations

from edge_trainer.coach.summary import summarize_set
from edge_trainer.events import (
    CameraLost,
    CameraRestored,
    Command,
    ExerciseChanged,
    FormFault,
    PartialRep,
    PersonAppeared,
    PersonLost,
    RepCompleted,
    RepRecord,
    SetEnded,
    SetRecord,
    SetStarted,
)
from edge_trainer.session.machine import (
    Request,
    SessionBegan,
    SessionFinished,
    SessionMachine,
    SessionState,
    StateChanged,
)

S = SessionState


def rep(i: int, t: float, con: float = 0.8, ecc: float = 1.2, **kw: object) -> RepRecord:
    return RepRecord(i, t - 2.0, t, con, ecc, **kw)  # type: ignore[arg-type]


def states(outputs: list[object]) -> list[SessionState]:
    return [o.new for o in outputs if isinstance(o, StateChanged)]


def test_full_workout_walks_through_every_state() -> None:
    m = SessionMachine(absence_end_s=30, rest_target_s=60, summarize=summarize_set)
    assert m.state is S.IDLE
    out = m.handle(PersonAppeared(1.0))
    assert isinstance(out[0], SessionBegan) and out[0].session_no == 1
    assert states(out) == [S.PRESENT]
    m.handle(ExerciseChanged(2.0, "squat", None, 0.9))
    assert m.view.exercise == "squat"
    assert states(m.handle(SetStarted(3.0, "squat"))) == [S.SET_ACTIVE]
    assert m.view.set_no == 1
    for i in range(1, 4):
        m.handle(RepCompleted(3.0 + 2 * i, "squat", rep(i, 3.0 + 2 * i, con=0.5 + i / 10)))
    m.handle(FormFault(9.0, "squat", 3, "knees_in"))
    m.handle(PartialRep(10.0, "squat", rep(1, 10.0, partial=True)))
    v = m.view
    assert (v.reps, v.partial_reps, v.last_concentric_s, v.last_fault) == (3, 1, 0.8, "knees_in")
    assert (v.last_fault_t, v.last_fault_rep) == (9.0, 3)
    record = SetRecord("squat", 3.0, 10.0, tuple(rep(i, 3.0 + 2 * i) for i in range(1, 4)))
    assert states(m.handle(SetEnded(18.0, record))) == [S.REST]
    assert m.view.summary.startswith("3 squats")
    assert m.view.rest_remaining_s == 60
    m.handle(ExerciseChanged(19.0, "push_up", "squat", 0.8))
    assert (m.view.exercise, m.view.set_exercise) == ("push_up", "squat")
    m.tick(40.5)
    assert (m.view.rest_s, m.view.rest_remaining_s) == (22, 38)
    m.tick(100.0)
    assert (m.view.rest_s, m.view.rest_remaining_s) == (82, 0)
    assert states(m.handle(SetStarted(101.0, "pushup"))) == [S.SET_ACTIVE]
    assert (m.view.set_no, m.view.reps, m.view.last_fault, m.view.exercise) == (
        2,
        0,
        None,
        "pushup",
    )


def test_long_absence_ends_the_session_and_a_return_starts_a_new_one() -> None:
    m = SessionMachine(absence_end_s=30, rest_target_s=60)
    m.handle(PersonAppeared(0.0))
    m.handle(PersonLost(5.0))
    assert not m.view.person_present
    assert m.tick(34.9) == []
    out = m.tick(35.0)
    assert [type(o) for o in out] == [SessionFinished, StateChanged]
    assert isinstance(out[0], SessionFinished) and out[0].reason == "absence"
    assert m.state is S.IDLE
    out = m.handle(PersonAppeared(50.0))
    assert isinstance(out[0], SessionBegan) and out[0].session_no == 2


def test_a_short_absence_does_not_end_the_session() -> None:
    m = SessionMachine(absence_end_s=30)
    m.handle(PersonAppeared(0.0))
    m.handle(PersonLost(5.0))
    m.handle(PersonAppeared(20.0))
    assert m.tick(100.0) == []
    assert m.state is S.PRESENT


def test_end_session_mid_set_asks_for_the_set_end_first() -> None:
    m = SessionMachine()
    m.handle(SetStarted(1.0, "squat"))  # no PersonAppeared: a session starts implicitly
    assert m.view.session_no == 1 and m.state is S.SET_ACTIVE
    out = m.handle(Command(2.0, "end_session"))
    assert out == [Request(2.0, "end_set")]
    assert m.state is S.SET_ACTIVE
    out = m.handle(SetEnded(2.0, SetRecord("squat", 1.0, 2.0, (rep(1, 2.0),))))
    assert states(out) == [S.REST, S.IDLE]
    assert any(isinstance(o, SessionFinished) and o.reason == "command" for o in out)


def test_an_unanswered_end_set_request_still_ends_the_session() -> None:
    m = SessionMachine()
    m.handle(SetStarted(1.0, "squat"))
    m.handle(Command(2.0, "end_session"))
    assert m.tick(2.5) == []
    out = m.tick(3.0)
    assert states(out) == [S.REST, S.IDLE]


def test_first_rep_without_set_started_opens_a_set() -> None:
    m = SessionMachine()
    out = m.handle(RepCompleted(4.0, "lunge", rep(1, 4.0)))
    assert isinstance(out[0], SessionBegan)
    assert states(out) == [S.PRESENT, S.SET_ACTIVE]
    assert (m.view.exercise, m.view.reps) == ("lunge", 1)


def test_buttons_map_to_requests() -> None:
    m = SessionMachine(exercises=("squat", "pushup"))
    m.handle(PersonAppeared(0.0))
    assert m.handle(Command(1.0, "start_stop_set")) == [Request(1.0, "start_set")]
    m.handle(SetStarted(1.5, "squat"))
    assert m.handle(Command(2.0, "start_stop_set")) == [Request(2.0, "end_set")]
    picks = [m.handle(Command(3.0 + i, "next_exercise"))[0] for i in range(3)]
    assert [p.exercise for p in picks if isinstance(p, Request)] == ["squat", "pushup", None]
    assert not m.view.exercise_locked
    m.handle(Command(7.0, "next_exercise"))
    assert m.view.exercise_locked and m.view.exercise == "squat"
    m.handle(ExerciseChanged(8.0, "pushup"))
    assert m.view.exercise == "squat", "a locked exercise ignores auto-detection"
    m.handle(Command(9.0, "mute"))
    assert m.view.muted


def test_camera_state_and_non_exercise_labels() -> None:
    m = SessionMachine()
    m.handle(ExerciseChanged(1.0, "squat"))
    m.handle(ExerciseChanged(2.0, "unknown"))
    assert m.view.exercise == "squat"
    m.handle(CameraLost(3.0, "unplugged"))
    assert not m.view.camera_ok
    m.handle(CameraRestored(4.0))
    assert m.view.camera_ok


def test_force_end_mid_set_and_idempotent_when_idle() -> None:
    m = SessionMachine()
    m.handle(SetStarted(1.0, "squat"))
    out = m.force_end(2.0, "shutdown")
    assert states(out) == [S.REST, S.IDLE]
    assert any(isinstance(o, SessionFinished) and o.reason == "shutdown" for o in out)
    assert m.force_end(3.0) == []


def test_equal_views_mean_nothing_visible_changed() -> None:
    m = SessionMachine(rest_target_s=60)
    m.handle(SetStarted(0.0, "squat"))
    m.handle(SetEnded(1.0, SetRecord("squat", 0.0, 1.0, (rep(1, 1.0),))))
    m.tick(1.2)
    before = m.view
    m.tick(1.9)
    assert m.view == before
    m.tick(2.0)
    assert m.view != before


def test_deterministic_summary_states_the_facts() -> None:
    reps = (rep(1, 2.0, velocity=0.5), rep(2, 4.0, velocity=0.4, faults=("hips_rise",)))
    text = summarize_set(SetRecord("push_up", 0.0, 4.0, reps, (rep(1, 5.0),)))
    assert text.startswith("2 push-ups.")
    assert "Rep 2 showed hips rise: check hips rise next set." in text
