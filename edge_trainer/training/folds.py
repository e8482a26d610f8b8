"""Subject-grouped cross-validation folds: which real subjects each fold model never saw.

``make train`` keeps each fold's model beside the shipped one (``folds/fold<k>/``, a model
folder with its own manifest) and ``groups.json`` mapping each subject group to the fold
that held it out, so ``make eval`` can count every real clip with a classifier that was
not trained on its subject.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from edge_trainer.errors import ModelError

FOLDS_DIR = "folds"
GROUPS_FILE = "groups.json"


def assign_folds(groups: Iterable[str], folds: int, seed: int) -> dict[str, int]:
    """Each group's fold: the sorted groups shuffled with ``seed``, dealt round-robin."""
    names = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(names))
    return {names[g]: i % folds for i, g in enumerate(order)}


def fold_folder(root: Path, k: int) -> Path:
    """The model folder of fold ``k`` under a classifier folder ``root``."""
    return Path(root) / FOLDS_DIR / f"fold{k}"


def write_groups(root: Path, fold_of: dict[str, int], seed: int) -> Path:
    """Write ``groups.json`` (group -> fold) under ``root``'s folds folder."""
    path = Path(root) / FOLDS_DIR / GROUPS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"seed": seed, "folds": max(fold_of.values(), default=-1) + 1, "groups": fold_of}
    path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_groups(root: Path) -> dict[str, int]:
    """Group -> fold from ``root``'s ``groups.json``; ModelError if absent or malformed."""
    path = Path(root) / FOLDS_DIR / GROUPS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(g): int(k) for g, k in data["groups"].items()}
    except FileNotFoundError as exc:
        raise ModelError(f"no cross-validation folds at '{path.parent}'") from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelError(f"'{path}' is not a fold map: {exc}") from exc
