"""Renders a clip spec frame by frame and computes its ground truth."""

from __future__ import annotations

import dataclasses
import logging
import math
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from edge_trainer.sim.body import sample_body
from edge_trainer.sim.figure import Painter, materials, person_items, prop_items, visibility
from edge_trainer.sim.geometry import ry, v
from edge_trainer.sim.motions import Prop
from edge_trainer.sim.motions import activities as act
from edge_trainer.sim.scene import NoiseBank, background
from edge_trainer.sim.skeleton import Rig, blend, bone_lengths
from edge_trainer.sim.spec import ClipSpec
from edge_trainer.sim.timeline import build_timeline, floor_point
from edge_trainer.sim.truth import Truth

log = logging.getLogger(__name__)

Image = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]

# A person counts as in view (landmarks recorded) when this many of the 33 are in frame.
MIN_IN_FRAME = 17


class Renderer:
    """Draws the frames of one clip; random access, deterministic in the spec's seed."""

    def __init__(self, spec: ClipSpec) -> None:
        self.spec = spec
        self.timeline = tl = build_timeline(spec)
        rng = np.random.default_rng(np.random.SeedSequence(spec.seed).spawn(4)[3])
        cam = tl.camera
        self.background = background(cam, spec.background, tl.station_z, rng)
        self.noise = NoiseBank(cam.height, cam.width, spec.noise, rng)
        ang = math.radians(float(rng.uniform(200, 250)))
        self.light = np.array([math.cos(ang), math.sin(ang)])
        self.mats = materials(tl.body)
        self._lengths = bone_lengths(tl.points[0])
        self._truth: Truth | None = None
        self._card: Image | None = None
        fp = floor_point(tl.points[0])
        uv, _ = cam.project(fp[None])
        x, y = np.clip(uv[0].astype(int), 0, [cam.width - 1, cam.height - 1])
        self._shadow = tuple(int(c * 0.72) for c in self.background[y, x])
        self.occluder: list[Prop] = []
        if spec.occluder:
            side = 1.0 if rng.random() < 0.5 else -1.0
            z0 = 1.1 + float(rng.uniform(0.0, 0.4))
            a, b = v(side * 0.05, 0.0, z0), v(side * 0.5, 0.55, z0 + 0.35)
            corners = np.array(
                [[x_, y_, z_] for x_ in (a[0], b[0]) for y_ in (a[1], b[1]) for z_ in (a[2], b[2])]
            )
            self.occluder = [Prop("hull", corners, b, 0.0, (150, 110, 60))]
        self.second: dict[int, F64] = {}
        if spec.second_person:
            self._second_person(rng)

    def _second_person(self, rng: np.random.Generator) -> None:
        tl = self.timeline
        body = sample_body(rng)
        rig = Rig(body)
        self._second_mats = materials(body)
        self._second_body = body
        z = tl.station_z + 1.7
        half = z * math.tan(math.radians(tl.camera.hfov_deg) / 2) + 0.8
        speed = act.walk_speed(rig)
        n = round(2 * half / speed * tl.fps)
        start = int(rng.integers(0, max(1, len(tl.points) - n // 2)))
        side = 1.0 if rng.random() < 0.5 else -1.0
        rot = ry(-side * math.pi / 2)
        for i in range(n):
            if start + i >= len(tl.points):
                break
            p, _ = act.walk(rig, i / tl.fps, 0.3)
            self.second[start + i] = np.asarray(p @ rot.T + v(side * half, 0.0, z))

    @property
    def frames(self) -> int:
        """Number of frames in the clip."""
        return int(self.timeline.points.shape[0])

    @property
    def fps(self) -> float:
        """Frame rate."""
        return self.timeline.fps

    def _draw(self, img: Image, pts: F64, props: tuple[Prop, ...], index: int) -> None:
        tl = self.timeline
        cam = tl.camera
        fp = floor_point(pts)
        ring = np.array(
            [
                [math.cos(a) * 0.45, 0.0, math.sin(a) * 0.3]
                for a in np.linspace(0, 2 * math.pi, 12, endpoint=False)
            ]
        )
        suv, _ = cam.project(ring + fp)
        cv2.fillConvexPoly(img, (suv * 16).astype(np.int32), self._shadow, cv2.LINE_AA, 4)
        painter = Painter(self.light)
        person_items(cam, pts, tl.body, painter, self.mats)
        prop_items(cam, [*props, *self.occluder], painter)
        other = self.second.get(index)
        if other is not None:
            person_items(cam, other, self._second_body, painter, self._second_mats)
        painter.paint(img)

    def render(self, index: int, t: float | None = None) -> Image:
        """RGB frame ``index`` (``t`` is accepted for ``SyntheticSource`` and ignored)."""
        if not 0 <= index < self.frames:
            raise IndexError(f"frame {index} is outside 0..{self.frames - 1}")
        tl = self.timeline
        img = self.background.copy()
        self._draw(img, tl.points[index], tl.props[index], index)
        if self.spec.blur and index > 0:
            prev = self.background.copy()
            mid = blend(tl.points[index - 1], tl.points[index], 0.5, self._lengths)
            self._draw(prev, mid, tl.props[index], index)
            cv2.addWeighted(img, 0.5, prev, 0.5, 0.0, dst=img)
        if self.spec.card_id and index / self.fps < self.spec.card_s:
            img = self._hold_card(img, index / self.fps)
        return self.noise.apply(img, index)

    def _hold_card(self, img: Image, t: float) -> Image:
        """The member's card held up close to the camera, off to the side, a little
        unsteady, as someone shows it before stepping back to train."""
        from edge_trainer.sim.card import CardPose, card_texture, hold_card

        if self._card is None:
            self._card = card_texture(self.spec.card_id)
        w, h = self.spec.width, self.spec.height
        wobble = math.sin(2 * math.pi * 0.7 * t)
        pose = CardPose(
            width_px=0.22 * w,
            centre=(0.72 * w + 4 * wobble, 0.42 * h + 3 * math.cos(2 * math.pi * 0.5 * t)),
            roll_deg=8 + 3 * wobble,
            yaw_deg=-12 + 4 * wobble,
            pitch_deg=6,
        )
        return hold_card(img, self._card, pose)

    def truth(self) -> Truth:
        """The clip's ground truth (computed once)."""
        if self._truth is not None:
            return self._truth
        tl = self.timeline
        cam = tl.camera
        n = self.frames
        lm = np.full((n, 33, 4), np.nan, np.float32)
        occ_hulls: list[tuple[F64, float, float]] = []
        for p in self.occluder:
            uv, d = cam.project(p.a)
            hull = cv2.convexHull(uv.astype(np.float32)).reshape(-1, 2).astype(np.float64)
            occ_hulls.append((hull, float(d.max()), 0.0))
        for i in range(n):
            occ = person_items(
                cam, tl.points[i], tl.body, Painter(self.light), self.mats, occluders=True
            )
            assert occ is not None
            occ.hulls.extend(occ_hulls)
            xy, z, vis = visibility(cam, tl.points[i], occ)
            inside = (xy >= 0).all(1) & (xy <= 1).all(1)
            if int(inside.sum()) < MIN_IN_FRAME:
                continue
            lm[i, :, :2] = xy
            lm[i, :, 2] = z
            lm[i, :, 3] = vis
        self._truth = Truth(
            fps=tl.fps,
            width=cam.width,
            height=cam.height,
            landmarks=lm,
            segments=tl.segments,
            sets=tl.sets,
            seed=self.spec.seed,
            spec=spec_summary(self.spec),
        )
        return self._truth


def spec_summary(spec: ClipSpec) -> dict[str, Any]:
    """The spec as plain JSON types (floats rounded so the text is stable)."""

    def clean(x: Any) -> Any:
        if isinstance(x, float):
            return round(x, 6)
        if isinstance(x, dict):
            return {k: clean(val) for k, val in x.items()}
        if isinstance(x, (list, tuple)):
            return [clean(val) for val in x]
        return x

    doc = dataclasses.asdict(spec)
    if not spec.card_id:  # clips without a card keep the keys they were cached under
        del doc["card_id"], doc["card_s"]
    doc["segments"] = [{"type": type(s).__name__, **dataclasses.asdict(s)} for s in spec.segments]
    return dict(clean(doc))
