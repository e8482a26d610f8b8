"""Finds member cards in a camera frame and reads them with OpenCV's QR decoder.

OpenCV's QR detector needs about four pixels a module to find a code's finder patterns
in a cluttered frame. A card's black frame is found at half that: a dark convex
quadrilateral with a hole, in an adaptive threshold of the frame. Its sides are fitted
to the contour (sub-pixel corners), the module grid is mapped from them, each module is
sampled at its centre against the frame's own dark and the quiet zone's light, and the
sampled code is drawn clean and large for ``cv2.QRCodeDetector`` to decode. A frame
without a card costs one adaptive threshold and one contour pass per pyramid level.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from edge_trainer.members.card import FRAME, FRAMED, QR_MODULES, QUIET, repair

log = logging.getLogger(__name__)

F32 = npt.NDArray[np.float32]
Gray = npt.NDArray[np.uint8]

MIN_FRAME_PX = 40  # the smallest frame side looked for (under ~1.6 px a module)
MAX_LEVELS = 3  # full, half and quarter size: cards from ~45 px to most of the frame
BLOCK = 31  # adaptive-threshold window: wider than a frame side as thick as ~15 px
OFFSET = 7  # how much darker than its surroundings a pixel must be to count as dark
MIN_CONTRAST = 25  # grey levels between the frame's dark and the quiet zone's light
FINDER_ERRORS = 8  # of 49 modules, for a finder pattern to count as found
GROWS = (0.4, 0.0, 0.8)  # pixels the fitted sides are moved out: the threshold's bias
RENDER_PX = 2  # pixels a module in the clean image given to the decoder
_CLEAN_CORNERS = (np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32) * QR_MODULES + 4).reshape(
    1, 4, 2
) * RENDER_PX

_FINDER = np.ones((7, 7), np.uint8)
_FINDER[1:6, 1:6] = 0
_FINDER[2:5, 2:5] = 1


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What one frame showed.

    Attributes:
        texts: Decoded QR texts, one per card read.
        unreadable: Card frames whose code was found but could not be decoded.
    """

    texts: tuple[str, ...] = ()
    unreadable: int = 0


class CardScanner:
    """Reads member cards in RGB frames; not thread-safe (one per thread)."""

    def __init__(self) -> None:
        self._decoder = cv2.QRCodeDetector()

    def scan(self, image: npt.NDArray[np.uint8]) -> ScanResult:
        """Every card readable in an RGB (or grey) frame."""
        gray = np.asarray(
            image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), np.uint8
        )
        texts: list[str] = []
        unreadable = 0
        for _level in range(MAX_LEVELS):
            if min(gray.shape) < 2 * MIN_FRAME_PX:
                break
            for quad, contour in _quads(gray):
                text = self._read(gray, quad, contour)
                if text == "":
                    unreadable += 1  # a code was there, but it did not decode
                elif text is not None and text not in texts:
                    texts.append(text)
            if texts:
                break
            gray = np.asarray(
                cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA), np.uint8
            )
        # A frame too small at one level is seen again, bigger, at the next: count once.
        return ScanResult(tuple(texts), unreadable if not texts else 0)

    def _read(self, gray: Gray, quad: F32, contour: F32) -> str | None:
        found_code = False
        for grow in GROWS:
            corners = _fit_sides(quad, contour, grow)
            if corners is None:
                return None
            bits = _sample(gray, corners)
            if bits is None:
                return None  # no dark frame around a light quiet zone: not a card
            upright = _upright(bits)
            if upright is None:
                continue
            found_code = True
            text = self._decode(upright)
            if text:
                return text
        return None if not found_code else ""

    def _decode(self, bits: npt.NDArray[np.uint8]) -> str:
        padded = np.pad(1 - repair(bits), 4, constant_values=1) * 255
        clean = np.kron(padded, np.ones((RENDER_PX, RENDER_PX), np.uint8)).astype(np.uint8)
        try:
            # The corners are known: only the decoding half of the detector is needed.
            text, _code = self._decoder.decode(clean, _CLEAN_CORNERS)
        except cv2.error as exc:  # OpenCV asserts on some degenerate inputs
            log.debug("QR decoder failed: %s", exc)
            return ""
        return str(text)


def _quads(gray: Gray) -> list[tuple[F32, F32]]:
    """Dark convex quadrilaterals with a hole: candidate card frames, largest first."""
    dark = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, BLOCK, OFFSET
    )
    contours, hierarchy = cv2.findContours(dark, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    if hierarchy is None:
        return []
    out: list[tuple[float, F32, F32]] = []
    max_side = 0.9 * min(gray.shape)
    lengths = np.fromiter((len(c) for c in contours), np.int64, len(contours))
    links = hierarchy[0]
    # Outer boundaries with a hole, long enough to go round a frame.
    keep = (links[:, 3] == -1) & (links[:, 2] != -1) & (lengths >= 3 * MIN_FRAME_PX)
    for i in np.flatnonzero(keep):
        contour = contours[i]
        _x, _y, w, h = cv2.boundingRect(contour)
        if min(w, h) < MIN_FRAME_PX * 0.7 or max(w, h) > max_side:
            continue
        approx = cv2.approxPolyDP(contour, 0.06 * cv2.arcLength(contour, True), True)
        if len(approx) != 4 or not cv2.isContourConvex(approx):
            continue
        area = cv2.contourArea(approx)
        if area < 0.3 * w * h:
            continue
        quad = approx.reshape(4, 2).astype(np.float32)
        out.append((area, quad, contour.reshape(-1, 2).astype(np.float32)))
    out.sort(key=lambda item: -item[0])
    return [(quad, contour) for _area, quad, contour in out]


def _order(quad: F32) -> F32:
    """Corners in angular order around their centre."""
    centre = quad.mean(axis=0)
    angles = np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0])
    ordered: F32 = quad[np.argsort(angles)]
    return ordered


def _fit_sides(quad: F32, contour: F32, grow: float) -> F32 | None:
    """Sub-pixel corners: a line fitted to each side's contour points, moved out by
    ``grow`` pixels, intersected with its neighbours."""
    quad = _order(quad)
    centre = quad.mean(axis=0)
    lines: list[tuple[F32, F32]] = []
    for k in range(4):
        a, b = quad[k], quad[(k + 1) % 4]
        length = float(np.linalg.norm(b - a))
        if length < 1.0:
            return None
        u = (b - a) / length
        normal = np.array([-u[1], u[0]], np.float32)
        rel = contour - a
        along, off = rel @ u, rel @ normal
        # The middle of the side: the corners are rounded by blur and the threshold.
        near = (along > 0.15 * length) & (along < 0.85 * length)
        near &= np.abs(off) < max(2.0, 0.08 * length)
        if int(near.sum()) < 4:
            return None
        vx, vy, x0, y0 = cv2.fitLine(contour[near], cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        point = np.array([x0, y0], np.float32)
        direction = np.array([vx, vy], np.float32)
        out_normal = np.array([-vy, vx], np.float32)
        if float(np.dot(centre - point, out_normal)) > 0:
            out_normal = -out_normal
        lines.append((point + grow * out_normal, direction))
    corners = []
    for k in range(4):
        (p1, v1), (p2, v2) = lines[k - 1], lines[k]
        matrix = np.array([v1, -v2]).T
        if abs(float(np.linalg.det(matrix))) < 1e-3:
            return None
        s = np.linalg.solve(matrix, p2 - p1)
        corners.append(p1 + s[0] * v1)
    return np.array(corners, np.float32)


def _sample(gray: Gray, corners: F32) -> npt.NDArray[np.uint8] | None:
    """The code's modules (1 dark) read at their centres, or None without a frame."""
    square = np.array([[0, 0], [FRAMED, 0], [FRAMED, FRAMED], [0, FRAMED]], np.float32)
    homography = cv2.getPerspectiveTransform(square, corners)
    first = FRAME + QUIET + 0.5  # centre of the code's first module, in modules
    centres = first + np.arange(QR_MODULES, dtype=np.float32)
    # The frame's middle and the quiet zone's middle, all the way round.
    along = np.linspace(0.5, FRAMED - 0.5, 4 * QR_MODULES, dtype=np.float32)
    refs = []
    for depth in (FRAME / 2, FRAME + QUIET / 2):
        near, far = np.full_like(along, depth), np.full_like(along, FRAMED - depth)
        ring = [(along, near), (along, far), (near, along), (far, along)]
        refs.append(np.concatenate([np.stack(xy, axis=-1) for xy in ring]))
    gx, gy = np.meshgrid(centres, centres)
    grid = np.concatenate([np.stack([gx, gy], axis=-1).reshape(-1, 2), *refs])
    pts = cv2.perspectiveTransform(grid.reshape(-1, 1, 2), homography).reshape(-1, 2)
    vals = (
        cv2.remap(gray, pts[:, 0].reshape(1, -1), pts[:, 1].reshape(1, -1), cv2.INTER_LINEAR)
        .ravel()
        .astype(np.float32)
    )
    cells = QR_MODULES * QR_MODULES
    ref = len(refs[0])
    dark = float(np.median(vals[cells : cells + ref]))
    light = float(np.median(vals[cells + ref :]))
    if light - dark < MIN_CONTRAST:
        return None
    code = vals[:cells].reshape(QR_MODULES, QR_MODULES)
    bits: npt.NDArray[np.uint8] = (code < (dark + light) / 2).astype(np.uint8)
    return bits


def _upright(bits: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8] | None:
    """The code turned so its three finder patterns are top-left, top-right, bottom-left."""
    best: tuple[int, npt.NDArray[np.uint8]] | None = None
    for turns in range(4):
        turned = np.rot90(bits, turns)
        errors = max(
            int(np.sum(turned[:7, :7] != _FINDER)),
            int(np.sum(turned[:7, -7:] != _FINDER)),
            int(np.sum(turned[-7:, :7] != _FINDER)),
        )
        if errors <= FINDER_ERRORS and (best is None or errors < best[0]):
            best = (errors, np.ascontiguousarray(turned))
    return None if best is None else best[1]
