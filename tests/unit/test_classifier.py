"""The shipped exercise classifier and the live recognizer around it (real LiteRT)."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from edge_trainer.errors import InputError, ModelError
from edge_trainer.exercise.classifier import CLASSES, ExerciseClassifier
from edge_trainer.exercise.features import (
    DEFAULT_WINDOW,
    FEATURE_VERSION,
    N_FEATURES,
    mirror_window,
    window_features,
)
from edge_trainer.exercise.names import REST
from edge_trainer.exercise.recognition import (
    ExerciseRecognizer,
    Recognition,
    decide_exercise,
)
from edge_trainer.models.manifest import read_manifest, sha256_file
from edge_trainer.models.store import add_set

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "classifier"


def moving_figure(n: int, fps: float = 30.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = np.zeros((33, 4), np.float32)
    base[:, 0] = 0.5 + rng.normal(0, 0.08, 33)
    base[:, 1] = np.linspace(0.1, 0.95, 33)
    base[:, 3] = 1.0
    t = np.arange(n) / fps
    rows = np.repeat(base[None], n, axis=0)
    rows[:, 13:23, 1] -= 0.2 * np.sin(2 * np.pi * t / 1.5)[:, None]
    return rows


@pytest.fixture(scope="module")
def recognizer() -> ExerciseRecognizer:
    return ExerciseRecognizer.from_folder(MODEL_DIR)


def test_manifest_describes_the_model() -> None:
    manifest = read_manifest(MODEL_DIR)
    entry = manifest.models["classifier"]
    path = MODEL_DIR / entry.file
    assert entry.labels == CLASSES
    assert entry.feature_version == FEATURE_VERSION
    assert entry.inputs[0].shape == (1, DEFAULT_WINDOW.frames, N_FEATURES)
    assert entry.inputs[0].dtype == entry.outputs[0].dtype == "int8"
    assert entry.size == path.stat().st_size < 200 * 1024
    assert entry.sha256 == sha256_file(path)
    labels = (MODEL_DIR / "labels.txt").read_text().split()
    assert tuple(labels) == CLASSES


def test_recognizer_carries_the_model_provenance(recognizer: ExerciseRecognizer) -> None:
    # make eval reads it to tell in-sample figures from held-out ones.
    entry = read_manifest(MODEL_DIR).models["classifier"]
    assert recognizer.provenance == entry.provenance
    assert "sources=" in recognizer.provenance


def test_model_is_full_integer(recognizer: ExerciseRecognizer) -> None:
    interp = recognizer.classifier._interp
    assert interp.get_input_details()[0]["dtype"] == np.int8
    assert interp.get_output_details()[0]["dtype"] == np.int8


def test_probabilities_and_mirror_invariance(recognizer: ExerciseRecognizer) -> None:
    rows = moving_figure(60)
    window = window_features(rows, np.arange(60) / 30.0)
    assert window is not None
    clf = recognizer.classifier
    probs = clf.predict(window)
    assert probs.shape == (len(CLASSES),)
    assert probs.min() >= 0 and probs.sum() == pytest.approx(1.0, abs=1e-5)
    for flip, swap in ((True, False), (False, True), (True, True)):
        np.testing.assert_allclose(clf.predict(mirror_window(window, flip, swap)), probs, atol=1e-6)


def test_recognizer_waits_for_a_full_window_then_runs_every_hop(
    recognizer: ExerciseRecognizer,
) -> None:
    recognizer.reset()
    rows = moving_figure(90)
    out = [recognizer.push(row, i / 30.0) for i, row in enumerate(rows)]
    first = next(i for i, r in enumerate(out) if r is not None)
    assert first / 30.0 == pytest.approx(DEFAULT_WINDOW.duration_s, abs=1 / 15)
    runs = [i for i, r in enumerate(out) if r is not None]
    assert all(5 <= b - a <= 7 for a, b in itertools.pairwise(runs))
    rec = out[runs[-1]]
    assert isinstance(rec, Recognition) and rec.label in CLASSES
    assert rec.confidence == pytest.approx(rec.probs[rec.label])
    assert recognizer.current == rec


def test_nobody_in_view_is_rest(recognizer: ExerciseRecognizer) -> None:
    recognizer.reset()
    recs = [recognizer.push(None, i / 30.0) for i in range(120)]
    last = [r for r in recs if r is not None][-1]
    assert last.label == REST and last.confidence == pytest.approx(1.0)


def test_bad_rows_and_time_going_back(recognizer: ExerciseRecognizer) -> None:
    recognizer.reset()
    with pytest.raises(InputError, match="33, 4"):
        recognizer.push(np.zeros((17, 4)), 0.0)
    recognizer.push(moving_figure(1)[0], 1.0)
    assert recognizer.push(moving_figure(1)[0], 0.5) is None


def _scripted(recognizer: ExerciseRecognizer, labels: list[str]) -> list[str]:
    """Labels after feeding the smoother one confident prediction per hop."""
    script = iter(labels)

    def predict(window: np.ndarray) -> np.ndarray:
        p = np.full(len(CLASSES), 0.02, np.float32)
        p[CLASSES.index(next(script))] = 1.0
        return p / p.sum()

    recognizer.reset()
    real = recognizer.classifier.predict
    recognizer.classifier.predict = predict  # type: ignore[method-assign]
    try:
        rows = moving_figure(400)
        out = [recognizer.push(r, i / 30.0) for i, r in enumerate(rows)]
    finally:
        recognizer.classifier.predict = real  # type: ignore[method-assign]
    return [r.label for r in out if r is not None][: len(labels)]


def test_smoothing_ignores_blips_and_follows_a_real_change(
    recognizer: ExerciseRecognizer,
) -> None:
    seq = ["squat"] * 8 + ["lunge"] + ["squat"] * 6 + ["deadlift", "squat"] + ["push_up"] * 30
    labels = _scripted(recognizer, seq + ["push_up"] * 20)
    assert labels[:17] == ["squat"] * 17
    switch = labels.index("push_up")
    assert 17 < switch <= 17 + 4
    assert set(labels[switch:]) == {"push_up"}


def _rec(**probs: float) -> Recognition:
    full = {k: 0.0 for k in CLASSES} | probs
    label = max(full, key=lambda k: full[k])
    return Recognition(label, full[label], full)


def test_decide_uses_the_whole_set() -> None:
    setup = [_rec(rest=0.9, squat=0.1)] * 6
    reps = [_rec(squat=0.8, rest=0.2)] * 4 + [_rec(lunge=0.6, squat=0.4)]
    assert decide_exercise(setup + reps).label == "squat"
    assert decide_exercise([_rec(rest=0.95, push_up=0.05)] * 10).label == REST
    assert decide_exercise([]).label == REST


def test_from_store_checks_the_hash_and_feature_version(tmp_path: Path) -> None:
    entry = read_manifest(MODEL_DIR).models["classifier"]
    add_set(tmp_path / "store", {"classifier": (MODEL_DIR / entry.file, entry)}, "test")
    rec = ExerciseRecognizer.from_store(tmp_path / "store")
    assert rec.labels == CLASSES
    rec.close()
    broken = tmp_path / "broken"
    shutil.copytree(MODEL_DIR, broken)
    with (broken / entry.file).open("r+b") as f:
        f.seek(100)
        f.write(b"\x00\x01\x02")
    with pytest.raises(ModelError, match="sha256"):
        ExerciseRecognizer.from_folder(broken)
    doc = json.loads((MODEL_DIR / "manifest.json").read_text())
    doc["models"]["classifier"]["feature_version"] = FEATURE_VERSION + 1
    shutil.copy(MODEL_DIR / entry.file, broken / entry.file)
    (broken / "manifest.json").write_text(json.dumps(doc))
    with pytest.raises(ModelError, match="feature version"):
        ExerciseRecognizer.from_folder(broken)


def test_wrong_model_shape_is_a_model_error(tmp_path: Path) -> None:
    entry = read_manifest(MODEL_DIR).models["classifier"]
    with pytest.raises(ModelError, match="outputs"):
        ExerciseClassifier(MODEL_DIR / entry.file, labels=("a", "b"))
    bogus = tmp_path / "x.tflite"
    bogus.write_bytes(b"not a model at all")
    with pytest.raises(ModelError):
        ExerciseClassifier(bogus)
