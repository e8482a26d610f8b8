"""Loading models on LiteRT: clear errors for bad files, and the pose models' pruned graph."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from edge_trainer.errors import DependencyError, ModelError
from edge_trainer.models import litert as runtime
from edge_trainer.pose.detector import PoseDetector
from edge_trainer.pose.landmarks import LandmarkModel
from edge_trainer.pose.reference import mediapipe_model_files

MODELS = mediapipe_model_files()
needs_models = pytest.mark.skipif(
    MODELS is None, reason="the mediapipe package (dev extra) ships the BlazePose models"
)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"cannot read model file '.*nope\.tflite'"):
        runtime.load_interpreter(tmp_path / "nope.tflite", 1)


def test_corrupt_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "garbage.tflite"
    bad.write_bytes(b"\x00" * 64)
    with pytest.raises(ModelError, match=r"'.*garbage\.tflite' is not a TFLite model"):
        runtime.load_interpreter(bad, 1)


@needs_models
def test_truncated_model_is_a_model_error(tmp_path: Path) -> None:
    assert MODELS is not None
    cut = tmp_path / "cut.tflite"
    cut.write_bytes(MODELS["pose_detector"].read_bytes()[:50_000])
    with pytest.raises(ModelError, match=r"cut\.tflite"):
        PoseDetector(cut, 1)


@needs_models
def test_wrong_shape_names_the_file_and_the_expected_shape() -> None:
    assert MODELS is not None
    with pytest.raises(ModelError) as err:
        LandmarkModel(MODELS["pose_detector"], 1)
    msg = str(err.value)
    assert "pose_detection.tflite" in msg
    assert "(1, 224, 224, 3)" in msg and "expected (1, 256, 256, 3)" in msg
    with pytest.raises(ModelError, match=r"expected \(1, 224, 224, 3\)"):
        PoseDetector(MODELS["pose_landmarks"], 1)


@needs_models
def test_pruned_landmark_model_gives_the_same_outputs() -> None:
    assert MODELS is not None
    full = LandmarkModel(MODELS["pose_landmarks"], 2, prune=False)
    pruned = LandmarkModel(MODELS["pose_landmarks"], 2, prune=True)
    assert pruned.pruned and not full.pruned
    rng = np.random.default_rng(0)
    x = rng.random((1, 256, 256, 3), dtype=np.float32)
    a, b = full.run_tensor(x), pruned.run_tensor(x)
    for key in ("landmarks", "flag", "world", "heatmap"):
        np.testing.assert_allclose(a[key], b[key], rtol=1e-4, atol=1e-4)


def test_missing_runtimes_name_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    # Neither LiteRT nor tflite_runtime importable: a DependencyError, not an ImportError trace.
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    monkeypatch.setitem(sys.modules, "tflite_runtime.interpreter", None)
    monkeypatch.setitem(sys.modules, "tflite_runtime", None)
    with pytest.raises(DependencyError, match="ai_edge_litert"):
        runtime.load_interpreter("whatever.tflite", 1)
