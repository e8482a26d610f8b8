"""Model sets for store and deploy tests, made of the BlazePose files mediapipe ships."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from edge_trainer.models.manifest import Manifest, TensorSpec, write_manifest
from edge_trainer.models.store import entry_for

DETECTOR = ("pose_detection", "pose_detection.tflite")
LANDMARKS = ("pose_landmark", "pose_landmark_full.tflite")

# The shapes the shipped files really have (checked by the trial load, not assumed by it).
SHAPES = {
    "pose_detection.tflite": (
        ((1, 224, 224, 3),),
        ((1, 2254, 12), (1, 2254, 1)),
    ),
    "pose_landmark_full.tflite": (
        ((1, 256, 256, 3),),
        ((1, 195), (1, 1), (1, 256, 256, 1), (1, 64, 64, 39), (1, 117)),
    ),
}


def mediapipe_modules() -> Path:
    """The mediapipe wheel's ``modules`` folder (without importing mediapipe)."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the mediapipe wheel (source of the BlazePose .tflite files) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "modules"


def _specs(shapes: tuple[tuple[int, ...], ...]) -> tuple[TensorSpec, ...]:
    return tuple(TensorSpec(shape=s, dtype="float32") for s in shapes)


def pose_set(
    folder: Path,
    set_id: str = "pose-test",
    *,
    roles: dict[str, str] | None = None,
    outputs: dict[str, tuple[tuple[int, ...], ...]] | None = None,
    declare_shapes: bool = True,
) -> Path:
    """Write a model set with the real BlazePose detector and landmark models.

    Args:
        folder: Created; receives the .tflite files and manifest.json.
        set_id: The manifest id.
        roles: role -> file name (default: each file in its right role).
        outputs: Declared output shapes to use instead of the true ones, by file name.
        declare_shapes: Whether the manifest lists input and output shapes.
    """
    modules = mediapipe_modules()
    folder.mkdir(parents=True, exist_ok=True)
    for sub, name in (DETECTOR, LANDMARKS):
        shutil.copyfile(modules / sub / name, folder / name)
    roles = roles or {"pose_detector": DETECTOR[1], "pose_landmarks": LANDMARKS[1]}
    models = {}
    for role, name in roles.items():
        ins, outs = SHAPES[name]
        if outputs and name in outputs:
            outs = outputs[name]
        fields = {"inputs": _specs(ins), "outputs": _specs(outs)} if declare_shapes else {}
        models[role] = entry_for(folder / name, role, provenance="mediapipe wheel", **fields)
    write_manifest(folder, Manifest(id=set_id, created="2026-11-21T00:00:00+00:00", models=models))
    return folder


def corrupt(path: Path) -> None:
    """Flip bytes in the middle of a file, keeping its size."""
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 16] = bytes(b ^ 0xFF for b in data[mid : mid + 16])
    path.write_bytes(bytes(data))
