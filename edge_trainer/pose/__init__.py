"""Pose estimation: BlazePose on LiteRT, with tracking and smoothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from edge_trainer.pose.base import LANDMARK_NAMES, Pose, PoseEstimator

if TYPE_CHECKING:
    from edge_trainer.pose.blazepose import BlazePoseEstimator, PoseStats

__all__ = ["LANDMARK_NAMES", "BlazePoseEstimator", "Pose", "PoseEstimator", "PoseStats"]


def __getattr__(name: str) -> Any:
    # The estimator pulls in OpenCV; code that only needs the Pose type should not pay for it.
    if name in ("BlazePoseEstimator", "PoseStats"):
        from edge_trainer.pose import blazepose

        return getattr(blazepose, name)
    raise AttributeError(f"module 'edge_trainer.pose' has no attribute {name!r}")
