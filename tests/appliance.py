"""Shared set-up for whole-appliance tests: a provisioned model store and workout clips."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from edge_trainer.commands import toml_value
from edge_trainer.models import store
from edge_trainer.models.fetch_pose import fetch_pose
from edge_trainer.models.manifest import read_manifest
from edge_trainer.pose.reference import mediapipe_model_files
from edge_trainer.sim.api import write_clip
from edge_trainer.sim.spec import ActivitySpec, ClipSpec, SetSpec

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CLASSIFIER = REPO / "models" / "classifier"


def provision_models(root: Path) -> Path:
    """A model store with BlazePose (from the mediapipe package) and the shipped classifier."""
    files = mediapipe_model_files()
    if files is None:
        pytest.skip("the mediapipe package (dev extra) ships the BlazePose models")
    fetch_pose(root, [files["pose_detector"], files["pose_landmarks"]])
    if (SHIPPED_CLASSIFIER / "manifest.json").is_file():
        entry = read_manifest(SHIPPED_CLASSIFIER).models["classifier"]
        store.add_set(root, {"classifier": (SHIPPED_CLASSIFIER / entry.file, entry)}, "classifier")
    return root


def workout_clip(folder: Path, name: str = "workout", seed: int = 7) -> Path:
    """Walk in, 5 squats, a rest, 4 push-ups, walk out: the appliance's multi-set clip."""
    spec = ClipSpec(
        (
            ActivitySpec("walk_in"),
            SetSpec("squat", 5, 45.0),
            ActivitySpec("stand", 9.0, 45.0),
            SetSpec("push_up", 4, 90.0),
            ActivitySpec("stand", 1.0, 20.0),
            ActivitySpec("walk_out"),
        ),
        seed=seed,
        width=480,
        height=360,
    )
    write_clip(spec, folder / name)
    return folder / f"{name}.mp4"


def squat_clip(folder: Path, reps: int = 6, seed: int = 3) -> Path:
    """A person already in place doing squats from the side, from the first second."""
    spec = ClipSpec(
        (ActivitySpec("stand", 0.8, 90.0), SetSpec("squat", reps, 90.0)),
        seed=seed,
        width=480,
        height=360,
    )
    write_clip(spec, folder / "squats")
    return folder / "squats.mp4"


def write_config(path: Path, root: Path, models: Path, **sections: dict[str, object]) -> Path:
    """A TOML config with the emulated devices writing under ``root``."""
    base: dict[str, dict[str, object]] = {
        "paths": {
            "state_dir": str(root / "state"),
            "models_dir": str(models),
            "output_dir": str(root / "out"),
        },
        "llm": {"enabled": False},
    }
    for name, values in sections.items():
        base.setdefault(name, {}).update(values)
    lines = []
    for name, values in base.items():
        lines.append(f"[{name}]")
        for key, value in values.items():
            lines.append(f"{key} = {toml_value(value)}")
    path.write_text("\n".join(lines) + "\n")
    return path


def query(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    """Rows of a read-only query on the history database."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()
