"""The classifiers ``make eval`` names exercises with: the installed one and the held-out folds."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from edge_trainer.errors import ModelError
from edge_trainer.exercise.recognition import ExerciseRecognizer
from edge_trainer.training.data import subject
from edge_trainer.training.folds import fold_folder, read_groups

log = logging.getLogger(__name__)


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


def held_out(classifier_dir: Path) -> Callable[[str], Any]:
    """For a RepCount file name, the fold classifier that never saw its subject, or None.

    ``make train`` keeps its cross-validation fold models under the classifier
    (``training.folds``); without them (or for a subject no fold held out) every clip
    gets None and the held-out line is not printed.
    """
    try:
        fold_of = read_groups(classifier_dir)
        models = {
            k: ExerciseRecognizer.from_folder(fold_folder(classifier_dir, k))
            for k in sorted(set(fold_of.values()))
        }
    except ModelError as exc:
        log.warning("no held-out figures: %s", exc)
        return lambda _file: None

    def fold_for(file: str) -> Any:
        k = fold_of.get(subject(Path(file).stem))
        return None if k is None else models[k]

    return fold_for
