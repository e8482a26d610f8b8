"""Rotated square regions of interest: from alignment points, to crops, and back.

A region is kept in pixels of the full frame: centre, side length and rotation. BlazePose
aligns each person with two points (hip centre and a point that encodes size and
direction of the body); the box side is twice their distance, the body axis is turned
upright, and the box is enlarged by a margin the landmark model was trained with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

# The body axis (centre -> scale point) is turned to point straight up in the crop.
TARGET_ANGLE = math.pi / 2
# Margin around the aligned body box that the landmark model expects.
ROI_SCALE = 1.25


@dataclass(frozen=True, slots=True)
class Roi:
    """A rotated square in frame pixels.

    Attributes:
        cx: Centre x in pixels.
        cy: Centre y in pixels.
        size: Side length in pixels.
        rotation: Radians; a crop point ``(u, v)`` around the centre maps to the frame
            through the rotation by this angle (positive turns clockwise on screen).
    """

    cx: float
    cy: float
    size: float
    rotation: float

    @classmethod
    def from_alignment(
        cls, center: tuple[float, float], scale_point: tuple[float, float], margin: float = 1.0
    ) -> Roi:
        """Region from a centre and a scale point, both in frame pixels."""
        dx = scale_point[0] - center[0]
        dy = scale_point[1] - center[1]
        # Image y grows downwards, hence the minus: angles are measured as on paper.
        rotation = _normalize_angle(TARGET_ANGLE - math.atan2(-dy, dx))
        size = 2.0 * math.hypot(dx, dy) * margin
        return cls(float(center[0]), float(center[1]), float(size), rotation)

    def crop_matrix(self, out_size: int) -> npt.NDArray[np.float64]:
        """2x3 affine that maps crop pixels (``out_size`` square) to frame pixels.

        Use with ``cv2.warpAffine(..., flags=WARP_INVERSE_MAP)``. Pixel centres are at
        half-integers in continuous coordinates on both sides.
        """
        c, s = math.cos(self.rotation), math.sin(self.rotation)
        k = self.size / out_size
        # crop pixel (j, i) centre -> offset from the crop centre in frame pixels
        # ((j + 0.5) * k - size / 2), then rotate, then move to the frame centre, then
        # back to OpenCV's integer pixel-centre convention (-0.5).
        off = 0.5 * k - self.size / 2.0
        tx = self.cx + c * off - s * off - 0.5
        ty = self.cy + s * off + c * off - 0.5
        return np.array([[c * k, -s * k, tx], [s * k, c * k, ty]], dtype=np.float64)

    def crop(self, image: npt.NDArray[np.uint8], out_size: int) -> npt.NDArray[np.uint8]:
        """The region resampled to ``out_size`` square, edges replicated outside the frame."""
        out: npt.NDArray[np.uint8] = cv2.warpAffine(  # type: ignore[assignment]
            image,
            self.crop_matrix(out_size),
            (out_size, out_size),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REPLICATE,
        )
        return out

    def project(self, uv: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Map ``(N, 2)`` points normalised to the crop ([0, 1]) to frame pixels."""
        c, s = math.cos(self.rotation), math.sin(self.rotation)
        ox = (uv[:, 0] - 0.5) * self.size
        oy = (uv[:, 1] - 0.5) * self.size
        out = np.empty_like(uv[:, :2])
        out[:, 0] = self.cx + c * ox - s * oy
        out[:, 1] = self.cy + s * ox + c * oy
        return out

    def rotate(self, xy: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Rotate ``(N, 2)`` vectors by the region's rotation (world landmarks)."""
        c, s = math.cos(self.rotation), math.sin(self.rotation)
        out = np.empty_like(xy)
        out[:, 0] = c * xy[:, 0] - s * xy[:, 1]
        out[:, 1] = s * xy[:, 0] + c * xy[:, 1]
        return out

    def inside_fraction(self, width: int, height: int) -> float:
        """Share of the region's axis-aligned extent that lies inside the frame."""
        half = self.size / 2.0
        x0, x1 = max(0.0, self.cx - half), min(float(width), self.cx + half)
        y0, y1 = max(0.0, self.cy - half), min(float(height), self.cy + half)
        if x1 <= x0 or y1 <= y0 or self.size <= 0:
            return 0.0
        return (x1 - x0) * (y1 - y0) / (self.size * self.size)


def _normalize_angle(a: float) -> float:
    return a - 2 * math.pi * math.floor((a + math.pi) / (2 * math.pi))


def roi_from_points(center: tuple[float, float], scale_point: tuple[float, float]) -> Roi:
    """The landmark-model region for a person aligned by two points in frame pixels."""
    return Roi.from_alignment(center, scale_point, margin=ROI_SCALE)
