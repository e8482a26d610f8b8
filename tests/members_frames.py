"""Frames with a member card held up: sim gym scenes, real photos and the scanner's verdicts."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
import numpy.typing as npt

from edge_trainer.sim.card import CardPose, card_corners, hold_card

Image = npt.NDArray[np.uint8]


def random_pose(
    rng: np.random.Generator, texture: Image, size: tuple[int, int], width_px: float
) -> CardPose:
    """A card facing the camera (turned up to 25 degrees, rolled up to 30), all in frame."""
    w, h = size
    while True:
        pose = CardPose(
            width_px,
            (float(rng.uniform(0.1, 0.9) * w), float(rng.uniform(0.1, 0.8) * h)),
            float(rng.uniform(-30, 30)),
            float(rng.uniform(-25, 25)),
            float(rng.uniform(-20, 20)),
        )
        corners = card_corners(texture, pose)
        if corners.min() >= 0 and corners[:, 0].max() < w and corners[:, 1].max() < h:
            return pose


def camera_like(image: Image, rng: np.random.Generator) -> Image:
    """A little lens blur and sensor noise, as the camera adds to everything."""
    blurred = cv2.GaussianBlur(image, (0, 0), 0.6)
    noise = rng.integers(-4, 5, blurred.shape, dtype=np.int16)
    out: Image = np.clip(blurred.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    return out


def with_cards(
    backgrounds: list[Image], texture: Image, width_frac: float, seed: int
) -> Iterator[Image]:
    """Each background (RGB) with the card warped in at a random pose, ``width_frac`` of
    the frame wide."""
    rng = np.random.default_rng(seed)
    for bg in backgrounds:
        h, w = bg.shape[:2]
        pose = random_pose(rng, texture, (w, h), width_frac * w)
        yield camera_like(hold_card(bg, texture, pose), rng)
