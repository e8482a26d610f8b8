"""A member card held up to the camera: the printed card warped into a frame with a hand."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from edge_trainer.members.card import CARD_MM, CARD_MODULES, card_face

Image = npt.NDArray[np.uint8]

SKIN = (198, 150, 120)
_FACE_PX = 12  # pixels a module in the card texture before it is warped


@dataclass(frozen=True, slots=True)
class CardPose:
    """Where a card is in the frame.

    Attributes:
        width_px: Width of the card (its short side, facing the camera) in pixels.
        centre: Centre of the card's printed square in pixels ``(x, y)``.
        roll_deg: Turn in the image plane.
        yaw_deg: Turn about the card's vertical axis, away from facing the camera.
        pitch_deg: Tilt about its horizontal axis.
    """

    width_px: float
    centre: tuple[float, float]
    roll_deg: float = 0.0
    yaw_deg: float = 0.0
    pitch_deg: float = 0.0


def card_texture(member_id: str) -> Image:
    """The card as seen from the front, grey: the printed square and the white card below."""
    face = card_face(member_id, _FACE_PX)
    height = round(face.shape[1] * CARD_MM[1] / CARD_MM[0])
    card = np.full((height, face.shape[1]), 250, np.uint8)
    card[: face.shape[0]] = np.minimum(face, 250)
    return card


def card_corners(texture: Image, pose: CardPose) -> npt.NDArray[np.float32]:
    """Image positions of the texture's four corners for ``pose`` (a pinhole view)."""
    h, w = texture.shape[:2]
    scale = pose.width_px / w
    # The card's own plane, centred on the printed square's centre, in pixels.
    cx, cy = w / 2, w / 2
    local = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64) - (cx, cy)
    local *= scale
    pts = np.column_stack([local, np.zeros(4)])
    yaw, pitch, roll = (math.radians(a) for a in (pose.yaw_deg, pose.pitch_deg, pose.roll_deg))
    ry = np.array(
        [[math.cos(yaw), 0, math.sin(yaw)], [0, 1, 0], [-math.sin(yaw), 0, math.cos(yaw)]]
    )
    rx = np.array(
        [[1, 0, 0], [0, math.cos(pitch), -math.sin(pitch)], [0, math.sin(pitch), math.cos(pitch)]]
    )
    rz = np.array(
        [[math.cos(roll), -math.sin(roll), 0], [math.sin(roll), math.cos(roll), 0], [0, 0, 1]]
    )
    pts = pts @ (rz @ rx @ ry).T
    # Perspective from a lens about six card widths away, as an arm's length is.
    depth = 6.0 * pose.width_px
    f = depth / (depth + pts[:, 2])
    xy: npt.NDArray[np.float32] = (pts[:, :2] * f[:, None] + pose.centre).astype(np.float32)
    return xy


def hold_card(frame: Image, texture: Image, pose: CardPose, *, hand: bool = True) -> Image:
    """``frame`` (RGB) with the card warped in at ``pose``, held by a thumb at its lower edge.

    The card is drawn with anti-aliased edges (area-averaged when it is small), as a
    camera would see it.
    """
    h, w = texture.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    dst = card_corners(texture, pose)
    matrix = cv2.getPerspectiveTransform(src, dst)
    size = (frame.shape[1], frame.shape[0])
    # Shrinking a texture many times over: blur it first so the warp averages, not aliases.
    sigma = 0.5 * w / max(1.0, pose.width_px)
    tex = cv2.GaussianBlur(texture, (0, 0), sigma) if sigma > 0.7 else texture
    warped = cv2.warpPerspective(tex, matrix, size, flags=cv2.INTER_LINEAR)
    alpha = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, size)
    a = (alpha.astype(np.float32) / 255.0)[..., None]
    out: npt.NDArray[np.float32] = (
        frame.astype(np.float32) * (1 - a) + warped.astype(np.float32)[..., None] * a
    ).astype(np.float32)
    if hand:
        # A thumb over the card's lower edge, below the printed square.
        bottom = (dst[2] + dst[3]) / 2
        top = (dst[0] + dst[1]) / 2
        down = bottom - top
        thumb = top + 0.85 * down
        radius = max(2, round(0.12 * pose.width_px))
        end = thumb + 0.35 * down
        cv2.line(out, tuple(map(int, thumb)), tuple(map(int, end)), SKIN, 2 * radius)
        cv2.circle(out, tuple(map(int, thumb)), radius, SKIN, -1)
    result: Image = np.clip(out, 0, 255).astype(np.uint8)
    return result


def card_modules_px(pose: CardPose) -> float:
    """Pixels a module of the card's code spans at ``pose`` (facing the camera)."""
    return pose.width_px / CARD_MODULES


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
