"""make eval's repcount table on a small labelled folder of stick-figure sequences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edge_trainer.training import evaluate
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
