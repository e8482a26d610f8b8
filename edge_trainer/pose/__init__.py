"""Pose estimation: BlazePose on LiteRT, with tracking and smoothing."""

from edge_trainer.pose.base import LANDMARK_NAMES, Pose, PoseEstimator

__all__ = ["LANDMARK_NAMES", "Pose", "PoseEstimator"]
