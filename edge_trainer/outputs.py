"""Routes events to the session record, spoken cues, the OLED and the set summaries."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from edge_trainer.coach.cues import Cue, CuePolicy, Priority, exercise_phrase
from edge_trainer.coach.facts import PreviousFacts
from edge_trainer.coach.summary import Summary
from edge_trainer.coach.worker import SummaryService
from edge_trainer.events import (
    Command,
    Event,
    MemberSignedIn,
    PartialRep,
    PersonalBest,
    RepCompleted,
    SetEnded,
    SetRecord,
    SetStarted,
)
from edge_trainer.hw.buttons import CommandSource
from edge_trainer.hw.display import DisplayWorker
from edge_trainer.hw.screen_select import select_screen
from edge_trainer.hw.screens import StatusScreen
from edge_trainer.hw.speech import CueSpeaker
from edge_trainer.lifecycle import Closer
from edge_trainer.members.bests import last_time, new_best
from edge_trainer.session import Request, WorkoutSession
from edge_trainer.session.records import StoredSet

log = logging.getLogger(__name__)

NOT_SAVING = "Not saving"
NOTICE_S = 4.0  # source seconds a notice ("Not saving", "History reset") stays on the OLED
# Events whose cues report something the history must hold first (a count, a set).
_RECORDED = (RepCompleted, PartialRep, SetEnded)


@dataclass(frozen=True, slots=True)
class _SummaryNote:
    """A summary sentence or a finished summary, handed from the summary thread."""

    set_id: int | None
    sentence: str | None = None
    done: Summary | None = None


class Outputs:
    """Everything downstream of the exercise stage, driven from the frame thread.

    Subscribe ``on_event`` to the bus and call ``on_frame`` after each frame. The session
    record is written first, and a rep's or a set's cues are spoken only once it is on
    disk; when the history cannot be written the voice and the OLED say "Not saving"
    once (until it works again) and the count goes on on the OLED. Summaries come
    back on the summary thread and are queued here, then spoken and shown on the frame
    thread, so the cue policy and the session are only touched from one thread.

    Args:
        session: The state machine and its history store.
        policy: Decides which cues to speak.
        speech: Speaks (or writes) cues.
        display: The OLED behind its worker.
        buttons: Commands from buttons or a script.
        summaries: The LLM summary service (None: deterministic summaries only).
        rest_target_s: For the rest timer screen.
        publish: Puts a command on the event bus.
        request: Hands a session request (end set, set exercise) to the pipeline.
        capture_time: Maps a source time to the monotonic time its frame was captured, so
            a rep's cue is timed (and expires) from the rep's last frame.
        defer: Puts an event on the bus after the current one (between frames): a
            personal best found when a set is stored.
    """

    def __init__(
        self,
        *,
        session: WorkoutSession,
        policy: CuePolicy,
        speech: CueSpeaker,
        display: DisplayWorker,
        buttons: CommandSource,
        summaries: SummaryService | None,
        rest_target_s: float,
        publish: Callable[[Event], None],
        request: Callable[[Request], None],
        capture_time: Callable[[float], float | None] = lambda t: None,
        defer: Callable[[Event], None] | None = None,
    ) -> None:
        self.session = session
        self.policy = policy
        self.speech = speech
        self.display = display
        self.buttons = buttons
        self.summaries = summaries
        self.rest_target_s = rest_target_s
        self.publish = publish
        self.request = request
        self.capture_time = capture_time
        self.defer = defer
        self.greetings: list[MemberSignedIn] = []
        self.bests: list[PersonalBest] = []
        self.status_screen: StatusScreen | None = None
        self._notice: StatusScreen | None = None
        self._notice_until = 0.0
        self._not_saving_said = False
        self.t = 0.0
        self.summaries_done: list[tuple[int | None, Summary]] = []
        self._notes: queue.SimpleQueue[_SummaryNote] = queue.SimpleQueue()
        self._pending = 0
        self._pending_lock = threading.Lock()
        # Closed newest first: the summaries and buttons stop, then what is queued for
        # the display and the voice is flushed, then their workers stop.
        self._closer = Closer()
        self._closer.add("speech", speech.close)
        self._closer.add("display", display.close)
        self._closer.add("speech flush", speech.flush)
        self._closer.add("display flush", display.flush)
        self._closer.add("buttons", buttons.close)
        if summaries is not None:
            self._closer.add("summaries", summaries.close)

    # -- frame thread -----------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        """Bus subscriber: record, then speak, then summarise, then redraw."""
        self.t = max(self.t, event.t)
        for out in self.session.handle(event):
            if isinstance(out, Request):
                self.request(out)
        if isinstance(event, SetStarted) and self.summaries is not None:
            self.summaries.cancel()
        if isinstance(event, Command):
            self._command(event)
        origin = self.capture_time(event.rep.end_s) if isinstance(event, RepCompleted) else None
        cues = self.policy.on_event(event)
        saved = self.session.saved
        if isinstance(event, _RECORDED) and not saved:
            cues = self._not_saving(event.t)
        for cue in cues:
            self.speech.say(cue, origin=origin)
        if isinstance(event, MemberSignedIn):
            self._greet(event)
        if isinstance(event, PersonalBest):
            self._best(event)
        if isinstance(event, SetEnded) and saved:
            # A summary says the set's count: only of a set that is on disk.
            self._summarise(event)
        self._redraw()

    def on_frame(self, t: float) -> None:
        """Per-frame work: buttons, timers, finished summaries, the screen."""
        self.t = max(self.t, t)
        for command in self.buttons.poll(t):
            self.publish(command)
        for out in self.session.tick(t):
            if isinstance(out, Request):
                self.request(out)
        for cue in self.policy.tick(t):
            self.speech.say(cue)
        if self._not_saving_said and self.session.saving:
            self._not_saving_said = False  # saved again: a new failure is said again
        self._drain_notes()
        self._redraw()

    def notice(
        self, title: str, message: str, t: float | None = None, level: str = "error"
    ) -> None:
        """Show a short status on the OLED for a few seconds."""
        start = self.t if t is None else t
        self._notice = StatusScreen(title, message, "info" if level == "info" else "error")
        self._notice_until = start + NOTICE_S
        self._redraw()

    def _not_saving(self, t: float) -> list[Cue]:
        """What replaces a rep's or set's cues when it could not be stored: once, a
        spoken and shown "Not saving"; the count itself stays on the OLED."""
        if self._not_saving_said:
            return []
        self._not_saving_said = True
        self.notice(NOT_SAVING, "History not written. Reps kept, retrying", t)
        return [Cue(NOT_SAVING, int(Priority.ALERT), "status", t, 10.0)]

    def _command(self, command: Command) -> None:
        if command.name == "mute":
            self.speech.set_muted(self.session.view.muted)
        elif command.name == "repeat_summary":
            cue = self.policy.repeat_summary(command.t)
            if cue is not None:
                self.speech.say(cue)

    def _redraw(self) -> None:
        view = self.session.view
        status = self.status_screen
        if status is None and self._notice is not None and self.t < self._notice_until:
            status = self._notice
        screen = select_screen(view, self.t, rest_target_s=self.rest_target_s, status=status)
        self.display.show(screen, self.t)

    # -- members ----------------------------------------------------------------------

    def _greet(self, event: MemberSignedIn) -> None:
        view = self.session.view
        if view.member_id != event.member_id or view.signed_in_t != event.t:
            return  # the same member's card again: already greeted
        log.info("member %s signed in", event.member_id)
        self.greetings.append(event)
        self.notice("Welcome", f"Hi {event.name}. Your sets are saved as yours.", event.t, "info")
        self.speech.say(self.policy.greeting(event.name, event.t))

    def _best(self, event: PersonalBest) -> None:
        log.info(
            "member %s: new best, %d %s%s",
            event.member_id,
            event.reps,
            event.exercise,
            " (fastest)" if event.faster else "",
        )
        self.bests.append(event)
        label = exercise_phrase(event.exercise) if event.reps != 1 else event.exercise
        what = f"{event.reps} {label.replace('_', ' ')}" + (", fastest" if event.faster else "")
        self.notice("New best", what, event.t, "info")
        self.speech.say(
            self.policy.personal_best(event.exercise, event.reps, event.faster, event.t)
        )

    def _member_history(self, record: SetRecord, set_id: int | None) -> list[StoredSet] | None:
        """The signed-in member's earlier sets of this exercise (None for a guest)."""
        member = self.session.view.member_id
        if member is None or set_id is None:
            return None
        return self.session.member_sets(member, record.exercise, set_id)

    def _check_best(self, event: SetEnded, earlier: list[StoredSet]) -> None:
        record = event.record
        member = self.session.view.member_id
        if member is None or self.defer is None:
            return
        ups = [r.concentric_s for r in record.reps]
        mean_up = round(sum(ups) / len(ups), 3) if ups else None
        best = new_best(record.exercise, record.rep_count, mean_up, earlier)
        if best is not None:
            self.defer(
                PersonalBest(
                    event.t, member, record.exercise, best.reps, best.faster,
                    self.session.last_set_id,
                )
            )  # fmt: skip

    # -- summaries --------------------------------------------------------------------

    def _summarise(self, event: SetEnded) -> None:
        record = event.record
        set_id = self.session.last_set_id
        earlier = self._member_history(record, set_id) if record.reps else None
        if earlier is not None:
            self._check_best(event, earlier)
        if self.summaries is None or not record.reps:
            return
        previous = self.session.previous_set(record.exercise, set_id)
        before = last_time(earlier, self.session.session_id) if earlier else None
        with self._pending_lock:
            self._pending += 1
        self.summaries.request(
            record,
            previous.to_record() if previous is not None else None,
            on_sentence=lambda s: self._notes.put(_SummaryNote(set_id, sentence=s)),
            on_done=lambda summary: self._notes.put(_SummaryNote(set_id, done=summary)),
            last_time=PreviousFacts(before.rep_count) if before is not None else None,
        )

    def _drain_notes(self) -> None:
        while True:
            try:
                note = self._notes.get_nowait()
            except queue.Empty:
                return
            if note.sentence is not None:
                self.speech.say(self.policy.summary(note.sentence, self.t))
            if note.done is not None:
                with self._pending_lock:
                    self._pending -= 1
                self.summaries_done.append((note.set_id, note.done))
                if note.set_id is not None and note.done.text:
                    self.session.attach_summary(note.set_id, note.done.text, note.done.source)
                log.info("set summary (%s): %s", note.done.source, note.done.text)

    def wait_for_summaries(self, timeout: float) -> bool:
        """At the end of a clip: wait for summaries still being written, then use them."""
        deadline = time.monotonic() + timeout
        while True:
            self._drain_notes()
            with self._pending_lock:
                if self._pending <= 0:
                    break
            if time.monotonic() >= deadline:
                log.warning("gave up waiting for %d set summaries", self._pending)
                return False
            time.sleep(0.05)
        self._redraw()
        return True

    def close(self) -> None:
        """Flush speech and the display, stop the workers; idempotent."""
        self._closer.close()
