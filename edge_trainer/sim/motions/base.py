"""What an exercise spec is, plus the shared posing pieces (stance, props, hanging arms)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from edge_trainer.exercise import catalogue
from edge_trainer.sim.body import Rgb
from edge_trainer.sim.geometry import FWD, UP, Vec, ry, unit, v
from edge_trainer.sim.skeleton import Points, Rig, Trunk

IRON: Rgb = (55, 55, 60)
STEEL: Rgb = (165, 168, 175)
PAD: Rgb = (25, 25, 30)


@dataclass(frozen=True, slots=True)
class Prop:
    """Equipment drawn with the body.

    ``kind`` is ``capsule`` (from ``a`` to ``b`` with ``radius``), ``box`` (axis-aligned
    between corners ``a`` and ``b``, in stage coordinates) or ``hull`` (``a`` holds the
    ``(8, 3)`` corners of a box once placed in the world).
    """

    kind: str
    a: Vec
    b: Vec
    radius: float
    color: Rgb


@dataclass(frozen=True, slots=True)
class Rep:
    """What varies from rep to rep: faults, range of motion, which side leads."""

    index: int = 0
    faults: frozenset[str] = frozenset()
    rom: float = 1.0
    variant: str = ""

    def has(self, fault: str) -> bool:
        """True when this rep carries ``fault``."""
        return fault in self.faults


Posed = tuple[Points, list[Prop]]
PoseFn = Callable[[Rig, float, Rep], Posed]


@dataclass(frozen=True, slots=True)
class ExerciseSpec:
    """How to pose one exercise at phase 0..1, its timing, and the faults it can show.

    Phase 0 is the start position and phase 1 the far turning point (bottom of a squat,
    top of a curl). A rep goes 0 -> 1 -> 0. What the exercise is (which phase lifts, its
    main joint angle) is the catalogue's: ``exercise``.

    Attributes:
        name: The catalogue's name of the exercise.
        pose: ``pose(rig, phase, rep) -> (joints, props)`` in stage coordinates.
        out_s: Default seconds for 0 -> 1; ``back_s`` for 1 -> 0.
        pause_turn_s: Hold at the turning point; ``pause_start_s`` between reps.
        faults: Fault codes the pose can put into a rep (the rules' codes), each with a
            line saying what it looks like.
        variants: Named variants (drawn the same label), e.g. ``hammer`` for curls.
        lying: True when the exercise is done lying down.
        head_on_camera: Lens height range (metres) used instead of the usual one when
            a set of this exercise is seen within 30 degrees of head-on; None keeps the
            usual range. Lying on a bench with the feet towards a low camera, the
            knees hide the head and torso and the pose model cannot find the person.
        side_camera: Lens height range used when a set of this exercise is seen within
            30 degrees of side-on (and none is seen head-on); None keeps the usual range.
    """

    name: str
    pose: PoseFn
    out_s: float
    back_s: float
    pause_turn_s: float = 0.2
    pause_start_s: float = 0.3
    faults: Mapping[str, str] = field(default_factory=dict)
    variants: tuple[str, ...] = ()
    lying: bool = False
    head_on_camera: tuple[float, float] | None = None
    side_camera: tuple[float, float] | None = None

    @property
    def exercise(self) -> catalogue.Exercise:
        """The catalogue's entry: which phase lifts, the main joint angle.

        Raises:
            KeyError: the catalogue does not know the exercise.
        """
        entry = catalogue.get(self.name)
        if entry is None:
            raise KeyError(f"the catalogue has no exercise '{self.name}'")
        return entry


def stand_legs(
    rig: Rig,
    trunk: Trunk,
    *,
    stance: float = 1.0,
    toe_out: float = 0.2,
    knee_out: float = 0.25,
    heel_z: float = 0.0,
    valgus: float = 0.0,
    lift: float = 0.0,
) -> None:
    """Both feet flat on the floor, ``stance`` x hip width apart, knees over the toes."""
    b = rig.body
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        fwd = ry(sgn * toe_out) @ FWD
        heel = v(sgn * b.hip_w * 0.5 * stance, lift, heel_z)
        pole = unit(FWD + v(sgn * (knee_out - valgus), 0.0, 0.0))
        rig.leg(trunk, side, rig.ankle_over(heel, fwd), pole, fwd)


def hang_arms(rig: Rig, trunk: Trunk, *, out: float = 0.12, palm_in: bool = True) -> None:
    """Arms hanging by the sides, elbows slightly bent."""
    b = rig.body
    for side, sgn in (("l", 1.0), ("r", -1.0)):
        sh = trunk.pts["shoulder_" + side]
        down = unit(-trunk.up + trunk.left * sgn * out + trunk.fwd * 0.05)
        palm = -trunk.left * sgn if palm_in else trunk.fwd
        rig.arm(trunk, side, sh + down * b.arm * 0.97, -trunk.fwd + UP * 0.0, palm)


def dumbbell(trunk: Trunk, side: str, axis: Vec | None = None, scale: float = 1.0) -> list[Prop]:
    """A dumbbell held in one hand; its handle runs along ``axis`` (thumb side if None)."""
    p = trunk.pts
    centre = p["hand_" + side] * 0.7 + p["thumb_" + side] * 0.3
    if axis is None:
        axis = unit(p["thumb_" + side] - p["pinky_" + side])
    half = 0.09 * scale
    a, b = centre - axis * half, centre + axis * half
    r = 0.045 * scale
    return [
        Prop("capsule", a, b, 0.014, STEEL),
        Prop("capsule", a - axis * 0.015, a + axis * 0.02, r, IRON),
        Prop("capsule", b - axis * 0.02, b + axis * 0.015, r, IRON),
    ]


def barbell(left: Vec, right: Vec, plate_r: float = 0.2) -> list[Prop]:
    """A barbell through two hand positions, with plates."""
    axis = unit(left - right)
    mid = (left + right) / 2
    ends = (mid + axis * 1.0, mid - axis * 1.0)
    out = [Prop("capsule", ends[0], ends[1], 0.016, STEEL)]
    for e, s in ((ends[0], 1.0), (ends[1], -1.0)):
        inner = e - axis * s * 0.2
        out.append(Prop("capsule", inner, inner + axis * s * 0.06, plate_r, IRON))
    return out


def bench(z0: float, z1: float, height: float = 0.45, width: float = 0.3) -> list[Prop]:
    """A flat bench along z."""
    return [
        Prop("box", v(-width / 2, height - 0.07, z0), v(width / 2, height, z1), 0.0, PAD),
        Prop("box", v(-0.04, 0.0, z0 + 0.1), v(0.04, height - 0.07, z0 + 0.18), 0.0, STEEL),
        Prop("box", v(-0.04, 0.0, z1 - 0.18), v(0.04, height - 0.07, z1 - 0.1), 0.0, STEEL),
    ]


def deg(a: float) -> float:
    """Degrees to radians."""
    return math.radians(a)
