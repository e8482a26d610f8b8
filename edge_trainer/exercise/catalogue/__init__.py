"""The exercises the box knows, one module each: every stage reads what it needs here.

Each module holds one ``Exercise``: its name and classifier label, its tempo
conventions, the posture and joints it needs, its form rules with their cues, and its
movement signature. ``add`` makes another exercise known to every stage at once.
"""

from __future__ import annotations

from edge_trainer.exercise.catalogue import (
    bench_press,
    bicep_curl,
    deadlift,
    dumbbell_row,
    front_raise,
    jumping_jack,
    lateral_raise,
    lunge,
    pull_up,
    push_up,
    shoulder_press,
    situp,
    squat,
    tricep_extension,
)
from edge_trainer.exercise.catalogue.base import Exercise, Signature
from edge_trainer.exercise.names import REST, UNKNOWN
from edge_trainer.exercise.rules.base import Rule

_KNOWN: dict[str, Exercise] = {}


def add(exercise: Exercise) -> None:
    """Make an exercise known to every stage.

    Raises:
        ValueError: its name, a label or a fault code is taken, or a rule's code does
            not start with its name.
    """
    name = exercise.name
    if name in _KNOWN or name in (REST, UNKNOWN) or not name.isidentifier():
        raise ValueError(f"exercise name {name!r} is taken or not a plain word")
    if exercise.label is not None and exercise.label in {e.label for e in _KNOWN.values()}:
        raise ValueError(f"classifier label {exercise.label} of {name!r} is taken")
    taken = {r.code for e in _KNOWN.values() for r in e.rules}
    for rule in exercise.rules:
        if not rule.code.startswith(name + "_") or rule.code in taken:
            raise ValueError(f"fault code {rule.code!r} of {name!r} is taken or not its own")
    _KNOWN[name] = exercise


def remove(name: str) -> None:
    """Forget an exercise added with ``add`` (nothing if it is not known)."""
    _KNOWN.pop(name, None)


def get(name: str | None) -> Exercise | None:
    """The exercise called ``name``; None for ``unknown``, ``rest`` or a name not known."""
    return _KNOWN.get(name or "")


def exercises() -> tuple[Exercise, ...]:
    """Every known exercise, in the order they were added."""
    return tuple(_KNOWN.values())


def names() -> tuple[str, ...]:
    """The names of every known exercise, in the order they were added."""
    return tuple(_KNOWN)


def labels() -> tuple[str, ...]:
    """The exercises the classifier knows, in its output order (``rest`` comes after).

    Raises:
        ValueError: the labels are not 0, 1, 2, ... without a gap.
    """
    labelled = sorted((e.label, e.name) for e in _KNOWN.values() if e.label is not None)
    if [k for k, _ in labelled] != list(range(len(labelled))):
        raise ValueError(f"classifier labels have gaps: {labelled}")
    return tuple(name for _, name in labelled)


def rule(code: str) -> Rule | None:
    """The form rule reporting fault ``code``, or None."""
    for exercise in _KNOWN.values():
        for r in exercise.rules:
            if r.code == code:
                return r
    return None


# In the classifier's label order, which is also the order buttons cycle through.
for _module in (
    squat, lunge, deadlift, push_up, pull_up, situp, jumping_jack, bicep_curl,
    tricep_extension, shoulder_press, lateral_raise, front_raise, dumbbell_row, bench_press,
):  # fmt: skip
    add(_module.EXERCISE)

__all__ = ["Exercise", "Rule", "Signature", "add", "exercises", "get", "labels", "names",
           "remove", "rule"]  # fmt: skip
