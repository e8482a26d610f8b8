"""The BlazePose landmark model: crop a region, run it, decode and refine the landmarks."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from edge_trainer.models.litert import expect_input_shape, load_interpreter, output_indices
from edge_trainer.models.roles import POSE_LANDMARKS_INPUT
from edge_trainer.pose.prune import drop_outputs
from edge_trainer.pose.roi import Roi, roi_from_points

log = logging.getLogger(__name__)

INPUT_SIZE = POSE_LANDMARKS_INPUT[1]
NUM_ALL = 39  # 33 body landmarks + 6 auxiliary points (33 and 34 align the next region)
NUM_BODY = 33
HEATMAP_SIZE = 64
HEATMAP_KERNEL = 7
HEATMAP_MIN_CONFIDENCE = 0.5
SEGMENTATION_SHAPE = (1, INPUT_SIZE, INPUT_SIZE, 1)


def sigmoid(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Logistic function, as used for visibility, presence and heatmap scores."""
    out: npt.NDArray[np.float32] = 1.0 / (1.0 + np.exp(-x))
    return out


@dataclass(frozen=True, slots=True)
class LandmarkResult:
    """Landmarks found in one region.

    Attributes:
        landmarks: ``(33, 5)`` x, y in frame pixels, z in frame pixels (same scale as x),
            visibility, presence.
        aux: ``(2, 2)`` the alignment points (hip centre, scale point) in frame pixels.
        world: ``(33, 3)`` metres around the hip centre.
        score: Pose presence in the region.
    """

    landmarks: npt.NDArray[np.float32]
    aux: npt.NDArray[np.float32]
    world: npt.NDArray[np.float32]
    score: float

    def next_roi(self) -> Roi:
        """The region to look in on the next frame, from the alignment points."""
        a = self.aux
        return roi_from_points((float(a[0, 0]), float(a[0, 1])), (float(a[1, 0]), float(a[1, 1])))


def refine_from_heatmap(
    xy: npt.NDArray[np.float32],
    heatmap: npt.NDArray[np.float32],
    kernel: int = HEATMAP_KERNEL,
    min_confidence: float = HEATMAP_MIN_CONFIDENCE,
) -> npt.NDArray[np.float32]:
    """Refine normalised crop positions with the model's heatmap.

    Each landmark moves to the confidence-weighted mean position of a ``kernel`` square
    around it, if the heatmap is confident there (its peak reaches ``min_confidence``).

    Args:
        xy: ``(N, 2)`` positions in [0, 1] of the crop.
        heatmap: ``(H, W, N)`` raw heatmap logits.
    """
    hm_h, hm_w, n = heatmap.shape
    out = xy.copy()
    col = np.floor(xy[:, 0] * hm_w).astype(np.int64)
    row = np.floor(xy[:, 1] * hm_h).astype(np.int64)
    inside = (col >= 0) & (col < hm_w) & (row >= 0) & (row < hm_h)
    half = (kernel - 1) // 2
    offs = np.arange(-half, half + 1)
    rows = row[:, None] + offs[None, :]  # (N, k)
    cols = col[:, None] + offs[None, :]
    rvalid = (rows >= 0) & (rows < hm_h)
    cvalid = (cols >= 0) & (cols < hm_w)
    rr = np.clip(rows, 0, hm_h - 1)[:, :, None]
    cc = np.clip(cols, 0, hm_w - 1)[:, None, :]
    ch = np.arange(n)[:, None, None]
    conf = sigmoid(heatmap[rr, cc, ch].astype(np.float32))  # (N, k, k)
    # Cells beyond the heatmap edge count as zero confidence (a shrunken kernel).
    conf = conf * (rvalid[:, :, None] & cvalid[:, None, :])
    total = conf.sum(axis=(1, 2))
    peak = conf.max(axis=(1, 2))
    wcol = (conf * cols[:, None, :]).sum(axis=(1, 2))
    wrow = (conf * rows[:, :, None]).sum(axis=(1, 2))
    ok = inside & (peak >= min_confidence) & (total > 0)
    safe = np.where(total > 0, total, 1.0)
    out[ok, 0] = (wcol / safe / hm_w)[ok]
    out[ok, 1] = (wrow / safe / hm_h)[ok]
    return out


class LandmarkModel:
    """Runs the BlazePose landmark model on a region of a frame."""

    def __init__(self, path: Path, threads: int = 2, prune: bool = True) -> None:
        """Load the landmark model, without its segmentation head when ``prune``.

        Raises:
            ModelError: the file is not a BlazePose landmark model of the expected shape.
        """
        self.path = Path(path)
        content = None
        self.pruned = False
        if prune:
            try:
                raw = self.path.read_bytes()
            except OSError:
                raw = None  # load_interpreter reports the unreadable file
            if raw is not None and raw[4:8] == b"TFL3":
                try:
                    content = drop_outputs(raw, [SEGMENTATION_SHAPE])
                except Exception as exc:  # a model this code cannot rewrite still runs whole
                    log.warning("cannot prune '%s' (%s); running it whole", self.path, exc)
                self.pruned = content is not None
        self._interp = load_interpreter(self.path, threads, model_content=content)
        expect_input_shape(self._interp, (1, INPUT_SIZE, INPUT_SIZE, 3), "pose landmark", path)
        self._input = int(self._interp.get_input_details()[0]["index"])
        self._out = output_indices(
            self._interp,
            {
                "landmarks": (1, NUM_ALL * 5),
                "flag": (1, 1),
                "heatmap": (1, HEATMAP_SIZE, HEATMAP_SIZE, NUM_ALL),
                "world": (1, NUM_ALL * 3),
            },
            "pose landmark",
            path,
        )
        self.runs = 0

    def run_tensor(self, tensor: npt.NDArray[np.float32]) -> dict[str, npt.NDArray[np.float32]]:
        """Raw model outputs for a ``(1, 256, 256, 3)`` float tensor in [0, 1]."""
        self._interp.set_tensor(self._input, tensor)
        self._interp.invoke()
        self.runs += 1
        return {k: self._interp.get_tensor(i) for k, i in self._out.items()}

    def estimate(
        self, image: npt.NDArray[np.uint8], roi: Roi, min_presence: float
    ) -> LandmarkResult | None:
        """Landmarks of the person in ``roi``, or None if the model sees nobody there."""
        crop = roi.crop(image, INPUT_SIZE)
        tensor = crop.astype(np.float32)[None]
        tensor *= 1.0 / 255.0
        out = self.run_tensor(tensor)
        score = float(out["flag"].reshape(-1)[0])
        if not score >= min_presence:  # also rejects NaN
            return None
        raw = out["landmarks"].reshape(NUM_ALL, 5)
        uv = raw[:, :2] / INPUT_SIZE
        uv = refine_from_heatmap(uv, out["heatmap"][0])
        xy = roi.project(uv)
        lm = np.empty((NUM_ALL, 5), dtype=np.float32)
        lm[:, :2] = xy
        # Depth comes in crop pixels like x; scale it to frame pixels the same way.
        lm[:, 2] = raw[:, 2] / INPUT_SIZE * roi.size
        lm[:, 3] = sigmoid(raw[:, 3])
        lm[:, 4] = sigmoid(raw[:, 4])
        world = out["world"].reshape(NUM_ALL, 3)[:NUM_BODY].astype(np.float32)
        world[:, :2] = roi.rotate(world[:, :2])
        return LandmarkResult(lm[:NUM_BODY], lm[NUM_BODY : NUM_BODY + 2, :2].copy(), world, score)

    def close(self) -> None:
        """Drop the interpreter."""
        self._interp = None
