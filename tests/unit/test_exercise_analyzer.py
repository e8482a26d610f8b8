"""The analyzer's event stream: live reps, set boundaries, people, exercise changes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pytest

from edge_trainer.config import ExerciseConfig
from edge_trainer.events import (
    Event,
    ExerciseChanged,
    FormFault,
    PartialRep,
    PersonAppeared,
    PersonLost,
    RepCompleted,
    SetEnded,
    SetStarted,
)
from edge_trainer.exercise.analyzer import Analyzer
from edge_trainer.exercise.offline import analyze_rows
from edge_trainer.exercise.recognition import Decision
from tests.unit.exercise_figures import curl, reps, sequence, squat


def _run(analyzer: Analyzer, rows: npt.NDArray[np.float64], t0: float = 0.0) -> list[Event]:
    events: list[Event] = []
    for i, row in enumerate(rows):
        events += analyzer.update_row(row, t0 + i / 30.0)
    return events


def _of(events: list[Event], kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in events if isinstance(e, kind)]


def test_reps_are_emitted_live_and_the_set_closes_after_a_pause() -> None:
    rows, _ = sequence(squat, [(0, 0, 1.0), *reps([1.0] * 5), (0, 0, 10.0)])
    analyzer = Analyzer(ExerciseConfig(exercise="squat", set_end_pause_s=6.0))
    events = _run(analyzer, rows)
    kinds = [type(e) for e in events]
    assert kinds[0] is PersonAppeared
    assert kinds.count(SetStarted) == 1 and kinds.count(SetEnded) == 1
    done = _of(events, RepCompleted)
    assert len(done) == 5
    # Live: each rep is reported within ~1.5 s of its end (recount cadence + the counter
    # needing two cycles to trust the rhythm for the first ones), and before the set ends.
    set_end = _of(events, SetEnded)[0]
    assert all(e.t < set_end.t for e in done)
    assert done[-1].t - done[-1].rep.end_s < 1.5
    record = set_end.record
    assert record.exercise == "squat" and record.rep_count == 5
    assert [r.index for r in record.reps] == [1, 2, 3, 4, 5]
    assert set_end.t - record.end_s >= 5.0


def test_exercise_unknown_without_recognizer_still_counts() -> None:
    rows, _ = sequence(curl, [(0, 0, 1.0), *reps([1.0] * 4, 0.8, 0.8), (0, 0, 1.0)])
    sets, _ = analyze_rows(rows, 30.0)
    assert [(s.exercise, s.rep_count) for s in sets] == [("unknown", 4)]


def test_a_shallow_rep_in_the_set_s_rhythm_is_a_rep_whatever_the_exercise() -> None:
    # Half-depth reps where the next rep was due count for an unknown movement and for a
    # squat alike; the squat's depth rule says what was wrong with them.
    rows, _ = sequence(squat, [(0, 0, 1.0), *reps([1.0, 1.0, 0.45, 1.0, 0.45, 1.0]), (0, 0, 1)])
    blind, _ = analyze_rows(rows, 30.0)
    named, events = analyze_rows(rows, 30.0, ExerciseConfig(exercise="squat"))
    assert [s.rep_count for s in blind] == [s.rep_count for s in named] == [6]
    faults = [(r.index, r.faults) for r in named[0].reps if r.faults]
    assert faults == [(3, ("squat_shallow",)), (5, ("squat_shallow",))]
    assert {(e.rep_index, e.fault) for e in _of(events, FormFault)} >= {(3, "squat_shallow")}


def test_a_dip_squeezed_between_reps_is_partial() -> None:
    # A quick half dip right after a rep, before the next one is due: reported apart.
    dip = [(0.0, 0.45, 0.35), (0.45, 0.0, 0.35)]
    slow = reps([1.0] * 4, down_s=1.2, up_s=1.2, rest_s=0.2)
    phases = [(0, 0, 1.0), *slow[:6], *dip, (0, 0, 0.3), *slow[6:], (0, 0, 1.0)]
    rows, _ = sequence(squat, phases)
    sets, events = analyze_rows(rows, 30.0)
    assert sets[0].rep_count == 4
    assert len(sets[0].partial_reps) == 1
    assert len(_of(events, PartialRep)) == 1


def test_pause_at_the_bottom_is_timed() -> None:
    rows, _ = sequence(squat, [(0, 0, 1.0), *reps([1.0] * 4, hold_s=1.5), (0, 0, 1.0)])
    sets, _ = analyze_rows(rows, 30.0, ExerciseConfig(exercise="squat"))
    rep = sets[0].reps[1]
    assert 1.2 <= rep.pause_s <= 2.0
    assert 0.5 <= rep.eccentric_s <= 1.3 and 0.5 <= rep.concentric_s <= 1.3
    # 3.5 s of movement and hold per rep; the slow ease in and out is partly at rest.
    assert sets[0].time_under_tension_s > 4 * 2.5


def test_slowing_reps_show_velocity_loss() -> None:
    phases = [(0.0, 0.0, 1.0)]
    for up in (0.8, 0.8, 0.9, 1.1, 1.3, 1.6):
        phases += [(0.0, 1.0, 1.0), (1.0, 0.0, up), (0.0, 0.0, 0.3)]
    rows, _ = sequence(squat, [*phases, (0, 0, 1.0)])
    sets, _ = analyze_rows(rows, 30.0, ExerciseConfig(exercise="squat"))
    assert sets[0].rep_count == 6
    assert sets[0].velocity_loss_pct is not None and sets[0].velocity_loss_pct > 25.0


def test_losing_the_person_ends_the_set() -> None:
    rows, _ = sequence(squat, [(0, 0, 1.0), *reps([1.0] * 4), (0, 0, 1.0)])
    gone = np.full((90, 33, 4), np.nan)  # 3 s with nobody in view
    more, _ = sequence(squat, [(0, 0, 1.0), *reps([1.0] * 3), (0, 0, 1.0)])
    analyzer = Analyzer(ExerciseConfig(exercise="squat"))
    events = _run(analyzer, np.concatenate([rows, gone, more]))
    events += analyzer.finish(30.0)
    kinds = [type(e) for e in events]
    assert kinds.count(PersonAppeared) == 2 and kinds.count(PersonLost) == 1
    assert [s.rep_count for s in analyzer.sets] == [4, 3]
    lost = _of(events, PersonLost)[0]
    first_end = _of(events, SetEnded)[0]
    assert first_end.t <= lost.t


def test_short_dropouts_do_not_end_the_set() -> None:
    rows, _ = sequence(squat, [(0, 0, 1.0), *reps([1.0] * 6), (0, 0, 1.0)])
    rows[100:112] = np.nan  # 0.4 s
    sets, events = analyze_rows(rows, 30.0, ExerciseConfig(exercise="squat"))
    assert _of(events, PersonLost) == []
    assert [s.rep_count for s in sets] == [6]


@dataclass
class _Rec:
    label: str
    confidence: float = 0.9
    probs: dict[str, float] = field(default_factory=dict)


class ScriptedRecognizer:
    """A recognizer double that reports a fixed label per time span, every 0.5 s."""

    def __init__(self, script: list[tuple[float, str]]) -> None:
        self.script = script
        self.next_t = 0.0
        self.resets = 0

    def push(self, row: object, t: float) -> _Rec | None:
        if t < self.next_t:
            return None
        self.next_t = t + 0.5
        label = [name for start, name in self.script if t >= start][-1]
        return _Rec(label)

    def reset(self) -> None:
        self.resets += 1

    def decide(self, recognitions: list[_Rec], rows: object = None) -> Decision:
        labels = [r.label for r in recognitions if r.label != "rest"]
        best = max(set(labels), key=labels.count) if labels else "rest"
        return Decision(best, f"most windows said {best}")


def test_a_flickering_recogniser_neither_cuts_nor_renames_a_set() -> None:
    # Eight squats while the recogniser changes its mind every second: one set of eight,
    # named once, from the whole set, at its end.
    rows, _ = sequence(squat, [(0, 0, 1.0), *reps([1.0] * 8), (0, 0, 8.0)])
    labels = ["squat", "lunge", "squat", "deadlift", "squat", "lunge"]
    script = [(float(k), labels[k % len(labels)]) for k in range(30)]
    analyzer = Analyzer(ExerciseConfig(), ScriptedRecognizer(script))
    events = _run(analyzer, rows)
    events += analyzer.finish(len(rows) / 30.0)
    assert [(s.exercise, s.rep_count) for s in analyzer.sets] == [("squat", 8)]
    assert len(_of(events, SetStarted)) == 1
    kinds = [type(e) for e in events]
    during = events[kinds.index(SetStarted) : kinds.index(SetEnded)]
    assert _of(during, ExerciseChanged) == []
    assert [e.rep.index for e in _of(events, RepCompleted)] == list(range(1, 9))
    assert analyzer.explanations[0].exercise_reason == "most windows said squat"


def test_another_part_of_the_body_moving_starts_a_new_set() -> None:
    # Squats straight into curls (half a second apart): the legs stop and the arms move,
    # so counting starts again for the curls even though nobody paused.
    a, _ = sequence(squat, [(0, 0, 1.0), *reps([1.0] * 5)])
    b, _ = sequence(curl, [(0, 0, 0.5), *reps([1.0] * 5, 0.8, 0.8), (0, 0, 8.0)])
    analyzer = Analyzer(ExerciseConfig())
    _run(analyzer, np.concatenate([a, b]))
    analyzer.finish((len(a) + len(b)) / 30.0)
    assert [s.rep_count for s in analyzer.sets] == [5, 5]


def test_set_exercise_and_end_set_close_the_open_set() -> None:
    rows, _ = sequence(squat, [(0, 0, 1.0), *reps([1.0] * 4), (0, 0, 0.5)])
    analyzer = Analyzer(ExerciseConfig())
    _run(analyzer, rows)
    t = len(rows) / 30.0
    ended = analyzer.end_set(t)
    assert len(ended) == 1 and isinstance(ended[0], SetEnded)
    assert ended[0].record.rep_count == 4
    assert analyzer.end_set(t + 0.1) == []
    changed = analyzer.set_exercise("lunge", t + 0.2)
    assert [type(e) for e in changed] == [ExerciseChanged]
    assert analyzer.fixed == "lunge"


def test_one_movement_is_not_a_set_unless_the_exercise_was_chosen() -> None:
    rows, _ = sequence(squat, [(0, 0, 1.0), *reps([2.5]), (0, 0, 8.0)])
    sets, _ = analyze_rows(rows, 30.0)
    assert sets == []
    chosen = Analyzer(ExerciseConfig(exercise="squat"))
    _run(chosen, rows)
    chosen.finish(len(rows) / 30.0)
    assert [(s.exercise, s.rep_count) for s in chosen.sets] == [("squat", 1)]


def test_a_rep_seen_again_with_shifted_boundaries_is_not_reported_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Live recounts of a growing window can move a rep's boundaries: rep 1 found as
    # 1.0-3.0 s, then for one recount as 2.2-3.8 s (half of it rep 1 again), then the
    # real rep 2 at 3.2-4.8 s. Two reps happened; two are reported.
    import edge_trainer.exercise.analyzer as analyzer_module
    from edge_trainer.exercise.counting import CountResult, RepSpan

    def span(a: float, peak: float, b: float) -> RepSpan:
        return RepSpan(round(a * 30), round(peak * 30), round(b * 30), 1.0, 1.0, False)

    script = [
        (3.1, [span(1.0, 2.0, 3.0)]),
        (3.9, [span(2.2, 3.4, 3.8)]),
        (4.9, [span(1.0, 2.0, 3.0), span(3.2, 4.0, 4.8)]),
    ]

    def scripted(rows, ts, exercise, params=None, caches=None):  # type: ignore[no-untyped-def]
        due = [spans for t_end, spans in script if ts[-1] >= t_end]
        now = tuple(s for s in due[-1] if s.end < len(ts)) if due else ()
        return CountResult(now, (), np.zeros(len(ts)), True, 1.0, 0.8)

    monkeypatch.setattr(analyzer_module, "count_exercise", scripted)
    rows, _ = sequence(squat, [(0, 0, 6.0)])
    analyzer = Analyzer(ExerciseConfig(exercise="squat", live_recount_s=0.25))
    events = _run(analyzer, rows)
    done = _of(events, RepCompleted)
    assert [(round(e.rep.start_s, 1), round(e.rep.end_s, 1)) for e in done] == [
        (1.0, 3.0),
        (3.2, 4.8),
    ]


def test_a_recount_that_re_reads_the_rest_after_a_set_announces_no_new_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A scripted counter: three reps at 2-3, 4-5 and 6-7 s. Once the set has closed on
    # its pause (at 13 s), later recounts also find a "rep" at 10-11 s: the longer window
    # re-reads a sway (or getting down to the floor) in the rest the live count already
    # judged. The rest was judged; nothing is announced from it.
    from edge_trainer.exercise import analyzer as analyzer_module
    from edge_trainer.exercise.counting import CountResult, RepSpan

    def scripted(rows: npt.NDArray[np.float64], ts: npt.NDArray[np.float64], *_: object,
                 **__: object) -> CountResult:  # fmt: skip
        times = [(2.0, 2.5, 3.0), (4.0, 4.5, 5.0), (6.0, 6.5, 7.0)]
        if ts[-1] >= 14.0:
            times.append((10.0, 10.5, 11.0))
        spans = tuple(
            RepSpan(*(int(np.searchsorted(ts, x)) for x in rep), 1.0, 1.0, False)
            for rep in times
            if ts[0] <= rep[0] and rep[2] <= ts[-1] - 0.5
        )
        signal = np.sin(np.pi * ts) ** 2
        return CountResult(spans, (), signal, False, 1.0)

    monkeypatch.setattr(analyzer_module, "count_exercise", scripted)
    rows, _ = sequence(squat, [(0, 0, 20.0)])
    analyzer = Analyzer(ExerciseConfig(exercise="squat", set_end_pause_s=6.0, live_recount_s=0.25))
    events = _run(analyzer, rows) + analyzer.finish(20.0)
    assert [type(e) for e in events if isinstance(e, (SetStarted, SetEnded))] == [
        SetStarted,
        SetEnded,
    ]
    assert [e.rep.index for e in _of(events, RepCompleted)] == [1, 2, 3]
