"""The exercise analyzer: poses in, set/rep/fault events out (live, then corrected)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from edge_trainer.config import ExerciseConfig
from edge_trainer.events import (
    Event,
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
from edge_trainer.exercise import form
from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.base import RecognitionLike, RecognizerLike
from edge_trainer.exercise.counting import (
    MIN_FRAMES,
    CounterParams,
    CountResult,
    RepSpan,
    Stretch,
)
from edge_trainer.exercise.names import REST, UNKNOWN
from edge_trainer.exercise.periodic import PeriodCache
from edge_trainer.exercise.reps import count_exercise
from edge_trainer.exercise.rules.base import Finding, RepContext
from edge_trainer.exercise.tempo import rep_tempo, velocity_loss_pct
from edge_trainer.exercise.trace import SetExplanation, describe_trace
from edge_trainer.pose.base import Pose

log = logging.getLogger(__name__)


# Live recounting runs on the most recent frames only (a set's reps are seconds apart);
# the end-of-set pass recounts the whole set.
LIVE_WINDOW_S = 30.0
# Live recounts compare the reps turning more than this after the start of their
# window (whose first rep may be cut off), or before the set started.
WINDOW_EDGE_S = 1.0
# Seconds of rest position either side of a rep that its form rules also look at.
RULE_MARGIN_S = 0.4
# A set ends after this many of its median rep-to-rep times without a new rep (or
# ``ExerciseConfig.set_end_pause_s``, whichever is longer).
PAUSE_CYCLES = 2.0
# Two stretches of movement are one set unless the parts of the body moving in them
# differ this much: the cosine between their landmark shares (``signals.movers``) is
# ~0.9 between stretches of one exercise and under ~0.4 between legs and arms.
SAME_MOVEMENT = 0.5
# With no set open, older frames are forgotten; an open set longer than this is closed.
IDLE_KEEP_S = 30.0
MAX_SET_S = 240.0


@dataclass
class _OpenSet:
    exercise: str
    start_t: float
    reps: list[RepRecord] = field(default_factory=list)
    partials: list[RepRecord] = field(default_factory=list)
    last_activity_t: float = 0.0
    # The parts of the body the set moves (``Stretch.movers`` of its first rep).
    movers: tuple[float, ...] = ()
    # Source time of each announced rep's turning point.
    peaks: list[float] = field(default_factory=list)

    def pause_s(self, least: float) -> float:
        """Seconds without a rep that end this set: ``least``, or longer for a slow set.

        A rep is only counted once it is over, so a set that completes a rep every 6 s
        shows 6 s with no new rep while the next one is under way; the pause that ends
        the set is at least ``PAUSE_CYCLES`` of the set's median time from rep to rep.
        """
        gaps = np.diff([r.end_s for r in self.reps])
        if not gaps.size:
            return least
        return max(least, PAUSE_CYCLES * float(np.median(gaps)))


class Analyzer:
    """Implements ``ExerciseAnalyzer``: segments the stream into sets and judges each rep.

    A set is one stretch of repeated movement. Reps are emitted live (``RepCompleted``
    as soon as the counter sees the return to rest, with its form faults). The set ends
    on a pause of ``set_end_pause_s`` without a rep, when the person leaves, by button,
    or when another part of the body starts repeating (``SAME_MOVEMENT``); never because
    the recognizer changed its guess. Then the whole set is recounted, its exercise is
    decided once from every recognition made during it, and the ``SetEnded`` record is
    the corrected one (a changed count is logged).

    Args:
        cfg: Exercise settings.
        recognizer: Exercise recognizer; None means the exercise is the fixed one from
            ``cfg.exercise`` (or ``unknown`` when that is ``auto``).
        counter: The rep counter's settings.
    """

    def __init__(
        self,
        cfg: ExerciseConfig | None = None,
        recognizer: RecognizerLike | None = None,
        counter: CounterParams | None = None,
    ) -> None:
        self.cfg = cfg or ExerciseConfig()
        self.recognizer = recognizer
        self.counter = counter or CounterParams()
        self.fixed: str | None = None if self.cfg.exercise == "auto" else self.cfg.exercise
        self.sets: list[SetRecord] = []
        # Why each kept set was counted and named as it was (``analyze --explain``).
        self.explanations: list[SetExplanation] = []
        # Every form verdict on each rep of the end-of-set passes, with the measured
        # value, when a caller asks for them (the form evaluation re-draws the limits).
        self.findings: list[tuple[Finding, ...]] | None = None
        self._rows: list[npt.NDArray[np.float64]] = []
        self._ts: list[float] = []
        self._present = False
        self._last_seen = -np.inf
        self._label = self.fixed or UNKNOWN
        self._recognitions: list[tuple[float, RecognitionLike]] = []
        self._set: _OpenSet | None = None
        self._last_count_t = -np.inf
        self._emitted_until = -np.inf
        # Periodicity of past windows per signal, reused by every recount (see periodic).
        self._caches: dict[str, PeriodCache] = {}

    # -- ExerciseAnalyzer -------------------------------------------------------------

    def update(self, pose: Pose | None, t: float) -> list[Event]:
        """Feed one frame's pose (None when nobody was found)."""
        return self.update_row(None if pose is None else pose.as_row(), t)

    def update_row(self, row: npt.ArrayLike | None, t: float) -> list[Event]:
        """Feed one frame as a ``(33, 3|4)`` landmark row (None or all-NaN: nobody)."""
        arr = None if row is None else np.asarray(row, dtype=np.float64)
        if arr is not None and not np.isfinite(arr[:, :2]).any():
            arr = None
        events: list[Event] = []
        if arr is None:
            if self._present and t - self._last_seen >= self.cfg.person_lost_s:
                events += self._close_set(t)
                events.append(PersonLost(t))
                self._present = False
                self._clear_buffer()
                if self.recognizer is not None:
                    self.recognizer.reset()
            if self._present:
                self._append(np.full((geo.N_LANDMARKS, geo.XYZV), np.nan), t)
        else:
            if not self._present:
                self._present = True
                events.append(PersonAppeared(t))
            self._last_seen = t
            self._append(_as_row4(arr), t)
        if self.recognizer is not None and self.fixed is None and self._present:
            events += self._recognize(arr, t)
        if self._present and t - self._last_count_t >= self.cfg.live_recount_s:
            self._last_count_t = t
            events += self._live_count(t)
        if self._set is not None and (
            t - self._set.last_activity_t >= self._set.pause_s(self.cfg.set_end_pause_s)
            or t - self._set.start_t >= MAX_SET_S
        ):
            events += self._close_set(t)
        elif self._set is None and self._ts and self._ts[-1] - self._ts[0] > IDLE_KEEP_S:
            self._trim_before(t - IDLE_KEEP_S)
        return events

    def set_exercise(self, name: str | None, t: float) -> list[Event]:
        """Force an exercise (None or ``auto``: recognise it again); ends the open set."""
        events = self._close_set(t)
        previous = self._label
        self.fixed = None if name in (None, "auto") else name
        self._label = self.fixed or UNKNOWN
        if self._label != previous:
            events.append(ExerciseChanged(t, self._label, previous, 1.0))
        return events

    def end_set(self, t: float) -> list[Event]:
        """End the current set now; its SetEnded if one was open."""
        return self._close_set(t)

    def finish(self, t: float, cut_short: bool = False) -> list[Event]:
        """End of stream: count what is left and close the open set.

        Args:
            t: Source time of the last frame.
            cut_short: The box is shutting down mid-set: the set keeps at least the reps
                already announced, since its last rep may be only half seen.
        """
        events = self._live_count(t) if self._present else []
        return events + self._close_set(t, keep_live=cut_short)

    # -- internals --------------------------------------------------------------------

    def _append(self, row: npt.NDArray[np.float64], t: float) -> None:
        self._rows.append(row)
        self._ts.append(t)

    def _clear_buffer(self) -> None:
        self._rows.clear()
        self._ts.clear()
        self._caches.clear()
        self._recognitions.clear()
        self._emitted_until = -np.inf

    def _trim_before(self, t: float) -> None:
        k = int(np.searchsorted(np.asarray(self._ts), t, side="left"))
        if k > 0:
            del self._rows[:k]
            del self._ts[:k]
            # Windows reaching back before the buffer can never be asked for again.
            keep_ms = round(t * 1000)
            for cache in self._caches.values():
                for key in [key for key in cache if key[0] < keep_ms]:
                    del cache[key]
        self._recognitions = [(u, r) for u, r in self._recognitions if u >= t]

    def _recognize(self, row: npt.NDArray[np.float64] | None, t: float) -> list[Event]:
        """Keep the recognition for the set's decision; show a new guess between sets.

        Inside a set the guess may flicker from window to window; it neither ends the set
        nor renames it (the set is named once, from all its recognitions, when it ends).
        """
        assert self.recognizer is not None
        rec = self.recognizer.push(None if row is None else row.astype(np.float32), t)
        if rec is None:
            return []
        self._recognitions.append((t, rec))
        label = rec.label if rec.label != REST else UNKNOWN
        if self._set is not None or label == self._label or rec.label == REST:
            return []
        previous, self._label = self._label, label
        return [ExerciseChanged(t, label, previous, float(rec.confidence))]

    def _window(self, since: float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        ts = np.asarray(self._ts)
        k = int(np.searchsorted(ts, since, side="left"))
        return np.asarray(self._rows[k:]), ts[k:]

    def _live_count(self, t: float) -> list[Event]:
        if len(self._ts) < MIN_FRAMES:
            return []
        rows, ts = self._window(t - LIVE_WINDOW_S)
        exercise = self._set.exercise if self._set is not None else self._label
        result = count_exercise(rows, ts, exercise, self.counter, caches=self._caches)
        events: list[Event] = self._upgrade_partials(result, rows, ts)
        for span in self._new_reps(result, ts):
            stretch = _stretch_of(result, span)
            parts = stretch.movers if stretch is not None else ()
            if (
                self._set is not None
                and stretch is not None
                and self._set.reps
                and float(ts[stretch.start]) >= self._set.reps[-1].start_s
                and not _same_movement(self._set.movers, parts)
            ):
                # A stretch of its own (it does not take in the set's reps) moving other
                # parts of the body: another exercise began without a pause.
                changed_at = float(ts[stretch.start])
                log.info("another part of the body is moving at %.1f s: the set ends", changed_at)
                events += self._close_set(float(ts[span.start]), until=changed_at)
            if self._set is None:
                exercise = self._set_exercise_live()
                self._set = _OpenSet(exercise, float(ts[span.start]), movers=parts)
                events.append(SetStarted(float(ts[span.start]), exercise))
            s = self._set
            record = self._record(
                span, result, rows, ts, exercise=s.exercise, index=len(s.reps) + 1
            )
            s.last_activity_t = max(s.last_activity_t, record.end_s)
            self._emitted_until = max(self._emitted_until, record.end_s)
            if span.partial:
                s.partials.append(record)
                events.append(PartialRep(record.end_s, s.exercise, record))
                continue
            s.reps.append(record)
            s.peaks.append(float(ts[span.peak]))
            events.append(RepCompleted(record.end_s, s.exercise, record))
            events += [FormFault(record.end_s, s.exercise, record.index, f) for f in record.faults]
        return events

    def _new_reps(self, result: CountResult, ts: npt.NDArray[np.float64]) -> list[RepSpan]:
        """The reps and partials of this recount not announced yet, in order.

        Inside an open set, reps are new when the recount holds more reps than were
        announced over the same stretch of time (turning after ``cut``): a recount that
        moves the boundaries of reps already announced, or takes rest at the other end
        for a moment, does not make them new. The newest reps are the ones added.
        """
        s = self._set
        after = self._emitted_until + 1e-9
        partials = [r for r in result.partials if ts[r.peak] > after]
        if s is None:
            reps = [r for r in result.reps if ts[r.end] > after and ts[r.peak] > after]
            return sorted(reps + partials, key=lambda r: r.end)
        cut = max(float(ts[0]) + WINDOW_EDGE_S, s.start_t - WINDOW_EDGE_S)
        seen = sorted((r for r in result.reps if ts[r.peak] >= cut), key=lambda r: r.peak)
        said = sum(1 for p in s.peaks if p >= cut)
        return sorted(seen[said:] + partials, key=lambda r: r.end)

    def _upgrade_partials(
        self, result: CountResult, rows: npt.NDArray[np.float64], ts: npt.NDArray[np.float64]
    ) -> list[Event]:
        """Count a rep announced as partial that a later recount finds a full rep.

        A shallow rep is only known to be in the set's rhythm once the reps around it are
        seen; when the recount says so, it is counted then (a moment late) rather than
        missing from what the person hears.
        """
        s = self._set
        if s is None or not s.partials:
            return []
        events: list[Event] = []
        for span in result.reps:
            peak = float(ts[span.peak])
            match = next((p for p in s.partials if p.start_s <= peak <= p.end_s), None)
            if match is None:
                continue
            s.partials.remove(match)
            record = self._record(
                span, result, rows, ts, exercise=s.exercise, index=len(s.reps) + 1
            )
            s.reps.append(record)
            s.peaks.append(float(ts[span.peak]))
            t = max(float(ts[-1]), record.end_s)
            events.append(RepCompleted(t, s.exercise, record))
            events += [FormFault(t, s.exercise, record.index, f) for f in record.faults]
        return events

    def _set_exercise_live(self) -> str:
        """The exercise a set is announced as when it opens: the fixed one or the live guess."""
        return self.fixed or self._label

    def _record(
        self,
        span: RepSpan,
        result: CountResult,
        rows: npt.NDArray[np.float64],
        ts: npt.NDArray[np.float64],
        *,
        exercise: str,
        index: int,
        final: bool = False,
    ) -> RepRecord:
        pts = geo.as_points(rows[span.start : span.end + 1], self.cfg.min_visibility)
        height = geo.sequence_body_height(pts)
        tempo = rep_tempo(
            span, result.signal, ts, rows,
            exercise=exercise, rest_high=result.rest_high, body_height=height,
        )  # fmt: skip
        faults: tuple[str, ...] = ()
        if form.rules_for(exercise):
            # The counter ends a rep on its way back into rest; the rules also see the
            # rest position itself (a lockout, a dead hang) a moment either side.
            a = int(np.searchsorted(ts, ts[span.start] - RULE_MARGIN_S))
            b = int(np.searchsorted(ts, ts[span.end] + RULE_MARGIN_S, side="right"))
            ctx = RepContext.build(
                rows[a:b], span.peak - a, exercise, min_visibility=self.cfg.min_visibility,
                core=(span.start - a, span.end - a),
            )  # fmt: skip
            found = form.judge(ctx)
            faults = tuple(f.code for f in found if f.failed)
            if final and self.findings is not None:
                self.findings.append(tuple(found))
        return RepRecord(
            index=index,
            start_s=tempo.start_s,
            end_s=tempo.end_s,
            concentric_s=tempo.concentric_s,
            eccentric_s=tempo.eccentric_s,
            pause_s=tempo.pause_s,
            velocity=tempo.velocity,
            faults=faults,
            partial=span.partial,
        )

    def _set_exercise(
        self, live: str, recs: list[RecognitionLike], rows: npt.NDArray[np.float64]
    ) -> tuple[str, str]:
        """The set's exercise, decided once from the recognitions of the whole set, and why."""
        if self.fixed is not None:
            return self.fixed, "chosen (button or config)"
        if self.recognizer is None:
            return live, "no classifier"
        if not recs:
            return live, "no recognition during the set"
        decided = self.recognizer.decide(recs, rows)
        label = UNKNOWN if decided.label == REST else decided.label
        return label, decided.reason

    def _close_set(
        self, t: float, until: float | None = None, keep_live: bool = False
    ) -> list[Event]:
        """End the open set: recount it, judge its reps, emit its final record.

        Args:
            t: Time of the event that ends the set.
            until: Only frames up to this time belong to the set (another movement began
                there).
            keep_live: Keep the live reps if the final pass finds fewer (shutdown).
        """
        s = self._set
        if s is None:
            return []
        self._set = None
        rows, ts = self._window(s.start_t - LIVE_WINDOW_S / 4)
        if until is not None:
            keep = ts <= until
            rows, ts = rows[keep], ts[keep]
        last_t = until if until is not None else t
        recs = [r for u, r in self._recognitions if s.start_t <= u <= last_t]
        exercise, why = self._set_exercise(s.exercise, recs, rows)
        result = (
            count_exercise(rows, ts, exercise, self.counter, caches=self._caches)
            if len(ts) >= MIN_FRAMES
            else None
        )
        reps: list[RepRecord] = []
        partials: list[RepRecord] = []
        if result is not None:
            # The final pass may find a rep the live pass missed or drop one it took back.
            for span in result.reps:
                reps.append(
                    self._record(
                        span, result, rows, ts, exercise=exercise, index=len(reps) + 1, final=True
                    )
                )
            for span in result.partials:
                partials.append(
                    self._record(span, result, rows, ts, exercise=exercise, index=len(partials) + 1)
                )
        if len(reps) != len(s.reps):
            log.info(
                "end-of-set pass: %d reps of %s (live count %d as %s)",
                len(reps), exercise, len(s.reps), s.exercise,
            )  # fmt: skip
        if result is not None:
            log.debug("count trace: %s", describe_trace(result.trace, ts))
        if keep_live and len(reps) < len(s.reps):
            reps = list(s.reps)
        elif self.fixed is None and len(reps) < self.cfg.min_set_reps:
            # With the exercise chosen by the user a single rep is meant; recognised
            # from movement alone, one rep is more likely a change of position.
            log.info("not a set: %d rep(s), fewer than %d", len(reps), self.cfg.min_set_reps)
            reps, partials = [], []
        end = max(r.end_s for r in reps) if reps else t
        start = min(r.start_s for r in reps) if reps else s.start_t
        record = SetRecord(
            exercise=exercise,
            start_s=start,
            end_s=end,
            reps=tuple(reps),
            partial_reps=tuple(partials),
            velocity_loss_pct=velocity_loss_pct([r.velocity for r in reps]),
        )
        if reps:
            # A set the final pass found empty (live reps taken back) is not kept.
            self.sets.append(record)
            if result is not None:
                probs = tuple(dict(getattr(r, "probs", {}) or {}) for r in recs)
                self.explanations.append(
                    SetExplanation(record, ts, result, why, len(s.reps), probs)
                )
        last = max([r.end_s for r in reps] + [s.last_activity_t])
        if until is not None:
            # Frames after the change belong to the next movement: keep them so the new
            # set can count them.
            last = min(last, until)
        self._trim_before(last)
        # Up to ``t`` every frame was judged live (a pause, a button, the person gone): a
        # later recount that finds a rep there re-reads the rest after the set (a sway,
        # getting down to the floor) and is not announced as a new set.
        self._emitted_until = last if until is not None else max(last, t)
        return [SetEnded(t, record)]


def _stretch_of(result: CountResult, span: RepSpan) -> Stretch | None:
    """The counted stretch a rep was found in."""
    for stretch in result.trace.stretches:
        if stretch.counted and stretch.holds(span.peak):
            return stretch
    return None


def _same_movement(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Whether two stretches move the same parts of the body (``SAME_MOVEMENT``)."""
    if not a or not b:
        return True
    va, vb = np.asarray(a), np.asarray(b)
    norm = float(np.linalg.norm(va) * np.linalg.norm(vb))
    return norm == 0 or float(va @ vb) / norm >= SAME_MOVEMENT


def _as_row4(arr: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """A ``(33, 4)`` row; visibility 1 when the input has none."""
    if arr.shape == (geo.N_LANDMARKS, geo.XYZV):
        return arr
    out = np.ones((geo.N_LANDMARKS, geo.XYZV))
    out[:, : min(arr.shape[1], geo.XYZV)] = arr[:, : geo.XYZV]
    if arr.shape[1] < geo.XYZ:
        out[:, 2] = 0.0
    return out
