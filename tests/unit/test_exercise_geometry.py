"""Pose geometry: invariances of the normalisation, angles, camera view, body height."""

from __future__ import annotations

import numpy as np
import pytest

from edge_trainer.exercise import geometry as geo
from tests.unit.exercise_figures import front_pose, side_pose, squat


def _mirrored(row: np.ndarray) -> np.ndarray:
    """What a pose model reports on the mirrored image: x flipped, left and right swapped."""
    out = row[geo.MIRROR_INDEX].copy()
    out[:, 0] = 1.0 - out[:, 0]
    return out


def _moved(row: np.ndarray, scale: float, dx: float, dy: float) -> np.ndarray:
    out = row.copy()
    out[:, :3] *= scale
    out[:, 0] += dx
    out[:, 1] += dy
    return out


def test_normalisation_ignores_position_and_camera_distance() -> None:
    row = squat(0.7)
    a = geo.normalize(row)
    b = geo.normalize(_moved(row, 0.5, 0.3, -0.1))
    assert np.allclose(a, b, atol=1e-9)
    # Hip centre at the origin, torso one unit long, y up (shoulders above the hips).
    assert np.allclose(np.nanmean(a[[geo.L_HIP, geo.R_HIP], :2], axis=0), 0.0, atol=1e-9)
    shoulders = np.nanmean(a[[geo.L_SHOULDER, geo.R_SHOULDER], :2], axis=0)
    assert np.hypot(*shoulders) == pytest.approx(1.0)
    assert shoulders[1] > 0


def test_normalisation_ignores_mirroring() -> None:
    row = side_pose(trunk=30, arm=60, elbow=40)
    mirrored = _mirrored(row)
    a, b = geo.normalize(row), geo.normalize(mirrored)
    assert np.allclose(a, b, atol=1e-9)
    assert geo.facing_sign(geo.as_points(row)) == 1.0
    assert geo.facing_sign(geo.as_points(mirrored)) == -1.0


def test_front_view_mirror_is_the_mirror_image_pose() -> None:
    # Facing the camera there is no facing direction to canonicalise: the mirrored view
    # normalises to exactly the mirror image of the pose (x negated, sides swapped).
    row = front_pose(arms=90, elbow=30, lean=10)
    a, b = geo.normalize(row), geo.normalize(_mirrored(row))
    expected = a[geo.MIRROR_INDEX].copy()
    expected[:, 0] *= -1.0
    assert np.allclose(b, expected, atol=1e-9)


def test_joint_angles_2d() -> None:
    angles = geo.joint_angles(side_pose(elbow=90, shin=30, thigh=60))
    i = geo.ANGLE_INDEX
    assert angles[i["left_elbow"]] == pytest.approx(90.0, abs=1e-6)
    assert angles[i["left_knee"]] == pytest.approx(90.0, abs=1e-6)
    assert angles[i["left_hip"]] == pytest.approx(120.0, abs=1e-6)


def test_z_is_used_only_where_it_is_trustworthy() -> None:
    row = side_pose(elbow=0)
    row[geo.L_WRIST, 2] = 0.2  # the forearm points at the camera: 3D sees a bend
    i = geo.ANGLE_INDEX["left_elbow"]
    assert geo.joint_angles(row, "2d")[i] == pytest.approx(180.0, abs=1e-6)
    assert geo.joint_angles(row, "3d")[i] < 130.0
    assert geo.joint_angles(row, "auto")[i] < 130.0  # left side seen clearly (0.99)
    row[geo.L_WRIST, 3] = 0.6  # half hidden: its depth is a guess
    assert geo.joint_angles(row, "auto")[i] == pytest.approx(180.0, abs=1e-6)


def test_missing_landmarks_stay_missing() -> None:
    row = side_pose()
    row[geo.L_ELBOW] = np.nan
    row[geo.R_ELBOW, 3] = 0.1  # seen too poorly to use
    angles = geo.joint_angles(row)
    assert np.isnan(angles[geo.ANGLE_INDEX["left_elbow"]])
    assert np.isnan(angles[geo.ANGLE_INDEX["right_elbow"]])
    assert np.isfinite(angles[geo.ANGLE_INDEX["left_knee"]])


def _turned(row: np.ndarray, yaw_deg: float) -> np.ndarray:
    """Rotate a front-view figure about the vertical axis through its midline."""
    out = row.copy()
    x = out[:, 0] - 0.5
    out[:, 0] = 0.5 + x * np.cos(np.radians(yaw_deg))
    return out


@pytest.mark.parametrize(("yaw", "view"), [(0, "front"), (15, "front"), (45, "45"), (80, "side")])
def test_camera_view_from_the_pose(yaw: float, view: str) -> None:
    assert geo.estimate_view(_turned(front_pose(), yaw)) == view


def test_side_view_figure_reads_as_side() -> None:
    assert geo.estimate_view(np.stack([squat(d) for d in np.linspace(0, 1, 10)])) == "side"


def test_body_height_survives_a_squat_and_scales_with_distance() -> None:
    standing = geo.body_height(geo.as_points(squat(0.0)))
    deep = geo.body_height(geo.as_points(squat(1.0)))
    assert deep == pytest.approx(standing, rel=0.05)
    far = geo.body_height(geo.as_points(_moved(squat(0.0), 0.5, 0.2, 0.2)))
    assert far == pytest.approx(standing / 2, rel=1e-6)


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="33"):
        geo.as_points(np.zeros((17, 3)))
