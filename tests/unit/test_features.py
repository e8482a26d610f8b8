"""Classifier features: invariances, angles, resampling and missing data."""

from __future__ import annotations

import numpy as np
import pytest

from edge_trainer.errors import InputError
from edge_trainer.exercise import features as feat
from edge_trainer.pose.base import LANDMARK


def stick_figure(arm: float, knee: float = 0.0) -> np.ndarray:
    """A front-view person in image coordinates; ``arm`` raises both arms (radians)."""
    row = np.zeros((33, 4), dtype=np.float32)
    row[:, 3] = 1.0
    pts = {
        "nose": (0.5, 0.15),
        "left_shoulder": (0.58, 0.3), "right_shoulder": (0.42, 0.3),
        "left_hip": (0.55, 0.6), "right_hip": (0.45, 0.6),
        "left_knee": (0.56 + knee, 0.78), "right_knee": (0.44 - knee, 0.78),
        "left_ankle": (0.56, 0.95), "right_ankle": (0.44, 0.95),
    }  # fmt: skip
    for side, sx, sign in (("left", 0.58, 1), ("right", 0.42, -1)):
        elbow = (sx + sign * 0.15 * np.sin(arm), 0.3 + 0.15 * np.cos(arm))
        wrist = (sx + sign * 0.3 * np.sin(arm), 0.3 + 0.3 * np.cos(arm))
        pts[f"{side}_elbow"], pts[f"{side}_wrist"] = elbow, wrist
    for name, (x, y) in pts.items():
        row[LANDMARK[name], :2] = (x, y)
    # Points the features ignore still get plausible values, away from the body joints.
    for i in range(33):
        if not row[i, :2].any():
            row[i, :2] = (0.5, 0.14)
    return row


def jacks(seconds: float, fps: float, period: float = 1.2) -> np.ndarray:
    t = np.arange(round(seconds * fps)) / fps
    return np.stack([stick_figure(1.4 * (0.5 - 0.5 * np.cos(2 * np.pi * s / period))) for s in t])


def test_bad_shape_is_an_input_error() -> None:
    with pytest.raises(InputError, match="33, 4"):
        feat.sequence_windows(np.zeros((10, 17, 4)), 30.0)
    with pytest.raises(InputError, match="frame rate"):
        feat.sequence_windows(np.zeros((10, 33, 4)), 0.0)


def test_window_shape_and_count() -> None:
    wins, ends = feat.sequence_windows(jacks(4.0, 30.0), 30.0, hop_s=0.5)
    assert wins.shape[1:] == (feat.DEFAULT_WINDOW.frames, feat.N_FEATURES)
    assert len(wins) == len(ends) == int((4.0 - 1 / 30 - feat.DEFAULT_WINDOW.duration_s) / 0.5) + 1
    assert np.isfinite(wins).all()


def test_invariant_to_position_scale_and_per_axis_normalisation() -> None:
    rows = jacks(3.0, 30.0)
    base, _ = feat.sequence_windows(rows, 30.0)
    moved = rows.copy()
    moved[..., 0] = moved[..., 0] * 0.4 + 0.3
    moved[..., 1] = moved[..., 1] * 1.7 - 0.2
    shifted, _ = feat.sequence_windows(moved, 30.0)
    np.testing.assert_allclose(shifted, base, atol=1e-5)
    # The per-frame min-max over all 33 landmarks that repcount_pose applies.
    lo = rows[..., :2].min(axis=1, keepdims=True)
    hi = rows[..., :2].max(axis=1, keepdims=True)
    minmax = rows.copy()
    minmax[..., :2] = (rows[..., :2] - lo) / (hi - lo)
    renorm, _ = feat.sequence_windows(minmax, 30.0)
    np.testing.assert_allclose(renorm, base, atol=1e-5)


def test_mirror_variants_are_closed_under_mirroring() -> None:
    wins, _ = feat.sequence_windows(jacks(2.0, 30.0), 30.0)
    w = wins[0]
    mirrored = np.stack([v for f in (0, 1) for v in [feat.mirror_window(w, bool(f), True)]])
    for m in mirrored:
        a = feat.mirror_variants(m)
        b = feat.mirror_variants(w)
        # The same four windows, in some order.
        for v in a:
            assert min(np.abs(v - u).max() for u in b) < 1e-6
    assert not np.allclose(feat.mirror_window(w, True, False), w)


def test_image_mirror_matches_x_flip_variant() -> None:
    rows = jacks(2.0, 30.0)
    rows[..., 0] += np.linspace(0, 0.05, 33)  # break the figure's symmetry
    flipped = rows.copy()
    flipped[..., 0] = 1.0 - flipped[..., 0]
    a, _ = feat.sequence_windows(rows, 30.0)
    b, _ = feat.sequence_windows(flipped, 30.0)
    np.testing.assert_allclose(feat.mirror_window(a[0], True, False), b[0], atol=1e-5)


def test_elbow_angle_of_straight_and_right_angle_arms() -> None:
    row = stick_figure(np.pi / 2)
    joints = feat.normalise_joints(row[None])
    angles = feat.joint_angles(joints)[0]
    assert angles[0] == pytest.approx(1.0, abs=1e-3)  # straight left elbow: pi
    row[LANDMARK["left_wrist"], :2] = row[LANDMARK["left_elbow"], :2] + (0.0, 0.15)
    row[LANDMARK["left_ankle"], 0] += 0.3  # keep the x extent; only the wrist moved
    angles = feat.joint_angles(feat.normalise_joints(row[None]))[0]
    assert 0.3 < angles[0] < 0.7


def test_frame_rate_does_not_change_the_window() -> None:
    a = feat.window_features(jacks(2.0, 30.0), np.arange(60) / 30.0, end_t=1.9)
    b = feat.window_features(jacks(2.0, 60.0), np.arange(120) / 60.0, end_t=1.9)
    assert a is not None and b is not None
    np.testing.assert_allclose(a, b, atol=0.03)


def test_missing_frames_and_joints() -> None:
    rows = jacks(2.0, 30.0)
    t = np.arange(60) / 30.0
    holes = rows.copy()
    holes[10:14] = np.nan
    holes[20:25, LANDMARK["left_wrist"]] = np.nan
    w = feat.window_features(holes, t)
    assert w is not None and np.isfinite(w).all()
    ref = feat.window_features(rows, t)
    assert ref is not None
    assert np.abs(w - ref).max() < 0.2
    mostly_gone = rows.copy()
    mostly_gone[:45] = np.nan
    assert feat.window_features(mostly_gone, t) is None
    assert feat.window_features(np.full((60, 33, 4), np.nan), t) is None
