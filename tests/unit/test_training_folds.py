"""The cross-validation fold map that make train writes and make eval reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge_trainer.errors import ModelError
from edge_trainer.training.folds import (
    FOLDS_DIR,
    GROUPS_FILE,
    assign_folds,
    read_groups,
    write_groups,
)

GROUPS = [f"stu{i}" for i in range(1, 12)] + ["test534", "train1665"]


def test_every_group_gets_one_fold_and_the_folds_are_balanced() -> None:
    fold_of = assign_folds(GROUPS + GROUPS[:3], folds=4, seed=7)
    assert set(fold_of) == set(GROUPS)
    sizes = [list(fold_of.values()).count(k) for k in range(4)]
    assert max(sizes) - min(sizes) <= 1


def test_the_same_seed_gives_the_same_folds_whatever_the_order() -> None:
    a = assign_folds(GROUPS, folds=4, seed=7)
    assert assign_folds(list(reversed(GROUPS)), folds=4, seed=7) == a
    assert any(assign_folds(GROUPS, folds=4, seed=s) != a for s in (8, 9, 10))


def test_the_fold_map_reads_back_as_written(tmp_path: Path) -> None:
    fold_of = assign_folds(GROUPS, folds=3, seed=1)
    write_groups(tmp_path, fold_of, seed=1)
    assert read_groups(tmp_path) == fold_of


def test_a_missing_or_broken_fold_map_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no cross-validation folds"):
        read_groups(tmp_path)
    (tmp_path / FOLDS_DIR).mkdir()
    (tmp_path / FOLDS_DIR / GROUPS_FILE).write_text('{"groups": ["stu1"]}', encoding="utf-8")
    with pytest.raises(ModelError, match="not a fold map"):
        read_groups(tmp_path)
