"""What this edge-trainer feeds the model of each role: the contract a model set must meet.

The stages take their inputs from here and the installer checks a new set against it, so
a model in the wrong role, or a classifier trained on other features, is refused before
it goes live.
"""

from __future__ import annotations

# The image each pose model is fed: (batch, height, width, RGB).
POSE_DETECTOR_INPUT = (1, 224, 224, 3)
POSE_LANDMARKS_INPUT = (1, 256, 256, 3)

EXPECTED_INPUTS: dict[str, tuple[int, ...]] = {
    "pose_detector": POSE_DETECTOR_INPUT,
    "pose_landmarks": POSE_LANDMARKS_INPUT,
}

# Version of the classifier's input features (``exercise.features``): bump it whenever
# they change, so that a classifier trained on other features is refused, not misread.
FEATURE_VERSION = 1
