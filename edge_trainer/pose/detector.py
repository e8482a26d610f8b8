"""The BlazePose person detector: letterbox, SSD anchors, decoding and weighted NMS."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from edge_trainer.models.litert import expect_input_shape, load_interpreter, output_indices
from edge_trainer.models.roles import POSE_DETECTOR_INPUT

log = logging.getLogger(__name__)

INPUT_SIZE = POSE_DETECTOR_INPUT[1]
NUM_ANCHORS = 2254
NUM_COORDS = 12  # box (cx, cy, w, h) then 4 keypoints (x, y)
NUM_KEYPOINTS = 4
# Anchor layout of the model: five feature layers; layers of equal stride share a grid.
ANCHOR_STRIDES = (8, 16, 32, 32, 32)
ANCHORS_PER_LAYER = 2  # one anchor per aspect ratio (1.0) plus one interpolated scale
SCORE_CLIP = 100.0
NMS_IOU = 0.3


@dataclass(frozen=True, slots=True)
class Detection:
    """One detected person, in frame pixels.

    Attributes:
        score: Detector confidence in [0, 1].
        box: ``(x0, y0, x1, y1)`` of the face box the detector predicts.
        keypoints: ``(4, 2)``: hip centre, full-body scale point, shoulder centre,
            upper-body scale point.
    """

    score: float
    box: tuple[float, float, float, float]
    keypoints: npt.NDArray[np.float32]

    @property
    def center(self) -> tuple[float, float]:
        """The hip centre the body region is aligned on."""
        return float(self.keypoints[0, 0]), float(self.keypoints[0, 1])

    @property
    def body_size(self) -> float:
        """Twice the distance from hip centre to scale point: the body's extent."""
        return float(2.0 * np.hypot(*(self.keypoints[1] - self.keypoints[0])))


def ssd_anchor_centers(
    input_size: int = INPUT_SIZE, strides: tuple[int, ...] = ANCHOR_STRIDES
) -> npt.NDArray[np.float32]:
    """``(N, 2)`` anchor centres normalised to the input, in the model's output order.

    The anchors have a fixed unit size, so only their centres matter for decoding.
    """
    centers: list[npt.NDArray[np.float32]] = []
    layer = 0
    while layer < len(strides):
        stride = strides[layer]
        # Consecutive layers with the same stride are folded into one grid.
        same = 0
        while layer + same < len(strides) and strides[layer + same] == stride:
            same += 1
        cells = int(np.ceil(input_size / stride))
        ys, xs = np.mgrid[0:cells, 0:cells].astype(np.float32)
        grid = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 1, 2)
        per_cell = ANCHORS_PER_LAYER * same
        centers.append(np.repeat(grid, per_cell, axis=1).reshape(-1, 2))
        layer += same
    return np.concatenate(centers).astype(np.float32)


def letterbox(
    image: npt.NDArray[np.uint8], size: int = INPUT_SIZE
) -> tuple[npt.NDArray[np.float32], tuple[float, float], tuple[float, float]]:
    """Fit the frame into a square of ``size`` with black bars, values scaled to [-1, 1].

    Returns:
        The ``(1, size, size, 3)`` tensor, the x and y scales from frame to tensor
        pixels, and the left and top padding in tensor pixels.
    """
    h, w = image.shape[:2]
    scale = size / max(h, w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    pad_x, pad_y = (size - nw) // 2, (size - nh) // 2
    canvas = np.zeros((size, size, 3), dtype=np.uint8)
    canvas[pad_y : pad_y + nh, pad_x : pad_x + nw] = resized
    tensor = canvas.astype(np.float32)
    tensor *= 2.0 / 255.0
    tensor -= 1.0
    # Per-axis scales map tensor pixels back exactly to the frame, whatever the rounding.
    return tensor[None], (nw / w, nh / h), (float(pad_x), float(pad_y))


def _iou(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """IoU of box ``a`` (4,) against boxes ``b`` (N, 4), boxes as x0, y0, x1, y1."""
    ix0 = np.maximum(a[0], b[:, 0])
    iy0 = np.maximum(a[1], b[:, 1])
    ix1 = np.minimum(a[2], b[:, 2])
    iy1 = np.minimum(a[3], b[:, 3])
    inter = np.clip(ix1 - ix0, 0, None) * np.clip(iy1 - iy0, 0, None)
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a + area_b - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0).astype(np.float32)


def weighted_nms(
    scores: npt.NDArray[np.float32], coords: npt.NDArray[np.float32], iou: float = NMS_IOU
) -> list[tuple[float, npt.NDArray[np.float32]]]:
    """Weighted non-max suppression.

    Each cluster of overlapping candidates (IoU above ``iou`` with its best member) is
    replaced by the score-weighted mean of their coordinates, keeping the best score.

    Args:
        scores: ``(N,)`` candidate scores.
        coords: ``(N, 4 + 2K)``: box x0, y0, x1, y1 then keypoints.

    Returns:
        ``(score, coords)`` per person, best first.
    """
    order = np.argsort(-scores, kind="stable")
    remaining = order
    out: list[tuple[float, npt.NDArray[np.float32]]] = []
    while remaining.size:
        best = remaining[0]
        overlap = _iou(coords[best, :4], coords[remaining, :4])
        cluster = remaining[overlap > iou]
        if cluster.size == 0:  # degenerate box: keep it alone
            cluster = remaining[:1]
        w = scores[cluster][:, None]
        merged = (coords[cluster] * w).sum(axis=0) / w.sum()
        out.append((float(scores[best]), merged.astype(np.float32)))
        remaining = remaining[~np.isin(remaining, cluster)]
    return out


class PoseDetector:
    """Runs the BlazePose detector on whole frames."""

    def __init__(self, path: Path, threads: int = 2, min_score: float = 0.5) -> None:
        """Load the detector model.

        Raises:
            ModelError: the file is not a BlazePose detector of the expected shape.
        """
        self.path = Path(path)
        self.min_score = min_score
        self._interp = load_interpreter(self.path, threads)
        expect_input_shape(self._interp, (1, INPUT_SIZE, INPUT_SIZE, 3), "pose detector", path)
        self._input = int(self._interp.get_input_details()[0]["index"])
        out = output_indices(
            self._interp,
            {"boxes": (1, NUM_ANCHORS, NUM_COORDS), "scores": (1, NUM_ANCHORS, 1)},
            "pose detector",
            path,
        )
        self._boxes, self._scores = out["boxes"], out["scores"]
        self._anchors = ssd_anchor_centers()
        if self._anchors.shape[0] != NUM_ANCHORS:
            raise AssertionError(f"anchor layout gives {self._anchors.shape[0]} anchors")
        self.runs = 0

    def run_tensor(
        self, tensor: npt.NDArray[np.float32]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """Raw ``(2254, 12)`` box offsets and ``(2254,)`` score logits for an input tensor."""
        self._interp.set_tensor(self._input, tensor)
        self._interp.invoke()
        self.runs += 1
        return self._interp.get_tensor(self._boxes)[0], self._interp.get_tensor(self._scores)[
            0, :, 0
        ]

    def detect(self, image: npt.NDArray[np.uint8]) -> list[Detection]:
        """All people found in an RGB frame, best score first."""
        tensor, scale, pad = letterbox(image)
        raw, logits = self.run_tensor(tensor)
        clipped = np.clip(logits.astype(np.float64), -SCORE_CLIP, SCORE_CLIP)
        scores = 1.0 / (1.0 + np.exp(-clipped))
        keep = np.nonzero(scores >= self.min_score)[0]
        if keep.size == 0:
            return []
        return self._decode(raw[keep], self._anchors[keep], scores[keep], scale, pad)

    def _decode(
        self,
        raw: npt.NDArray[np.float32],
        anchors: npt.NDArray[np.float32],
        scores: npt.NDArray[np.float32],
        scale: tuple[float, float],
        pad: tuple[float, float],
    ) -> list[Detection]:
        # Offsets are in input pixels relative to the anchor centre (anchors have unit size).
        a = anchors * INPUT_SIZE
        cx, cy = raw[:, 0] + a[:, 0], raw[:, 1] + a[:, 1]
        half_w, half_h = raw[:, 2] / 2, raw[:, 3] / 2
        coords = np.empty((raw.shape[0], 4 + 2 * NUM_KEYPOINTS), dtype=np.float32)
        coords[:, 0], coords[:, 1] = cx - half_w, cy - half_h
        coords[:, 2], coords[:, 3] = cx + half_w, cy + half_h
        kp = raw[:, 4:].reshape(-1, NUM_KEYPOINTS, 2) + a[:, None, :]
        coords[:, 4:] = kp.reshape(-1, 2 * NUM_KEYPOINTS)
        # Tensor pixels -> frame pixels (undo letterbox padding and scale).
        coords[:, 0::2] = (coords[:, 0::2] - pad[0]) / scale[0]
        coords[:, 1::2] = (coords[:, 1::2] - pad[1]) / scale[1]
        people = []
        for score, c in weighted_nms(scores.astype(np.float32), coords):
            box = (float(c[0]), float(c[1]), float(c[2]), float(c[3]))
            people.append(Detection(score, box, c[4:].reshape(NUM_KEYPOINTS, 2).copy()))
        return people

    def close(self) -> None:
        """Drop the interpreter."""
        self._interp = None
