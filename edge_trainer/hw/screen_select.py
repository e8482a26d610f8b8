"""Which OLED screen to show for a session view at a given source time (pure)."""

from __future__ import annotations

from edge_trainer.coach.cues import fault_phrase
from edge_trainer.hw.screens import (
    FaultScreen,
    IdleScreen,
    LiveSetScreen,
    RestScreen,
    Screen,
    StatusScreen,
    exercise_label,
    summary_screen,
)
from edge_trainer.session.machine import SessionState, SessionView

FAULT_FLASH_S = 1.2  # long enough to read two words, short enough not to hide the count
# The live screen keeps the fault as a reminder through the next rep (at most this long);
# once a later rep is counted the fault would read as that rep's, so it clears.
FAULT_ICON_S = 6.0
SUMMARY_SHOW_S = 15.0  # rest seconds the summary stays before the rest timer takes over
OVERTIME_CAP_S = 5999  # 99:59, the widest clock the rest screen draws


def select_screen(
    view: SessionView,
    t: float,
    *,
    rest_target_s: float,
    status: StatusScreen | None = None,
) -> Screen:
    """The screen for ``view`` at source time ``t``.

    Args:
        view: The session machine's view.
        t: Current source time (fault flashes time out against it).
        rest_target_s: The rest target, for the rest timer's bar and overtime.
        status: A status the app wants shown above all else (e.g. model updating);
            a lost camera is shown without it.
    """
    if status is not None:
        return status
    if not view.camera_ok:
        return StatusScreen("Camera lost", "Reconnecting. Sets so far are saved.")
    exercise = view.exercise or "auto"
    shown_exercise = exercise if view.exercise_locked else "auto"
    if view.state is SessionState.IDLE:
        return IdleScreen(exercise=shown_exercise, muted=view.muted)
    if view.state is SessionState.PRESENT:
        prompt = "Start when ready" if view.set_no == 0 else "Next set when ready"
        return IdleScreen(prompt=prompt, exercise=shown_exercise, muted=view.muted)
    if view.state is SessionState.SET_ACTIVE:
        phrase = None
        if view.last_fault and view.last_fault_t is not None:
            age = t - view.last_fault_t
            if 0.0 <= age < FAULT_FLASH_S:
                return FaultScreen(fault_phrase(view.last_fault), view.reps)
            if age < FAULT_ICON_S and view.reps <= view.last_fault_rep:
                phrase = fault_phrase(view.last_fault)
        return LiveSetScreen(
            exercise=exercise,
            reps=view.reps,
            set_number=max(1, view.set_no),
            partial_reps=view.partial_reps,
            eccentric_s=view.last_eccentric_s,
            concentric_s=view.last_concentric_s,
            fault=phrase,
            muted=view.muted,
        )
    # REST: about the set just done, whatever is being recognised for the next one.
    done = view.set_exercise or exercise
    if view.summary and view.rest_s < SUMMARY_SHOW_S:
        title = f"{exercise_label(done)} x{view.reps}"
        return summary_screen(title, view.summary, float(view.rest_s))
    remaining = view.rest_remaining_s
    if remaining <= 0:
        remaining = -min(OVERTIME_CAP_S, max(0, view.rest_s - round(rest_target_s)))
    return RestScreen(
        remaining_s=remaining,
        target_s=round(rest_target_s),
        exercise=done,
        reps=view.reps,
        set_number=max(1, view.set_no),
    )
