"""Pose geometry without models: anchors, NMS, letterbox, rotated regions, heatmap refinement."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from edge_trainer.pose.detector import (
    INPUT_SIZE,
    NUM_ANCHORS,
    letterbox,
    ssd_anchor_centers,
    weighted_nms,
)
from edge_trainer.pose.landmarks import refine_from_heatmap
from edge_trainer.pose.roi import ROI_SCALE, Roi, roi_from_points


def test_anchor_layout_matches_the_detector_output() -> None:
    a = ssd_anchor_centers()
    assert a.shape == (NUM_ANCHORS, 2)
    # 28x28 grid (stride 8), two anchors per cell, row-major from the top-left.
    assert a[0] == pytest.approx([0.5 / 28, 0.5 / 28])
    assert a[1] == pytest.approx(a[0])
    assert a[2] == pytest.approx([1.5 / 28, 0.5 / 28])
    # then 14x14x2, then the three stride-32 layers folded into 7x7 cells of 6 anchors
    assert a[28 * 28 * 2] == pytest.approx([0.5 / 14, 0.5 / 14])
    assert a[-1] == pytest.approx([6.5 / 7, 6.5 / 7])
    assert np.all(a[-6:] == a[-1])


def test_weighted_nms_merges_overlaps_and_keeps_separate_people() -> None:
    coords = np.array(
        [
            [0, 0, 10, 10, 5, 5],
            [1, 0, 11, 10, 6, 5],  # overlaps the first (IoU 0.82)
            [50, 50, 60, 60, 55, 55],  # someone else
        ],
        dtype=np.float32,
    )
    scores = np.array([0.9, 0.6, 0.7], dtype=np.float32)
    out = weighted_nms(scores, coords)
    assert [s for s, _ in out] == pytest.approx([0.9, 0.7])
    merged = out[0][1]
    assert merged[0] == pytest.approx(0.6 / 1.5)  # score-weighted mean of x0 = 0 and 1
    assert merged[4] == pytest.approx((5 * 0.9 + 6 * 0.6) / 1.5)
    assert out[1][1] == pytest.approx(coords[2])


def test_letterbox_pads_the_short_side_and_maps_back() -> None:
    img = np.full((100, 200, 3), 255, dtype=np.uint8)
    tensor, scale, pad = letterbox(img)
    assert tensor.shape == (1, INPUT_SIZE, INPUT_SIZE, 3)
    assert tensor.min() == pytest.approx(-1.0) and tensor.max() == pytest.approx(1.0)
    assert pad[0] == 0 and pad[1] == pytest.approx((INPUT_SIZE - 112) / 2)
    # a white band of 112 rows in the middle, black bars above and below
    assert tensor[0, int(pad[1]) + 1, 5, 0] == pytest.approx(1.0)
    assert tensor[0, 2, 5, 0] == pytest.approx(-1.0)
    assert scale == pytest.approx((INPUT_SIZE / 200, 112 / 100))


def test_upright_body_gives_an_unrotated_region() -> None:
    roi = roi_from_points((100.0, 200.0), (100.0, 120.0))
    assert roi.rotation == pytest.approx(0.0)
    assert roi.size == pytest.approx(2 * 80 * ROI_SCALE)
    assert (roi.cx, roi.cy) == (100.0, 200.0)
    # a body lying along +x (head to the right) is turned a quarter turn
    lying = Roi.from_alignment((100.0, 200.0), (180.0, 200.0))
    assert lying.rotation == pytest.approx(math.pi / 2)


@pytest.mark.parametrize("rotation", [0.0, 0.7, -2.0, math.pi])
def test_crop_and_project_are_inverse(rotation: float) -> None:
    img = np.zeros((300, 400, 3), dtype=np.uint8)
    target = (250.0, 120.0)
    cv2.circle(img, (250, 120), 3, (255, 255, 255), -1)
    roi = Roi(cx=230.0, cy=150.0, size=160.0, rotation=rotation)
    crop = roi.crop(img, 128)
    ys, xs = np.nonzero(crop[:, :, 0] > 128)
    uv = np.array([[(xs.mean() + 0.5) / 128, (ys.mean() + 0.5) / 128]], dtype=np.float32)
    back = roi.project(uv)[0]
    assert back[0] == pytest.approx(target[0], abs=1.5)
    assert back[1] == pytest.approx(target[1], abs=1.5)
    # the affine used for the crop sends crop pixel centres where project() says
    m = roi.crop_matrix(128)
    j, i = 17, 90
    src = m @ np.array([j, i, 1.0])
    proj = roi.project(np.array([[(j + 0.5) / 128, (i + 0.5) / 128]], dtype=np.float32))[0]
    assert src + 0.5 == pytest.approx(proj, abs=1e-3)


def test_region_fraction_inside_the_frame() -> None:
    assert Roi(50, 50, 100, 0).inside_fraction(100, 100) == pytest.approx(1.0)
    assert Roi(0, 50, 100, 0).inside_fraction(100, 100) == pytest.approx(0.5)
    assert Roi(-200, 50, 100, 0).inside_fraction(100, 100) == 0.0


def test_heatmap_refinement_moves_to_a_confident_peak_only() -> None:
    hm = np.full((64, 64, 2), -20.0, dtype=np.float32)
    hm[30, 40, 0] = 10.0  # landmark 0: a sharp confident peak 2 cells right of its guess
    hm[30, 40, 1] = -1.0  # landmark 1: same place, but confidence 0.27 < 0.5
    xy = np.array([[38.5 / 64, 30.5 / 64], [38.5 / 64, 30.5 / 64]], dtype=np.float32)
    out = refine_from_heatmap(xy, hm)
    assert out[0] == pytest.approx([40 / 64, 30 / 64], abs=1e-4)
    assert out[1] == pytest.approx(xy[1])
    # outside the heatmap: left alone
    far = np.array([[1.2, 0.5], [0.5, -0.1]], dtype=np.float32)
    assert refine_from_heatmap(far, hm) == pytest.approx(far)
