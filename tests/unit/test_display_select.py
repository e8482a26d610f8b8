"""Choosing the OLED screen from the session view."""

from __future__ import annotations

from dataclasses import replace

from edge_trainer.hw.screen_select import (
    FAULT_FLASH_S,
    FAULT_ICON_S,
    SUMMARY_SHOW_S,
    select_screen,
)
from edge_trainer.hw.screens import (
    FaultScreen,
    IdleScreen,
    LiveSetScreen,
    RestScreen,
    StatusScreen,
    SummaryScreen,
    render_image,
)
from edge_trainer.session.machine import SessionState, SessionView

ACTIVE = SessionView(
    state=SessionState.SET_ACTIVE, session_no=1, set_no=2, exercise="squat", reps=6,
    partial_reps=1, last_concentric_s=0.9, last_eccentric_s=1.6, person_present=True,
)  # fmt: skip


def pick(view: SessionView, t: float = 100.0) -> object:
    return select_screen(view, t, rest_target_s=90.0)


def test_idle_and_present() -> None:
    assert pick(SessionView()) == IdleScreen()
    present = SessionView(state=SessionState.PRESENT, set_no=1, exercise="push_up",
                          exercise_locked=True, muted=True)  # fmt: skip
    assert pick(present) == IdleScreen("Next set when ready", "push_up", muted=True)
    auto = replace(present, exercise_locked=False, set_no=0)
    assert pick(auto) == IdleScreen("Start when ready", "auto", muted=True)


def test_live_set_then_fault_flash_then_live_with_fault_icon() -> None:
    assert pick(ACTIVE) == LiveSetScreen("squat", 6, 2, 1, 1.6, 0.9, None, False)
    faulted = replace(ACTIVE, last_fault="squat_knee_valgus", last_fault_t=100.0, last_fault_rep=6)
    assert pick(faulted, 100.0 + FAULT_FLASH_S / 2) == FaultScreen("Knees out", 6)
    after = pick(faulted, 100.0 + FAULT_FLASH_S)
    assert isinstance(after, LiveSetScreen) and after.fault == "Knees out"
    later = pick(faulted, 100.0 + FAULT_ICON_S)
    assert isinstance(later, LiveSetScreen) and later.fault is None


def test_the_fault_icon_clears_when_the_next_rep_is_counted() -> None:
    # Next to "7" a fault of rep 6 would read as rep 7's.
    faulted = replace(ACTIVE, last_fault="squat_shallow", last_fault_t=100.0, last_fault_rep=6)
    during = pick(faulted, 102.0)
    assert isinstance(during, LiveSetScreen) and during.fault == "Go deeper"
    next_rep = pick(replace(faulted, reps=7), 102.0)
    assert isinstance(next_rep, LiveSetScreen) and next_rep.fault is None


def test_rest_shows_summary_first_then_timer_then_overtime() -> None:
    rest = replace(ACTIVE, state=SessionState.REST, summary="Six squats, steady.", rest_s=3,
                   rest_remaining_s=87)  # fmt: skip
    first = pick(rest)
    assert isinstance(first, SummaryScreen) and first.title == "SQUAT x6"
    timer = pick(replace(rest, rest_s=int(SUMMARY_SHOW_S), rest_remaining_s=75))
    assert timer == RestScreen(75, 90, "squat", 6, 2)
    over = pick(replace(rest, rest_s=102, rest_remaining_s=0))
    assert isinstance(over, RestScreen) and over.remaining_s == -12
    assert any(render_image(over).tobytes())


def test_rest_screens_name_the_set_just_done_not_the_next_exercise() -> None:
    rest = replace(ACTIVE, state=SessionState.REST, summary="Six squats, steady.", rest_s=3,
                   rest_remaining_s=87, set_exercise="squat", exercise="push_up")  # fmt: skip
    first = pick(rest)
    assert isinstance(first, SummaryScreen) and first.title == "SQUAT x6"
    timer = pick(replace(rest, rest_s=int(SUMMARY_SHOW_S), rest_remaining_s=75))
    assert timer == RestScreen(75, 90, "squat", 6, 2)


def test_camera_lost_and_app_status_win() -> None:
    lost = replace(ACTIVE, camera_ok=False)
    shown = pick(lost)
    assert isinstance(shown, StatusScreen) and shown.title == "Camera lost"
    updating = StatusScreen("Model updating", "pose v3", "info")
    assert select_screen(ACTIVE, 1.0, rest_target_s=90.0, status=updating) is updating
