"""Classifier training end to end at a tiny scale, and the shipped model on fresh sim clips."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from edge_trainer.exercise.classifier import CLASSES, ExerciseClassifier
from edge_trainer.exercise.features import DEFAULT_WINDOW, N_FEATURES
from edge_trainer.exercise.names import REST
from edge_trainer.exercise.recognition import ExerciseRecognizer
from edge_trainer.models.manifest import read_manifest
from edge_trainer.training.data import Clip, load_repcount
from edge_trainer.training.dataset import build_windows
from edge_trainer.training.metrics import recognise_clip
from edge_trainer.training.simdata import landmarks_for, split_by_label

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "classifier"
REPCOUNT = Path(__file__).resolve().parents[3] / "shared" / "data" / "repcount_pose"

needs_tf = pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is None,
    reason="tensorflow (the 'train' extra) is not installed",
)


def sim_clip(exercise: str, view: float, seed: int) -> list[Clip]:
    """A fresh synthetic clip (exact landmarks) from the held-out seed range."""
    from edge_trainer.sim.spec import ActivitySpec, ClipSpec, SetSpec

    spec = ClipSpec(
        segments=(ActivitySpec("stand", 2.0), SetSpec(exercise, reps=4, view=view),
                  ActivitySpec("walk_out", 2.0)),
        seed=seed, width=480, height=360, fps=15.0,
    )  # fmt: skip
    rows, labels, fps = landmarks_for(spec, "truth", None)
    return split_by_label(f"test/{exercise}", str(seed), rows, labels, fps)


def test_windows_are_deterministic_and_labelled() -> None:
    clips = sim_clip("squat", 45.0, 900_001)
    a = build_windows(clips, seed=3, copies=1)
    b = build_windows(clips, seed=3, copies=1)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert a.x.shape[1:] == (DEFAULT_WINDOW.frames, N_FEATURES)
    assert {CLASSES[i] for i in a.y} == {"squat", REST}
    c = build_windows(clips, seed=4, copies=1)
    assert not np.array_equal(a.x, c.x)


@needs_tf
@pytest.mark.slow
def test_train_convert_and_load_with_litert(tmp_path: Path) -> None:
    from edge_trainer.training.model import to_int8_tflite, train_model

    clips = sim_clip("jumping_jack", 0.0, 900_002) + sim_clip("push_up", 90.0, 900_003)
    ws = build_windows(clips, seed=1, copies=1)
    model = train_model(ws.x, ws.y, len(CLASSES), seed=1, epochs=2, batch=64)
    path = tmp_path / "m.tflite"
    size = to_int8_tflite(model, ws.x[:50], path)
    assert 0 < size < 200 * 1024
    clf = ExerciseClassifier(path)
    details = clf._interp.get_input_details()[0]
    assert details["dtype"] == np.int8
    assert tuple(details["shape"]) == (1, DEFAULT_WINDOW.frames, N_FEATURES)
    probs = clf.predict(ws.x[0])
    assert probs.shape == (len(CLASSES),) and abs(float(probs.sum()) - 1.0) < 1e-5


@needs_tf
@pytest.mark.slow
@pytest.mark.skipif(not REPCOUNT.is_dir(), reason="../shared/data/repcount_pose is absent")
def test_training_keeps_a_loadable_model_per_fold_and_the_map_of_who_it_held_out(
    tmp_path: Path,
) -> None:
    from edge_trainer.training import train
    from edge_trainer.training.data import subject
    from edge_trainer.training.folds import fold_folder, read_groups

    out = tmp_path / "classifier"
    stale = fold_folder(out, 7)
    stale.mkdir(parents=True)
    (stale / "old.tflite").write_bytes(b"from an earlier run")
    code = train.main([
        "--out", str(out), "--cache-dir", str(tmp_path / "cache"),
        "--data-dir", str(REPCOUNT.parent), "--pose-models", str(tmp_path / "no-models"),
        "--sources", "repcount", "--epochs", "1", "--copies", "1", "--folds", "2",
    ])  # fmt: skip
    assert code == 0
    fold_of = read_groups(out)
    assert set(fold_of) == {subject(p.stem) for p in REPCOUNT.glob("*.npy")}
    assert set(fold_of.values()) == {0, 1}
    assert not stale.exists()
    for k in (0, 1):
        entry = read_manifest(fold_folder(out, k)).models["classifier"]
        held = {g for g, f in fold_of.items() if f == k}
        assert set(entry.provenance.split("trained without ")[1].split(", ")) == held
        ExerciseRecognizer.from_folder(fold_folder(out, k)).close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("exercise", "view"), [("squat", 90.0), ("jumping_jack", 0.0), ("bicep_curl", 45.0)]
)
def test_shipped_model_recognises_fresh_synthetic_sets(exercise: str, view: float) -> None:
    recognizer = ExerciseRecognizer.from_folder(MODEL_DIR)
    clips = sim_clip(exercise, view, 900_100 + len(exercise))
    result = recognise_clip(recognizer, next(c for c in clips if c.label == exercise))
    assert result.decided == exercise


@pytest.mark.slow
@pytest.mark.skipif(not REPCOUNT.is_dir(), reason="../shared/data/repcount_pose is absent")
def test_shipped_model_on_a_repcount_clip_it_was_trained_on() -> None:
    # A regression check, not a held-out measurement: the card has the cross-validated one.
    clip = next(c for c in load_repcount(REPCOUNT) if c.name.endswith("stu2_25.npy"))
    recognizer = ExerciseRecognizer.from_folder(MODEL_DIR)
    assert recognise_clip(recognizer, clip).decided == "jumping_jack"
    assert read_manifest(MODEL_DIR).models["classifier"].labels == CLASSES


@pytest.mark.slow
def test_a_clip_with_no_face_or_feet_is_recognised_as_the_box_sees_it() -> None:
    # Penn Action's annotations have 13 joints; the box passes such frames on as they are.
    recognizer = ExerciseRecognizer.from_folder(MODEL_DIR)
    clip = next(c for c in sim_clip("squat", 90.0, 900_105) if c.label == "squat")
    rows = np.full_like(clip.rows, np.nan)
    body = [0, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28]
    rows[:, body] = clip.rows[:, body]
    partial = Clip(clip.name, clip.source, clip.group, clip.label, rows, clip.fps, clip.active)
    result = recognise_clip(recognizer, partial)
    assert result.window_acc > 0.5 and result.decided == "squat"


@pytest.mark.slow
@pytest.mark.skipif(not REPCOUNT.is_dir(), reason="../shared/data/repcount_pose is absent")
def test_the_card_is_rewritten_from_the_fold_models_without_training(tmp_path: Path) -> None:
    import shutil

    from edge_trainer.training import train

    out = tmp_path / "classifier"
    shutil.copytree(MODEL_DIR, out)
    model = (out / "exercise_classifier.tflite").read_bytes()
    (out / "MODEL_CARD.md").write_text("stale\n", encoding="utf-8")
    code = train.main([
        "--out", str(out), "--card-only", "--data-dir", str(REPCOUNT.parent),
        "--pose-models", str(tmp_path / "no-models"), "--sources", "repcount",
    ])  # fmt: skip
    assert code == 0
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "Real clips held out: repcount" in card and "of 37 clips" in card
    assert (out / "exercise_classifier.tflite").read_bytes() == model
    assert (
        read_manifest(out).models["classifier"].sha256
        == read_manifest(MODEL_DIR).models["classifier"].sha256
    )


@pytest.mark.skipif(not REPCOUNT.is_dir(), reason="../shared/data/repcount_pose is absent")
def test_card_only_without_a_model_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from edge_trainer.training import train

    code = train.main([
        "--out", str(tmp_path / "none"), "--card-only", "--sources", "repcount",
        "--data-dir", str(REPCOUNT.parent), "--pose-models", str(tmp_path / "no-models"),
    ])  # fmt: skip
    assert code == 2
    assert "no model at" in capsys.readouterr().err
