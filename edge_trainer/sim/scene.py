"""The room around the person: wall, floor, gym clutter, sensor noise, extra people."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from edge_trainer.sim.body import Rgb
from edge_trainer.sim.camera import Camera
from edge_trainer.sim.geometry import v

Image = npt.NDArray[np.uint8]

WALLS: tuple[Rgb, ...] = (
    (205, 200, 190),
    (180, 190, 200),
    (150, 150, 155),
    (220, 215, 205),
    (120, 130, 120),
)
FLOORS: tuple[Rgb, ...] = (
    (110, 100, 90),
    (60, 60, 65),
    (140, 110, 80),
    (90, 95, 100),
    (45, 45, 50),
)


def _pick(rng: np.random.Generator, options: tuple[Rgb, ...]) -> Rgb:
    return options[int(rng.integers(len(options)))]


def background(cam: Camera, kind: str, station_z: float, rng: np.random.Generator) -> Image:
    """A static room: wall to ``station_z + 2.5`` m, floor below, optional gym clutter."""
    w, h = cam.width, cam.height
    wall = np.array(_pick(rng, WALLS), np.float32)
    floor = np.array(_pick(rng, FLOORS), np.float32)
    wall_z = station_z + float(rng.uniform(1.8, 3.2))
    uv, _ = cam.project(np.array([[0.0, 0.0, wall_z]]))
    horizon = int(np.clip(uv[0, 1], 0, h))
    img = np.empty((h, w, 3), np.float32)
    rows = np.arange(h, dtype=np.float32)[:, None]
    if kind == "plain":
        img[:horizon] = wall
    else:
        shade = 0.75 + 0.3 * rows[:horizon] / max(h, 1)
        img[:horizon] = wall[None, None, :] * shade[:, :, None]
    # The floor gets lighter towards the camera, as light falls off on a real floor.
    fshade = 0.85 + 0.25 * (rows[horizon:] - horizon) / max(h - horizon, 1)
    img[horizon:] = floor[None, None, :] * fshade[:, :, None]
    out = np.clip(img, 0, 255).astype(np.uint8)
    cv2.line(out, (0, horizon), (w, horizon), tuple(int(c * 0.6) for c in wall), 2)
    if kind == "gym":
        _clutter(out, cam, wall_z, horizon, rng)
    return out


def _clutter(
    img: Image, cam: Camera, wall_z: float, horizon: int, rng: np.random.Generator
) -> None:
    """Racks, a mirror, posters and a mat: shapes a gym has, none of them person-like."""
    w = cam.width
    f = cam.f
    scale = f / wall_z
    for _ in range(int(rng.integers(2, 5))):
        kind = int(rng.integers(3))
        x = float(rng.uniform(-3.0, 3.0))
        x0 = int(w / 2 - x * scale)
        if kind == 0:  # a dumbbell rack: a frame with rows of round weights
            rw, rh = int(1.2 * scale), int(0.9 * scale)
            top = horizon - rh
            cv2.rectangle(img, (x0, top), (x0 + rw, horizon), (70, 70, 75), 3)
            for row in range(2):
                y = top + int((0.3 + 0.4 * row) * rh)
                for k in range(6):
                    cx = x0 + int((k + 0.5) * rw / 6)
                    cv2.circle(
                        img, (cx, y), max(2, int(0.07 * scale)), (40, 40, 45), -1, cv2.LINE_AA
                    )
        elif kind == 1:  # a mirror or window
            mw, mh = int(float(rng.uniform(0.8, 2.0)) * scale), int(1.3 * scale)
            top = horizon - int(2.0 * scale)
            col = tuple(int(c) for c in rng.integers(170, 235, 3))
            cv2.rectangle(img, (x0, top), (x0 + mw, top + mh), col, -1)
            cv2.rectangle(img, (x0, top), (x0 + mw, top + mh), (90, 90, 90), 2)
        else:  # a poster
            pw, ph = int(0.5 * scale), int(0.7 * scale)
            top = horizon - int(float(rng.uniform(1.5, 2.2)) * scale)
            col = tuple(int(c) for c in rng.integers(30, 230, 3))
            cv2.rectangle(img, (x0, top), (x0 + pw, top + ph), col, -1)
    # A floor mat around the station.
    mat = np.array([[-1.0, 0.0, -1.0], [1.0, 0.0, -1.0], [1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]])
    uv, _ = cam.project(mat + v(0.0, 0.001, wall_z - 2.5))
    col = tuple(int(c) for c in rng.integers(20, 90, 3))
    cv2.fillConvexPoly(img, uv.astype(np.int32), col, cv2.LINE_AA)


class NoiseBank:
    """A few precomputed noise frames, added with saturation (cheap per frame)."""

    def __init__(
        self, h: int, w: int, sigma: float, rng: np.random.Generator, count: int = 6
    ) -> None:
        self.frames: list[tuple[Image, Image]] = []
        for _ in range(count if sigma > 0 else 0):
            n = rng.normal(0.0, sigma, (h, w, 1)).astype(np.float32)
            n = np.repeat(n, 3, axis=2) + rng.normal(0.0, sigma * 0.4, (h, w, 3)).astype(np.float32)
            pos = np.clip(n, 0, 255).astype(np.uint8)
            neg = np.clip(-n, 0, 255).astype(np.uint8)
            self.frames.append((pos, neg))

    def apply(self, img: Image, index: int) -> Image:
        """``img`` with noise frame ``index`` added."""
        if not self.frames:
            return img
        pos, neg = self.frames[index % len(self.frames)]
        cv2.add(img, pos, dst=img)
        cv2.subtract(img, neg, dst=img)
        return img
