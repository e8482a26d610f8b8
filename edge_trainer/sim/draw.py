"""Shaded 2D primitives drawn with OpenCV: capsules, spheres and convex hulls."""

from __future__ import annotations

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
    d = b - a
    n = float(np.hypot(d[0], d[1]))
    perp = np.array([-d[1] / n, d[0] / n]) if n > 1e-6 else None
    mean_r = (ra + rb) / 2
    for k, (scale, off) in enumerate(_LAYERS):
        s_a, s_b = ra * scale, rb * scale
        if max(s_a, s_b) < 0.6 and k > 0:
            break
        shift = light * (off * mean_r)
        pa, pb = a + shift, b + shift
        col = colors[k]
        line = cv2.LINE_AA if k == 0 else cv2.LINE_8
        ca = (int(pa[0] * _ONE), int(pa[1] * _ONE))
        cv2.circle(img, ca, max(int(s_a * _ONE), 1), col, -1, line, _SHIFT)
        if perp is not None:
            cb = (int(pb[0] * _ONE), int(pb[1] * _ONE))
            cv2.circle(img, cb, max(int(s_b * _ONE), 1), col, -1, line, _SHIFT)
            quad = np.array([pa + perp * s_a, pb + perp * s_b, pb - perp * s_b, pa - perp * s_a])
            cv2.fillConvexPoly(img, (quad * _ONE).astype(np.int32), col, line, _SHIFT)


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
