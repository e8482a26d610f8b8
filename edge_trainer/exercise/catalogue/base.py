"""What an exercise is: everything every stage needs to know about it, in one record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.kinematics import Movement
from edge_trainer.exercise.rules.base import Rule

# The point whose speed is a rep's velocity (the "bar"): the mean of a left/right pair.
HIPS = (geo.L_HIP, geo.R_HIP)
SHOULDERS = (geo.L_SHOULDER, geo.R_SHOULDER)
WRISTS = (geo.L_WRIST, geo.R_WRIST)


@dataclass(frozen=True)
class Signature:
    """A movement only this exercise makes, read from a whole set's joints.

    Attributes:
        saw: What the movement showed, for the set's reason ("upright, upper arms
            hanging, only the elbows bend").
        matches: Whether a set's ``Movement`` is this one.
    """

    saw: str
    matches: Callable[[Movement], bool]


@dataclass(frozen=True)
class Exercise:
    """One exercise, as the classifier, counter, tempo, form rules, coach and gym know it.

    Attributes:
        name: Its code (``push_up``), the word every stage and the history use.
        label: Its index in the classifier's output; None when the classifier does not
            know it (it is then counted only when chosen by button or config).
        concentric_first: Whether moving away from the rest position is the lifting
            phase: a curl lifts first, a squat goes down first.
        velocity_point: Landmarks whose mean is the "bar" a rep's velocity is read from.
        angle: Landmark names (left side, vertex in the middle) of its main joint angle,
            the joint it bends; the right side is the mirror.
        rules: Its form rules, each with the views it can be judged from and its cue.
        movers: Joints it cannot be done without moving (``Movement.ranges`` keys); a
            set where all were seen and none moved is not this exercise. Empty when its
            movers can hide along the camera's line of sight.
        posture_min_lean: The least trunk lean from upright (degrees) its frames must
            show to count; None when it is done in any posture.
        signature: A movement only it makes, or None.
        spoken: How a summary names one ("push-up"); the name with spaces by default.
        called: How a cue names a set of them ("push ups"); by default the name with
            spaces and a plural ``s`` (none after an ``s``: "bench press").
    """

    name: str
    label: int | None
    concentric_first: bool
    velocity_point: tuple[int, int]
    angle: tuple[str, str, str]
    rules: tuple[Rule, ...] = ()
    movers: tuple[str, ...] = ()
    posture_min_lean: float | None = None
    signature: Signature | None = None
    spoken: str = field(default="")
    called: str = field(default="")

    def __post_init__(self) -> None:
        words = self.name.replace("_", " ")
        if not self.spoken:
            object.__setattr__(self, "spoken", words)
        if not self.called:
            object.__setattr__(self, "called", words if words.endswith("s") else words + "s")
