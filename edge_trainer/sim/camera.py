"""A static pinhole camera looking along +z from x=0, tilted up or down."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from edge_trainer.sim.geometry import Vec, v

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Camera:
    """Pinhole camera at ``(0, cam_height, 0)``; world y is up, the scene lies at +z.

    Attributes:
        width: Image width in pixels.
        height: Image height in pixels.
        hfov_deg: Horizontal field of view.
        cam_height: Lens height above the floor (metres).
        pitch: Downward tilt in radians (negative looks up).
    """

    width: int = 640
    height: int = 480
    hfov_deg: float = 62.0
    cam_height: float = 1.0
    pitch: float = 0.0

    @property
    def f(self) -> float:
        """Focal length in pixels."""
        return self.width / (2.0 * math.tan(math.radians(self.hfov_deg) / 2.0))

    @property
    def position(self) -> Vec:
        """Lens position in world coordinates."""
        return v(0.0, self.cam_height, 0.0)

    @property
    def rotation(self) -> F64:
        """World-to-camera rotation; camera axes are x right, y down, z forward."""
        c, s = math.cos(self.pitch), math.sin(self.pitch)
        # Image right is world -x so that a person facing the camera has their left
        # on the image's right, as a real camera sees it.
        return np.array([[-1.0, 0.0, 0.0], [0.0, -c, -s], [0.0, -s, c]])

    def to_camera(self, pts: F64) -> F64:
        """World points ``(..., 3)`` in camera coordinates."""
        return np.asarray((pts - self.position) @ self.rotation.T)

    def project(self, pts: F64) -> tuple[F64, F64]:
        """Pixel coordinates ``(..., 2)`` and depth ``(...)`` of world points."""
        c = self.to_camera(pts)
        z = np.maximum(c[..., 2], 1e-3)
        f = self.f
        uv = np.stack([f * c[..., 0] / z + self.width / 2, f * c[..., 1] / z + self.height / 2], -1)
        return uv, z

    def looking_at(self, target: Vec) -> Camera:
        """The same camera tilted to look at ``target``."""
        dy = self.cam_height - float(target[1])
        pitch = math.atan2(dy, float(target[2]))
        return Camera(self.width, self.height, self.hfov_deg, self.cam_height, pitch)
