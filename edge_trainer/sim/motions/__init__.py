"""The motion library: one spec per exercise, plus non-exercise activities.

An exercise's motion is the module named after it (``squat.py``: its ``SPEC``). ``SPECS``
holds the exercises the synthetic gym can render, in the catalogue's order; ``add`` puts
another one in (its exercise must be in the catalogue, which says which phase lifts and
how it is judged).
"""

from __future__ import annotations

import importlib
import importlib.util

from edge_trainer.exercise import catalogue
from edge_trainer.sim.motions.base import ExerciseSpec, Prop, Rep

SPECS: dict[str, ExerciseSpec] = {}


def add(spec: ExerciseSpec) -> None:
    """Let the synthetic gym render ``spec``'s exercise.

    Raises:
        KeyError: the catalogue does not know the exercise.
        ValueError: a motion for it is there already, or one of its faults is not a
            code of the exercise's rules.
    """
    rules = {r.code for r in spec.exercise.rules}
    if spec.name in SPECS:
        raise ValueError(f"a motion for '{spec.name}' is there already")
    strays = sorted(set(spec.faults) - rules)
    if strays:
        raise ValueError(f"faults of '{spec.name}' that no rule reports: {', '.join(strays)}")
    SPECS[spec.name] = spec


def remove(name: str) -> None:
    """Forget the motion of an exercise (nothing if there is none)."""
    SPECS.pop(name, None)


# Each exercise's motion is the module named after it, if there is one.
for _name in catalogue.names():
    if importlib.util.find_spec(f"{__name__}.{_name}") is not None:
        add(importlib.import_module(f"{__name__}.{_name}").SPEC)

__all__ = ["SPECS", "ExerciseSpec", "Prop", "Rep", "add", "remove"]
