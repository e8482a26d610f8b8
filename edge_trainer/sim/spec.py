"""What to render: clip, set and activity specs, and parsers for the CLI's view and fault syntax."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from edge_trainer.errors import InputError
from edge_trainer.exercise import catalogue
from edge_trainer.members.registry import valid_id
from edge_trainer.sim.body import Body
from edge_trainer.sim.faults import faults_for
from edge_trainer.sim.motions import SPECS

VIEWS = {"front": 0.0, "45": 45.0, "diagonal": 45.0, "side": 90.0, "back": 180.0}
ACTIVITY_KINDS = ("stand", "walk_in", "walk_out", "stretch", "pick_up", "sit")
BACKGROUNDS = ("plain", "gradient", "gym")


@dataclass(frozen=True, slots=True)
class SetSpec:
    """One set of one exercise.

    Attributes:
        exercise: An exercise with a motion (``sim.exercises()``).
        reps: Number of repetitions.
        view: Degrees the person is turned from facing the camera (0 front, 45, 90 side;
            negative turns the other way).
        faults: ``(rep number from 1, fault code)`` pairs.
        variant: Exercise variant, e.g. ``hammer`` for ``bicep_curl``.
        tempo: Speed factor (2.0 is twice as fast).
        fatigue: How much slower the last rep is than the first (0.25 = 25%).
        variation: Rep-to-rep spread of timing and range of motion.
    """

    exercise: str
    reps: int = 8
    view: float = 0.0
    faults: tuple[tuple[int, str], ...] = ()
    variant: str = ""
    tempo: float = 1.0
    fatigue: float = 0.25
    variation: float = 0.08

    def rep_faults(self, rep: int) -> frozenset[str]:
        """Fault codes of rep number ``rep`` (1-based)."""
        return frozenset(code for n, code in self.faults if n == rep)


@dataclass(frozen=True, slots=True)
class ActivitySpec:
    """Non-exercise movement (labelled ``rest``): one of ``ACTIVITY_KINDS``."""

    kind: str
    seconds: float = 2.0
    view: float = 0.0


Segment = SetSpec | ActivitySpec


@dataclass(frozen=True, slots=True)
class ClipSpec:
    """A whole clip: the segments in order plus camera and scene options.

    Attributes:
        segments: Sets and activities; the renderer adds turns and get-downs between.
        seed: Drives the body, timing jitter, camera height and scene.
        width: Frame width in pixels; ``height`` likewise.
        fps: Frame rate.
        camera_height: Lens height in metres; None picks 0.75-1.35 m from the seed.
        distance_scale: 1.0 puts the camera as close as framing the whole movement
            allows; larger values move it back (a smaller person in the frame).
        background: ``plain``, ``gradient`` or ``gym``.
        noise: Sensor noise standard deviation in grey levels (0 for none).
        blur: Blend each frame with the half-frame before it (motion blur).
        second_person: Someone walks past behind the person.
        occluder: A box in the foreground hides part of the frame.
        body: A fixed body; None samples one from the seed.
        card_id: A member id: its card is held up to the camera at the clip's start.
        card_s: Seconds the card is held up.
    """

    segments: tuple[Segment, ...]
    seed: int = 0
    width: int = 640
    height: int = 480
    fps: float = 30.0
    camera_height: float | None = None
    distance_scale: float = 1.0
    background: str = "gym"
    noise: float = 2.0
    blur: bool = False
    second_person: bool = False
    occluder: bool = False
    body: Body | None = field(default=None)
    card_id: str = ""
    card_s: float = 0.0

    def validate(self) -> None:
        """Raise InputError on anything the renderer cannot do."""
        if not self.segments:
            raise InputError("a clip needs at least one segment")
        if not (64 <= self.width <= 4096 and 64 <= self.height <= 4096):
            raise InputError(f"frame size {self.width}x{self.height} is out of range")
        if not 1.0 <= self.fps <= 240.0:
            raise InputError(f"fps {self.fps} is out of range (1-240)")
        if not 1.0 <= self.distance_scale <= 5.0:
            raise InputError(f"distance_scale {self.distance_scale} is out of range (1-5)")
        if self.card_id and (not valid_id(self.card_id) or not 0 < self.card_s <= 60):
            raise InputError("a card needs a member id and 0-60 seconds to be shown")
        if self.background not in BACKGROUNDS:
            raise InputError(f"unknown background '{self.background}' ({', '.join(BACKGROUNDS)})")
        for seg in self.segments:
            if isinstance(seg, SetSpec):
                if seg.exercise not in SPECS:
                    raise InputError(
                        f"unknown exercise '{seg.exercise}'; known: {', '.join(SPECS)}"
                    )
                if not 1 <= seg.reps <= 200:
                    raise InputError(f"reps must be 1-200, not {seg.reps}")
                if seg.tempo <= 0:
                    raise InputError("tempo must be positive")
                for n, code in seg.faults:
                    if code not in faults_for(seg.exercise):
                        raise InputError(f"fault '{code}' does not belong to {seg.exercise}")
                    if not 1 <= n <= seg.reps:
                        raise InputError(f"fault {code} is on rep {n} of a {seg.reps}-rep set")
            elif seg.kind not in ACTIVITY_KINDS or not 0 < seg.seconds <= 600:
                raise InputError(f"bad activity {seg.kind} for {seg.seconds} s")


def parse_view(text: str | float) -> float:
    """``front``, ``45``, ``side`` or any number of degrees."""
    if isinstance(text, (int, float)):
        return float(text)
    key = text.strip().lower()
    if key in VIEWS:
        return VIEWS[key]
    try:
        value = float(key)
    except ValueError:
        raise InputError(f"unknown view '{text}': use front, 45, side or degrees") from None
    if not math.isfinite(value):
        raise InputError(f"unknown view '{text}'")
    return value


def parse_faults(exercise: str, items: list[str] | tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    """Parse ``shallow@3,5`` (or ``squat_shallow@3,5``) items into (rep, code) pairs."""
    out: list[tuple[int, str]] = []
    for item in items:
        for part in item.replace(";", " ").split():
            name, sep, reps = part.partition("@")
            if not sep or not reps:
                raise InputError(f"fault '{part}' needs reps, e.g. shallow@3,5")
            code = name if name.startswith(exercise + "_") else f"{exercise}_{name}"
            if code not in faults_for(exercise):
                known = [c.removeprefix(exercise + "_") for c in faults_for(exercise)]
                raise InputError(
                    f"unknown fault '{name}' for {exercise}; known: {', '.join(known) or 'none'}"
                )
            for r in reps.split(","):
                try:
                    out.append((int(r), code))
                except ValueError:
                    raise InputError(f"bad rep number '{r}' in '{part}'") from None
    return tuple(sorted(set(out)))


def single_set(
    exercise: str,
    reps: int = 8,
    view: float | str = 0.0,
    *,
    faults: tuple[tuple[int, str], ...] = (),
    seed: int = 0,
    lead_in_s: float = 1.0,
    variant: str = "",
    tempo: float = 1.0,
    **options: Any,
) -> ClipSpec:
    """A clip of one set with ``lead_in_s`` of standing before and after.

    ``options`` are ``ClipSpec`` fields (width, fps, background, ...).
    """
    view_deg = parse_view(view)
    segs: list[Segment] = [SetSpec(exercise, reps, view_deg, faults, variant, tempo)]
    if lead_in_s > 0:
        stand = ActivitySpec("stand", lead_in_s, view_deg)
        segs = [stand, *segs, stand]
    return ClipSpec(tuple(segs), seed=seed, **options)


def workout(seed: int = 0, **options: Any) -> ClipSpec:
    """A short session: walk in, squats, a rest, push-ups, walk out.

    The rest between the sets (standing, stretching, picking up dumbbells or sitting)
    changes with the seed, so a batch of workouts covers every kind of ``rest``.
    """
    rest = ("stand", "stretch", "pick_up", "sit")[seed % 4]
    return ClipSpec(
        (
            ActivitySpec("walk_in"),
            ActivitySpec("stand", 1.0, 45.0),
            SetSpec("squat", 6, 45.0, ((4, "squat_shallow"),)),
            ActivitySpec(rest, 3.0, 45.0),
            SetSpec("push_up", 5, 90.0, ((3, "push_up_hip_sag"),)),
            ActivitySpec("stand", 1.5, 20.0),
            ActivitySpec("walk_out"),
        ),
        seed=seed,
        **options,
    )


def random_clip(seed: int, exercises: tuple[str, ...] = (), **options: Any) -> ClipSpec:
    """A varied training clip: a rest activity, one set, another rest activity.

    Exercise (one of ``exercises``, by default those the classifier knows), view (-100 to
    100 degrees), reps (3-10), tempo, faults (each fault of the exercise on about a
    quarter of the reps), rest kinds, camera height, background, noise, blur and a
    passer-by all come from ``seed``; ``options`` override clip fields.
    """
    rng = random.Random(seed)
    exercise = rng.choice(exercises or catalogue.labels())
    reps = rng.randint(3, 10)
    view = round(rng.uniform(-100.0, 100.0), 1)
    faults = tuple(
        (n, code)
        for code in faults_for(exercise)
        for n in range(1, reps + 1)
        if rng.random() < 0.25
    )
    variant = "hammer" if exercise == "bicep_curl" and rng.random() < 0.3 else ""
    rests = ("stand", "stretch", "pick_up", "sit", "stand")
    segs: tuple[Segment, ...] = (
        ActivitySpec(rng.choice(rests), round(rng.uniform(1.0, 3.0), 2), view),
        SetSpec(exercise, reps, view, faults, variant, round(rng.uniform(0.75, 1.35), 2),
                round(rng.uniform(0.0, 0.4), 2), round(rng.uniform(0.03, 0.12), 3)),
        ActivitySpec(rng.choice(rests), round(rng.uniform(1.0, 3.0), 2), view),
    )  # fmt: skip
    clip: dict[str, Any] = {
        "camera_height": round(rng.uniform(0.6, 1.6), 2),
        "distance_scale": round(rng.uniform(1.0, 1.5), 2),
        "background": rng.choice(BACKGROUNDS),
        "noise": round(rng.uniform(0.0, 4.0), 1),
        "blur": rng.random() < 0.2,
        "second_person": rng.random() < 0.15,
    }
    clip.update(options)
    return ClipSpec(segs, seed=seed, **clip)
