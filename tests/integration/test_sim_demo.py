"""The built-in demo clip: rendered once into the cache, then reused."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from edge_trainer.sim import Truth, clip_paths, demo_clip

pytestmark = pytest.mark.slow


def test_demo_clip_is_rendered_once_and_cached(tmp_path: Path) -> None:
    video = demo_clip(tmp_path)
    truth_path = clip_paths(video)[1]
    assert video.is_file() and truth_path.is_file()
    truth = Truth.load(truth_path)
    assert (truth.width, truth.height, truth.fps) == (640, 480, 30.0)
    assert 30.0 <= truth.frames / truth.fps <= 60.0
    assert [(s.exercise, len(s.reps)) for s in truth.sets] == [("squat", 6), ("push_up", 5)]
    cap = cv2.VideoCapture(str(video))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == truth.frames
    cap.release()
    stamp = video.stat().st_mtime_ns
    assert demo_clip(tmp_path) == video
    assert video.stat().st_mtime_ns == stamp
    assert len(list(tmp_path.iterdir())) == 2
