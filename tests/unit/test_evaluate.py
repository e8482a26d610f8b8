"""make eval's counting: held-out knobs, held-out classifiers, and what the live box said."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from edge_trainer.exercise.counting import CounterParams
from edge_trainer.training import counter_cv, evaluate
from edge_trainer.training.eval_counting import eval_counting
from edge_trainer.training.eval_data import EvalClip
from edge_trainer.training.eval_jobs import mae_obo
from edge_trainer.training.eval_live import Heard, spoken_reps
from tests.unit.exercise_figures import reps, sequence, squat


def _clip(name: str, source: str, group: str, true: int, n: int = 5) -> EvalClip:
    rows, _ = sequence(squat, [(0, 0, 1.0), *reps([1.0] * n), (0, 0, 1.0)])
    return EvalClip(name, source, group, rows, 30.0, true, "squat", "squat")


def test_mae_and_off_by_one_follow_their_definitions() -> None:
    mae, obo = mae_obo([(5, 5), (4, 5), (2, 4), (0, 0)])
    assert mae == pytest.approx((0 + 0.2 + 0.5 + 0) / 4)
    assert obo == pytest.approx(0.75)


def test_knobs_are_chosen_without_the_fold_they_count() -> None:
    # Two data sets disagree on which candidate is best; each fold gets the other's choice,
    # and each data set weighs the same whatever its number of clips.
    err = np.array([[0.0, 1.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    sources = ["a", "a", "a", "b"]
    assert counter_cv.choose(err, sources, np.array([False, False, False, True])) == 1
    assert counter_cv.choose(err, sources, np.array([True, True, True, False])) == 0
    both = counter_cv.choose(np.array([[0.0, 0.4], [1.0, 0.4]]), ["a", "b"], np.ones(2, bool))
    assert both == 1


def test_a_repcount_clip_is_held_out_with_its_subject() -> None:
    clip = _clip("stu8_99.npy", "repcount", "stu8", 5)
    assert counter_cv.fold_of(clip, {"stu8": 2}) == "repcount fold 2"
    assert counter_cv.fold_of(_clip("x.mp4", "videos", "x", 5), {"stu8": 2}) == "videos"
    assert len(counter_cv.candidates()) == int(np.prod([len(v) for v in counter_cv.GRID.values()]))


def test_counting_reports_held_out_first_and_per_fold_knobs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = {
        "repcount": [
            _clip("stu8_99.npy", "repcount", "stu8", 5),
            _clip("a.npy", "repcount", "a", 4),
        ],
        "videos": [_clip("v.mp4", "videos", "v", 5)],
    }
    out, held = eval_counting(data, evaluate.SHIPPED_CLASSIFIER, verbose=True)
    assert [c.name for c, _ in held] == ["stu8_99.npy", "a.npy", "v.mp4"]
    text = capsys.readouterr().out
    assert text.index("counting, held out") < text.index("| in-sample")
    assert "knobs chosen without each fold" in text
    # Five squats: exact against 5, a quarter over against 4.
    assert out["repcount_mae"] == pytest.approx(0.125)
    assert out["videos_mae"] == pytest.approx(0.0)
    assert out["repcount_one_set"] == pytest.approx(1.0)


def test_what_the_box_said_is_read_from_its_cue_index(tmp_path: Path) -> None:
    index = tmp_path / "cues.jsonl"
    lines = [
        {"kind": "rep", "outcome": "spoken", "text": "Squats. 1"},
        {"kind": "rep", "outcome": "superseded", "text": "2"},
        {"kind": "rep", "outcome": "spoken", "text": "3"},
        # A faulty rep's number is said with its correction; a correction alone is not.
        {"kind": "fault", "outcome": "spoken", "text": "4. Go deeper"},
        {"kind": "fault", "outcome": "spoken", "text": "Go deeper"},
        {"kind": "encourage", "outcome": "spoken", "text": "2 more"},
        {"kind": "rep", "outcome": "spoken", "text": "1"},
    ]
    index.write_text("".join(json.dumps(e) + "\n" for e in lines), encoding="utf-8")
    heard = Heard(spoken_reps(index), 4, 4, 1)
    assert heard.spoken == (1, 3, 4, 1)
    assert heard.last_spoken == 1
    assert heard.restarts == 1


def test_the_shipped_knobs_are_the_ones_chosen_on_every_fold() -> None:
    # The defaults must stay in the grid that make eval cross-validates.
    shipped = CounterParams()
    assert any(p == shipped for p in counter_cv.candidates())
