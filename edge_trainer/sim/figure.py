"""Turns a posed skeleton into depth-sorted shaded primitives, and finds hidden landmarks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import cv2
import numpy as np
import numpy.typing as npt

from edge_trainer.sim import draw
from edge_trainer.sim.body import Body, Rgb
from edge_trainer.sim.camera import Camera
from edge_trainer.sim.geometry import unit
from edge_trainer.sim.motions.base import Prop
from edge_trainer.sim.skeleton import BLAZEPOSE_INDEX, J

F64 = npt.NDArray[np.float64]
Item = tuple[float, int, Callable[[draw.Image], None]]

# (joint a, joint b, radius a, radius b at 1.75 m, material)
_LIMBS = (
    ("hip_l", "knee_l", 0.078, 0.056, "leg"), ("hip_r", "knee_r", 0.078, 0.056, "leg"),
    ("knee_l", "ankle_l", 0.054, 0.04, "shin"), ("knee_r", "ankle_r", 0.054, 0.04, "shin"),
    ("ankle_l", "heel_l", 0.038, 0.036, "shoe"), ("ankle_r", "heel_r", 0.038, 0.036, "shoe"),
    ("heel_l", "toe_l", 0.04, 0.033, "shoe"), ("heel_r", "toe_r", 0.04, 0.033, "shoe"),
    ("shoulder_l", "elbow_l", 0.05, 0.04, "arm"), ("shoulder_r", "elbow_r", 0.05, 0.04, "arm"),
    ("elbow_l", "wrist_l", 0.04, 0.03, "forearm"), ("elbow_r", "wrist_r", 0.04, 0.03, "forearm"),
    ("wrist_l", "hand_l", 0.03, 0.033, "skin"), ("wrist_r", "hand_r", 0.03, 0.033, "skin"),
    ("hand_l", "index_l", 0.026, 0.019, "skin"), ("hand_r", "index_r", 0.026, 0.019, "skin"),
    ("wrist_l", "thumb_l", 0.015, 0.012, "skin"), ("wrist_r", "thumb_r", 0.015, 0.012, "skin"),
)  # fmt: skip
_LIMB_IDX = np.array([(J[a], J[b]) for a, b, *_ in _LIMBS], dtype=np.intp)
_LIMB_R = np.array([(ra, rb) for _, _, ra, rb, _ in _LIMBS], dtype=np.float64)
_RING = np.linspace(0.0, 2 * np.pi, 10, endpoint=False)
_COS, _SIN = np.cos(_RING), np.sin(_RING)


@dataclass(frozen=True, slots=True)
class Occluders:
    """Body parts that can hide a landmark, in pixels and camera depth."""

    a: F64
    b: F64
    r_px: F64
    depth_a: F64
    depth_b: F64
    margin: F64
    hulls: list[tuple[F64, float, float]]


def materials(body: Body) -> dict[str, draw.Shades]:
    """Shaded colours of each body material."""
    skin = draw.shades(body.skin)
    return {
        "skin": skin,
        "leg": draw.shades(body.pants) if body.long_pants else skin,
        "shin": draw.shades(body.pants) if body.long_pants else skin,
        "shoe": draw.shades(body.shoes),
        "arm": draw.shades(body.shirt) if body.long_sleeves else skin,
        "forearm": draw.shades(body.shirt) if body.long_sleeves else skin,
        "shirt": draw.shades(body.shirt),
        "pants": draw.shades(body.pants),
        "hair": draw.shades(body.hair),
    }


def _ring(c: F64, left: F64, fwd: F64, w: float, d: float) -> F64:
    return np.asarray(c + np.outer(_COS, left * w) + np.outer(_SIN, fwd * d))


class Painter:
    """Collects draw calls keyed by camera depth; ``paint`` draws them far to near."""

    def __init__(self, light: F64) -> None:
        self.light = light
        self.items: list[Item] = []

    def capsule(
        self, depth: float, a: F64, b: F64, radii: tuple[float, float], mat: draw.Shades
    ) -> None:
        """A shaded capsule between pixel points ``a`` and ``b``."""
        fn = partial(draw.capsule, a=a, b=b, ra=radii[0], rb=radii[1], colors=mat, light=self.light)
        self.items.append((float(depth), len(self.items), fn))

    def hull(self, depth: float, pts: F64, mat: draw.Shades) -> None:
        """A shaded convex hull of pixel points."""
        fn = partial(draw.hull, pts=pts, colors=mat, light=self.light)
        self.items.append((float(depth), len(self.items), fn))

    def call(self, depth: float, fn: Callable[[draw.Image], None]) -> None:
        """Any drawing function of the image."""
        self.items.append((float(depth), len(self.items), fn))

    def paint(self, img: draw.Image) -> None:
        """Draw everything, farthest first."""
        self.items.sort(key=lambda it: (-it[0], it[1]))
        for _, _, fn in self.items:
            fn(img)


def _torso(pts: F64, body: Body) -> tuple[F64, F64, F64, F64]:
    """3D outline points of the shirt and the shorts, and their centres."""
    left_u = unit(pts[J["shoulder_l"]] - pts[J["shoulder_r"]])
    up_u = unit(pts[J["neck"]] - pts[J["chest"]])
    fwd_u = unit(np.cross(left_u, up_u))
    left_p = unit(pts[J["hip_l"]] - pts[J["hip_r"]])
    up_p = unit(pts[J["chest"]] - pts[J["pelvis"]])
    fwd_p = unit(np.cross(left_p, up_p))
    pel, che, nek = pts[J["pelvis"]], pts[J["chest"]], pts[J["neck"]]
    waist = (pel + che) / 2
    tw = body.thickness**0.5
    d = body.chest_d * tw
    r_waist = _ring(
        waist, unit(left_u + left_p), unit(fwd_u + fwd_p), body.waist_w / 2 * tw, d * 0.43
    )
    r_chest = _ring(che + up_u * 0.06, left_u, fwd_u, body.chest_w / 2 * tw, d * 0.5)
    r_top = _ring(nek - up_u * 0.025, left_u, fwd_u, body.shoulder_w * 0.47 * tw, d * 0.36)
    r_hips = _ring(pel - up_p * 0.03, left_p, fwd_p, body.hips_w / 2 * tw, d * 0.46)
    shirt = np.concatenate([r_waist, r_chest, r_top])
    shorts = np.concatenate([r_hips, r_waist * 0.9 + r_hips * 0.1])
    return shirt, shorts, (che + waist) / 2, (pel + waist) / 2


def person_items(
    cam: Camera,
    pts: F64,
    body: Body,
    painter: Painter,
    mats: dict[str, draw.Shades],
    *,
    occluders: bool = False,
) -> Occluders | None:
    """Add one person's draw calls (world joints ``pts``) to ``painter``.

    Returns the body's occluders when ``occluders`` is set (for the visibility truth).
    """
    s = body.height / 1.75 * body.thickness
    uv, depth = cam.project(pts)
    f = cam.f
    for (ia, ib), (ra, rb), limb in zip(_LIMB_IDX, _LIMB_R, _LIMBS, strict=True):
        radii = (f * ra * s / depth[ia], f * rb * s / depth[ib])
        painter.capsule((depth[ia] + depth[ib]) / 2, uv[ia], uv[ib], radii, mats[limb[4]])
    # Sleeves and shorts: a slightly wider cloth capsule over the top of the limb.
    cloth = []
    if not body.long_sleeves:
        cloth += [("shoulder_", "elbow_", 0.45, 0.058, 0.052, "shirt")]
    if not body.long_pants:
        cloth += [("hip_", "knee_", 0.6, 0.086, 0.068, "pants")]
    for side in ("l", "r"):
        for top, low, frac, r0, r1, mat in cloth:
            i0, i1 = J[top + side], J[low + side]
            mid = pts[i0] + (pts[i1] - pts[i0]) * frac
            uv_m, d_m = cam.project(mid[None])
            radii = (f * r0 * s / depth[i0], f * r1 * s / d_m[0])
            painter.capsule((depth[i0] + d_m[0]) / 2 - 0.004, uv[i0], uv_m[0], radii, mats[mat])
    # Torso: rings around the spine filled as convex hulls, the right width from any side.
    # Pushed back a little so limbs at the same depth are drawn over it.
    shirt3, shorts3, c_torso, c_pelvis = _torso(pts, body)
    shirt_uv = cam.project(shirt3)[0]
    shorts_uv = cam.project(shorts3)[0]
    (_, _), (torso_d, pelvis_d) = cam.project(np.stack([c_torso, c_pelvis]))
    painter.hull(torso_d + 0.06, shirt_uv, mats["shirt"])
    painter.hull(pelvis_d + 0.065, shorts_uv, mats["pants"])
    # Neck, head, hair, ears, face.
    head = pts[J["head"]]
    nk = J["neck"]
    hd = J["head"]
    painter.capsule(
        (depth[nk] + depth[hd]) / 2 + 0.03, uv[nk], uv[hd],
        (f * 0.05 * s / depth[nk], f * 0.045 * s / depth[hd]), mats["skin"],
    )  # fmt: skip
    hr = body.head_r
    face_dir = unit(pts[J["nose"]] - head)
    hair_c = head + (pts[J["crown"]] - head) * 0.2 - face_dir * hr * 0.22
    (h_uv, hair_uv), (h_d, hair_d) = cam.project(np.stack([head, hair_c]))
    h_px = f * hr / h_d
    painter.capsule(h_d, h_uv, h_uv, (h_px * 0.97, h_px * 0.97), mats["skin"])
    hair_px = f * hr * 0.98 / hair_d
    painter.capsule(hair_d - 0.002, hair_uv, hair_uv, (hair_px, hair_px), mats["hair"])
    for ear in ("ear_l", "ear_r"):
        e = J[ear]
        # An ear beside the head is drawn before it so only its edge shows.
        bias = 0.0 if depth[e] < h_d - hr * 0.3 else hr * 1.5
        painter.capsule(depth[e] + bias, uv[e], uv[e], (h_px * 0.24, h_px * 0.19), mats["skin"])
    if float(face_dir @ unit(cam.position - head)) > -0.1:
        painter.call(h_d - hr * 1.2, partial(_face, uv=uv, pts=pts, cam=cam, h_px=h_px, body=body))
    if not occluders:
        return None
    mrad = _LIMB_R[:, 0] * s
    return Occluders(
        a=uv[_LIMB_IDX[:, 0]],
        b=uv[_LIMB_IDX[:, 1]],
        r_px=f * mrad / depth[_LIMB_IDX[:, 0]] * 0.85,
        depth_a=depth[_LIMB_IDX[:, 0]],
        depth_b=depth[_LIMB_IDX[:, 1]],
        margin=mrad + 0.03,
        hulls=[
            (_hull2d(shirt_uv), float(torso_d), 0.1),
            (_hull2d(shorts_uv), float(pelvis_d), 0.1),
            (_circle(h_uv, h_px), float(h_d), 0.06),
        ],
    )


def _hull2d(pts: F64) -> F64:
    return np.asarray(cv2.convexHull(pts.astype(np.float32)).reshape(-1, 2), dtype=np.float64)


def _circle(c: F64, r: float) -> F64:
    return np.asarray(np.stack([c[0] + r * _COS, c[1] + r * _SIN], -1))


def _face(img: draw.Image, *, uv: F64, pts: F64, cam: Camera, h_px: float, body: Body) -> None:
    """Eyes, brows, nose and mouth on the side of the head that faces the camera."""
    head = pts[J["head"]]
    to_cam = unit(cam.position - head)
    hair = body.hair
    skin = body.skin
    dark_skin: Rgb = (int(skin[0] * 0.7), int(skin[1] * 0.62), int(skin[2] * 0.6))
    up2 = uv[J["crown"]] - uv[J["head"]]
    for eye, inner, outer in (
        ("eye_l", "eye_inner_l", "eye_outer_l"),
        ("eye_r", "eye_inner_r", "eye_outer_r"),
    ):
        e = J[eye]
        if float(unit(pts[e] - head) @ to_cam) < 0.2:
            continue
        draw.ellipse(img, uv[e], (h_px * 0.17, h_px * 0.1), 0.0, (235, 235, 230))
        draw.dot(img, uv[e], h_px * 0.085, (35, 25, 20))
        brow = up2 * 0.2
        draw.line(img, uv[J[inner]] + brow, uv[J[outer]] + brow, h_px * 0.07, hair)
    n = J["nose"]
    if float(unit(pts[n] - head) @ to_cam) > 0.1:
        draw.dot(img, uv[n] - up2 * 0.04, h_px * 0.13, dark_skin)
    ml, mr = J["mouth_l"], J["mouth_r"]
    if float(unit((pts[ml] + pts[mr]) / 2 - head) @ to_cam) > 0.15:
        draw.line(img, uv[ml], uv[mr], h_px * 0.1, (150, 60, 60))


def prop_items(cam: Camera, props: list[Prop], painter: Painter) -> None:
    """Add equipment draw calls to ``painter``."""
    f = cam.f
    for p in props:
        mat = draw.shades(p.color)
        if p.kind == "capsule":
            (ua, ub), (da, db) = cam.project(np.stack([p.a, p.b]))
            painter.capsule((da + db) / 2, ua, ub, (f * p.radius / da, f * p.radius / db), mat)
        else:
            c_uv, c_d = cam.project(p.a.reshape(-1, 3))
            painter.hull(float(c_d.mean()), c_uv, mat)


def visibility(cam: Camera, pts: F64, occ: Occluders) -> tuple[F64, F64, F64]:
    """Normalised x, y, relative z and 0/1 visibility of the 33 BlazePose landmarks."""
    lm = pts[BLAZEPOSE_INDEX]
    uv, d = cam.project(lm)
    x = uv[:, 0] / cam.width
    y = uv[:, 1] / cam.height
    hips = (pts[J["hip_l"]] + pts[J["hip_r"]]) / 2
    hip_d = float(cam.project(hips[None])[1][0])
    z = (d - hip_d) * cam.f / (hip_d * cam.width)
    inside = (x >= 0) & (x <= 1) & (y >= 0) & (y <= 1) & (d > 0.05)
    ab = occ.b - occ.a
    ll = np.maximum((ab * ab).sum(1), 1e-9)
    rel = uv[:, None, :] - occ.a[None]
    t = np.clip((rel * ab[None]).sum(2) / ll[None], 0.0, 1.0)
    near = occ.a[None] + t[..., None] * ab[None]
    dist = np.hypot(*(uv[:, None, :] - near).transpose(2, 0, 1))
    cap_d = occ.depth_a[None] + t * (occ.depth_b - occ.depth_a)[None]
    hidden = ((dist < occ.r_px[None]) & (cap_d < d[:, None] - occ.margin[None])).any(1)
    for poly, hd, margin in occ.hulls:
        behind = d > hd + margin
        if not behind.any():
            continue
        contour = poly.astype(np.float32).reshape(-1, 1, 2)
        for i in np.nonzero(behind)[0]:
            if cv2.pointPolygonTest(contour, (float(uv[i, 0]), float(uv[i, 1])), False) > 0:
                hidden[i] = True
    vis = (inside & ~hidden).astype(np.float64)
    return np.stack([x, y], 1), z, vis
