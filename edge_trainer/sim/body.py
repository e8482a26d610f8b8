"""The mannequin's body: proportions, thickness and colours, sampled from a seed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Rgb = tuple[int, int, int]

SKIN_TONES: tuple[Rgb, ...] = (
    (241, 194, 160), (224, 172, 130), (198, 134, 96), (168, 112, 78),
    (141, 85, 54), (110, 68, 45), (233, 185, 150), (190, 140, 110),
)  # fmt: skip
HAIR: tuple[Rgb, ...] = ((40, 28, 20), (70, 45, 25), (20, 18, 18), (120, 80, 40), (150, 120, 80))
SHIRTS: tuple[Rgb, ...] = (
    (200, 40, 40), (40, 90, 180), (30, 140, 80), (230, 230, 230), (50, 50, 60),
    (240, 150, 30), (120, 60, 150), (20, 150, 170), (90, 90, 95),
)  # fmt: skip
PANTS: tuple[Rgb, ...] = ((35, 35, 45), (30, 50, 100), (70, 70, 75), (20, 20, 20), (90, 60, 40))
SHOES: tuple[Rgb, ...] = ((245, 245, 245), (30, 30, 30), (200, 60, 40), (60, 80, 160))


@dataclass(frozen=True, slots=True)
class Body:
    """Segment lengths (metres), radii and colours of one mannequin.

    Lengths scale with ``height``; ``thickness`` scales every radius (a slim or a heavy
    build). Colours are RGB.
    """

    height: float = 1.75
    thigh: float = 0.43
    shin: float = 0.43
    upper_arm: float = 0.33
    forearm: float = 0.26
    hand: float = 0.17
    foot: float = 0.26
    ankle_h: float = 0.075
    lumbar: float = 0.23
    thoracic: float = 0.26
    neck: float = 0.08
    head_r: float = 0.108
    shoulder_w: float = 0.36
    hip_w: float = 0.18
    chest_w: float = 0.34
    chest_d: float = 0.22
    waist_w: float = 0.29
    hips_w: float = 0.34
    thickness: float = 1.0
    skin: Rgb = (224, 172, 130)
    hair: Rgb = (40, 28, 20)
    shirt: Rgb = (40, 90, 180)
    pants: Rgb = (35, 35, 45)
    shoes: Rgb = (245, 245, 245)
    long_pants: bool = False
    long_sleeves: bool = False

    @property
    def leg(self) -> float:
        """Hip joint to ankle with the knee straight."""
        return self.thigh + self.shin

    @property
    def arm(self) -> float:
        """Shoulder to wrist with the elbow straight."""
        return self.upper_arm + self.forearm

    @property
    def hip_height(self) -> float:
        """Height of the hip joints standing straight."""
        return self.leg + self.ankle_h

    def r(self, base: float) -> float:
        """A limb radius for this build."""
        return base * self.thickness * self.height / 1.75


def standard_body(height: float = 1.75) -> Body:
    """A body of average proportions scaled to ``height``."""
    return sample_body(None, height)


def sample_body(rng: np.random.Generator | None, height: float | None = None) -> Body:
    """A body with proportions and colours drawn from ``rng`` (average when None).

    Args:
        rng: Random source; None gives the average body with default colours.
        height: Fixed height in metres; drawn from 1.5-2.0 m when None.
    """

    def jit(spread: float) -> float:
        return 1.0 + (float(rng.uniform(-spread, spread)) if rng is not None else 0.0)

    if height is None:
        height = float(rng.uniform(1.5, 2.0)) if rng is not None else 1.75
    h = height
    width = jit(0.08)
    kw: dict[str, object] = {}
    if rng is not None:

        def pick(options: tuple[Rgb, ...]) -> Rgb:
            return options[int(rng.integers(len(options)))]

        kw = {
            "skin": pick(SKIN_TONES),
            "hair": pick(HAIR),
            "shirt": pick(SHIRTS),
            "pants": pick(PANTS),
            "shoes": pick(SHOES),
            "long_pants": bool(rng.random() < 0.4),
            "long_sleeves": bool(rng.random() < 0.2),
            "thickness": float(rng.uniform(0.85, 1.25)),
        }
    return Body(
        height=h,
        thigh=0.245 * h * jit(0.04),
        shin=0.246 * h * jit(0.04),
        upper_arm=0.186 * h * jit(0.04),
        forearm=0.146 * h * jit(0.04),
        hand=0.097 * h,
        foot=0.148 * h,
        ankle_h=0.043 * h,
        lumbar=0.13 * h * jit(0.04),
        thoracic=0.15 * h * jit(0.04),
        neck=0.045 * h,
        head_r=0.062 * h * jit(0.03),
        shoulder_w=0.205 * h * width,
        hip_w=0.1 * h * width,
        chest_w=0.195 * h * width,
        chest_d=0.125 * h,
        waist_w=0.165 * h * width,
        hips_w=0.19 * h * width,
        **kw,  # type: ignore[arg-type]
    )
