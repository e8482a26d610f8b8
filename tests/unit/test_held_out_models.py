"""Every real clip is judged by a classifier that never saw its group, also on the live box."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from edge_trainer.exercise.names import REST
from edge_trainer.models import store
from edge_trainer.training.eval_data import EvalClip, shoot
from edge_trainer.training.eval_models import (
    fold_map,
    held_out_classifier,
    store_with_classifier,
)
from edge_trainer.training.folds import fold_folder, write_groups
from edge_trainer.training.real_sources import as_training_clip
from tests.model_sets import pose_set

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "models" / "classifier"


def _clip(source: str, exercise: str, group: str = "g") -> EvalClip:
    rows = np.zeros((45, 33, 4))
    return EvalClip(f"{group}.npy", source, group, rows, 30.0, None, exercise, exercise)


def test_a_group_in_the_fold_map_gets_its_fold_model_and_any_other_the_shipped_one(
    tmp_path: Path,
) -> None:
    write_groups(tmp_path, {"stu2": 0, "penn_squat_0001": 1}, seed=7)
    groups = fold_map(tmp_path)
    assert held_out_classifier("stu2", tmp_path, groups) == fold_folder(tmp_path, 0)
    assert held_out_classifier("penn_squat_0001", tmp_path, groups) == fold_folder(tmp_path, 1)
    # videos/ is never trained on: its clips are not in the map.
    assert held_out_classifier("sports2d_demo", tmp_path, groups) == tmp_path


def test_without_a_fold_map_every_clip_gets_the_shipped_model(tmp_path: Path) -> None:
    assert fold_map(tmp_path) == {}
    assert held_out_classifier("stu2", tmp_path, {}) == tmp_path


def test_workouttracker_clips_of_one_shoot_are_one_group() -> None:
    a = shoot("workouttracker", "pull-ups__videoplayback_1.mp4")
    b = shoot("workouttracker", "pull-ups__videoplayback_5.mp4")
    assert a == b != shoot("workouttracker", "pull-ups__pull-up_8.mp4")


def test_a_movement_not_on_our_list_is_trained_as_rest_over_the_whole_clip() -> None:
    other = as_training_clip(_clip("quva", "unknown", "032_bar_lift"))
    ours = as_training_clip(_clip("penn", "squat", "penn_squat_0001"))
    assert other.label == REST and ours.label == "squat"
    assert ours.group == "penn_squat_0001" and ours.source == "penn"
    assert ours.active == ((0.0, 1.5),)
    assert ours.rows.dtype == np.float32


def test_a_held_out_store_keeps_the_live_set_and_swaps_only_the_classifier(
    tmp_path: Path,
) -> None:
    live = tmp_path / "live"
    store.activate_version(live, store.import_set(live, pose_set(tmp_path / "pose")))
    folder = tmp_path / "fold"
    shutil.copytree(SHIPPED, folder, ignore=shutil.ignore_patterns("folds"))
    dest = store_with_classifier(live, folder, tmp_path / "held")
    path, entry = store.resolve(dest, "classifier")
    assert path.read_bytes() == (folder / entry.file).read_bytes()
    assert set(store.current_manifest(dest).models) >= {"pose_detector", "pose_landmarks"}
    # The owner's store is untouched.
    assert "classifier" not in store.current_manifest(live).models
