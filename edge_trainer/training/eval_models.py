"""The classifiers ``make eval`` names exercises with: the installed one and the held-out folds."""

from __future__ import annotations

import logging
from pathlib import Path

from edge_trainer.errors import ModelError
from edge_trainer.exercise.recognition import ExerciseRecognizer
from edge_trainer.training.folds import fold_folder, read_groups

log = logging.getLogger(__name__)

# The classifier the project ships (its fold models under ``folds/``).
SHIPPED_CLASSIFIER = Path(__file__).resolve().parents[2] / "models" / "classifier"


def store_or_shipped(models_dir: Path, shipped: Path) -> ExerciseRecognizer | None:
    """The store's classifier, else the one shipped in ``shipped``, else None (logged)."""
    try:
        return ExerciseRecognizer.from_store(models_dir)
    except ModelError as exc:
        log.warning("no classifier in the model store (%s); trying %s", exc, shipped)
    try:
        return ExerciseRecognizer.from_folder(shipped)
    except ModelError as exc:
        log.warning("no exercise classifier (%s): exercises are not named", exc)
        return None


def held_out_classifier(group: str, shipped: Path, fold_of: dict[str, int]) -> Path:
    """The classifier folder that never saw a clip of ``group``.

    ``make train`` trains a fold model without each group of its real clips and maps every
    group it trained on to its fold (``training.folds``); a group outside the map was never
    trained on, so the shipped model has not seen it either.
    """
    k = fold_of.get(group)
    return shipped if k is None else fold_folder(shipped, k)


def fold_map(shipped: Path) -> dict[str, int]:
    """The shipped classifier's group -> fold map; empty (logged) when it has none."""
    try:
        return read_groups(shipped)
    except ModelError as exc:
        log.warning("no classifier folds (%s): clips are named by the shipped model", exc)
        return {}


def store_with_classifier(models_dir: Path, classifier: Path, dest: Path) -> Path:
    """A model store at ``dest``: the live set of ``models_dir`` with another classifier.

    For playing a clip through the whole box with a classifier that never saw it. The
    summary model is left out: the played box does not write summaries.
    """
    from edge_trainer.models.manifest import read_manifest
    from edge_trainer.models.store import add_set, current_dir

    live = current_dir(models_dir)
    files = {
        role: (live / entry.file, entry)
        for role, entry in read_manifest(live).models.items()
        if role not in ("llm", "classifier")
    }
    entry = read_manifest(classifier).models["classifier"]
    files["classifier"] = (classifier / entry.file, entry)
    add_set(dest, files, "held-out")
    return dest
