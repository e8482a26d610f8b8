"""Shaded 2D primitives drawn with OpenCV: capsules, spheres and convex hulls."""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

from edge_trainer.sim.body import Rgb

Image = npt.NDArray[np.uint8]
Shades = tuple[Rgb, Rgb, Rgb]

_SHIFT = 4  # OpenCV fixed-point bits: sub-pixel positions without anti-aliasing everything
_ONE = 1 << _SHIFT
# (radius scale, offset towards the light in radii): a dark rim, the base, a highlight.
_LAYERS = ((1.0, 0.0), (0.8, 0.14), (0.45, 0.32))


def shades(c: Rgb) -> Shades:
    """Rim, base and highlight colours of a material."""
    r, g, b = c
    return (
        (int(r * 0.5), int(g * 0.5), int(b * 0.5)),
        (int(r * 0.82), int(g * 0.82), int(b * 0.82)),
        (min(255, int(r * 1.05 + 25)), min(255, int(g * 1.05 + 25)), min(255, int(b * 1.05 + 25))),
    )


def capsule(
    img: Image,
    a: npt.NDArray[np.float64],
    b: npt.NDArray[np.float64],
    ra: float,
    rb: float,
    *,
    colors: Shades,
    light: npt.NDArray[np.float64],
) -> None:
    """A tapered capsule from ``a`` (radius ``ra``) to ``b`` (radius ``rb``), shaded."""
    # Plain floats, not small numpy arrays: this runs ~30 times a frame.
    ax, ay, bx, by = float(a[0]), float(a[1]), float(b[0]), float(b[1])
    lx, ly = float(light[0]), float(light[1])
    dx, dy = bx - ax, by - ay
    n = math.hypot(dx, dy)
    px, py = (-dy / n, dx / n) if n > 1e-6 else (0.0, 0.0)
    mean_r = (ra + rb) / 2
    for k, (scale, off) in enumerate(_LAYERS):
        s_a, s_b = ra * scale, rb * scale
        if k > 0 and max(s_a, s_b) < 0.6:
            break
        ox, oy = lx * off * mean_r, ly * off * mean_r
        pax, pay, pbx, pby = ax + ox, ay + oy, bx + ox, by + oy
        col = colors[k]
        line = cv2.LINE_AA if k == 0 else cv2.LINE_8
        cv2.circle(img, (int(pax * _ONE), int(pay * _ONE)), max(int(s_a * _ONE), 1), col, -1,
                   line, _SHIFT)  # fmt: skip
        if n > 1e-6:
            cv2.circle(img, (int(pbx * _ONE), int(pby * _ONE)), max(int(s_b * _ONE), 1), col,
                       -1, line, _SHIFT)  # fmt: skip
            quad = np.array(
                [
                    [int((pax + px * s_a) * _ONE), int((pay + py * s_a) * _ONE)],
                    [int((pbx + px * s_b) * _ONE), int((pby + py * s_b) * _ONE)],
                    [int((pbx - px * s_b) * _ONE), int((pby - py * s_b) * _ONE)],
                    [int((pax - px * s_a) * _ONE), int((pay - py * s_a) * _ONE)],
                ],
                np.int32,
            )
            cv2.fillConvexPoly(img, quad, col, line, _SHIFT)


def hull(
    img: Image, pts: npt.NDArray[np.float64], *, colors: Shades, light: npt.NDArray[np.float64]
) -> None:
    """The convex hull of ``pts`` (N, 2), shaded like a rounded solid."""
    h = cv2.convexHull(pts.astype(np.float32)).reshape(-1, 2).astype(np.float64)
    c = h.mean(axis=0)
    size = float(np.sqrt(max(cv2.contourArea(h.astype(np.float32)), 1.0)))
    for k, (scale, off) in enumerate(((1.0, 0.0), (0.86, 0.06), (0.5, 0.18))):
        q = c + (h - c) * scale + light * off * size
        line = cv2.LINE_AA if k == 0 else cv2.LINE_8
        cv2.fillConvexPoly(img, (q * _ONE).astype(np.int32), colors[k], line, _SHIFT)


def dot(img: Image, p: npt.NDArray[np.float64], r: float, color: Rgb) -> None:
    """A filled anti-aliased disc."""
    c = (int(p[0] * _ONE), int(p[1] * _ONE))
    cv2.circle(img, c, max(int(r * _ONE), 1), color, -1, cv2.LINE_AA, _SHIFT)


def line(
    img: Image, a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], w: float, color: Rgb
) -> None:
    """An anti-aliased line ``w`` pixels thick."""
    pa = (int(a[0] * _ONE), int(a[1] * _ONE))
    pb = (int(b[0] * _ONE), int(b[1] * _ONE))
    cv2.line(img, pa, pb, color, max(1, round(w)), cv2.LINE_AA, _SHIFT)


def ellipse(
    img: Image,
    centre: npt.NDArray[np.float64],
    axes: tuple[float, float],
    angle: float,
    color: Rgb,
) -> None:
    """A filled anti-aliased ellipse (``angle`` in degrees)."""
    c = (int(centre[0] * _ONE), int(centre[1] * _ONE))
    ax = (max(int(axes[0] * _ONE), 1), max(int(axes[1] * _ONE), 1))
    cv2.ellipse(img, c, ax, angle, 0, 360, color, -1, cv2.LINE_AA, _SHIFT)
