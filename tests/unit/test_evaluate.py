"""make eval's repcount table on a small labelled folder of stick-figure sequences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edge_trainer.training import evaluate
from edge_trainer.training.folds import read_groups
from tests.unit.exercise_figures import reps, sequence, squat


def _folder(tmp_path: Path, labelled: list[tuple[str, int]]) -> Path:
    rows, _ = sequence(squat, [(0, 0, 1.0), *reps([1.0] * 5), (0, 0, 1.0)])
    lines = ["file,exercise,reps,rep_bounds"]
    for name, count in labelled:
        np.save(tmp_path / name, rows.astype(np.float32))
        lines.append(f"{name},squat,{count},")
    (tmp_path / "labels.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_mae_and_off_by_one_follow_their_definitions() -> None:
    mae, obo = evaluate._mae_obo([(5, 5), (4, 5), (2, 4), (0, 0)])
    assert mae == pytest.approx((0 + 0.2 + 0.5 + 0) / 4)
    assert obo == pytest.approx(0.75)


def test_repcount_counts_as_analyze_does_and_reports_both_ways(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same five squats labelled 5 and 4: one clip exact, one a quarter over.
    folder = _folder(tmp_path, [("a.npy", 5), ("b.npy", 4)])
    out = evaluate.eval_repcount(folder, verbose=True)
    assert out["repcount_mae_no_classifier"] == pytest.approx(0.125)
    assert out["repcount_obo"] == pytest.approx(1.0)
    text = capsys.readouterr().out
    assert "a.npy" in text and "whole-body motion only" in text
    assert "targets: MAE <= 0.2" in text


def test_repcount_reports_the_clips_with_no_pose_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path, [("a.npy", 5)])
    np.save(folder / "empty.npy", np.full((90, 33, 4), np.nan, dtype=np.float32))
    with (folder / "labels.csv").open("a", encoding="utf-8") as fh:
        fh.write("empty.npy,squat,3,\n")
    out = evaluate.eval_repcount(folder, verbose=False)
    # The empty clip counts 0 of 3 (error 1.0) in the main figure, and is left out of the other.
    assert out["repcount_mae"] == pytest.approx(0.5)
    assert out["repcount_mae_with_pose"] == pytest.approx(0.0)
    assert "1 clip(s) with no pose in any frame" in capsys.readouterr().out


def test_repcount_counts_each_clip_through_the_fold_model_that_never_saw_its_subject(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A clip named as a RepCount subject's (stu8) is named by the shipped fold model that
    # held stu8 out; a clip of no known subject is left out of the held-out figure.
    fold_of = read_groups(evaluate.SHIPPED_CLASSIFIER)
    assert "stu8" in fold_of
    folder = _folder(tmp_path, [("stu8_99.npy", 4), ("a.npy", 5)])
    out = evaluate.eval_repcount(folder, verbose=True)
    text = capsys.readouterr().out
    assert "never saw its subject (1 clips)" in text
    # Five squats labelled 4 are a quarter over, whichever model names them.
    assert out["repcount_mae_held_out"] == pytest.approx(0.25)
    assert "subject held out:   5" in text


def test_without_fold_models_there_is_no_held_out_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evaluate, "SHIPPED_CLASSIFIER", tmp_path / "no-classifier")
    out = evaluate.eval_repcount(_folder(tmp_path, [("stu8_99.npy", 5)]), verbose=False)
    assert np.isnan(out["repcount_mae_held_out"])
    assert "never saw its subject" not in capsys.readouterr().out
