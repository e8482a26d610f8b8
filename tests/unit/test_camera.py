"""Video file source, synthetic source and the capture worker's recovery."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edge_trainer.camera.base import Frame
from edge_trainer.camera.capture import CaptureWorker
from edge_trainer.camera.queue import FrameQueue
from edge_trainer.camera.synthetic import SyntheticSource, moving_gradient
from edge_trainer.camera.video import VideoFileSource
from edge_trainer.errors import CameraError, VideoError
from tests.clips import write_test_video


def read_all(src: VideoFileSource) -> list[Frame]:
    src.open()
    frames = []
    while (f := src.read()) is not None:
        frames.append(f)
    src.close()
    return frames


def test_video_file_frames_and_timestamps(tmp_path: Path) -> None:
    path = write_test_video(tmp_path / "v.mp4", frames=45, fps=15)
    frames = read_all(VideoFileSource(path))
    assert len(frames) == 45
    assert frames[0].image.dtype == np.uint8 and frames[0].image.shape == (48, 64, 3)
    assert [f.index for f in frames] == list(range(45))
    assert frames[15].t == pytest.approx(1.0)


def test_missing_video(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match=r"cannot read video '.*nope.mp4': no such file"):
        VideoFileSource(tmp_path / "nope.mp4").open()


def test_not_a_video(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x01garbage" * 100)
    with pytest.raises(VideoError, match="cannot read video"):
        VideoFileSource(bad).open()


def test_truncated_video_keeps_frames_then_reports(tmp_path: Path) -> None:
    path = write_test_video(tmp_path / "v.mp4", frames=60)
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    src = VideoFileSource(cut)
    with pytest.raises(VideoError, match="cannot read video"):
        read_all(src)


def test_synthetic_source_is_exact() -> None:
    src = SyntheticSource(moving_gradient(32, 16), frames=10, fps=20)
    src.open()
    frames = []
    while (f := src.read()) is not None:
        frames.append(f)
    assert len(frames) == 10 and frames[4].t == pytest.approx(0.2)
    assert frames[0].image.shape == (16, 32, 3)


class FlakyCamera:
    """A live source whose device fails once mid-stream and once on reopen."""

    live = True
    fps = 30.0

    def __init__(self) -> None:
        self.opens = 0
        self.index = 0
        self.fail_reads_at = {5}

    def open(self) -> None:
        self.opens += 1
        if self.opens == 2:
            raise CameraError("device busy")

    def read(self) -> Frame | None:
        self.index += 1
        if self.index in self.fail_reads_at:
            raise CameraError("unplugged")
        if self.index > 12:
            return None
        return Frame(np.zeros((2, 2, 3), np.uint8), self.index / 30, self.index)

    def close(self) -> None:
        pass


def test_capture_reopens_a_lost_camera_with_backoff() -> None:
    cam = FlakyCamera()
    q = FrameQueue(2, lossless=True)
    events: list[str] = []
    worker = CaptureWorker(
        cam,
        q,
        backoff_s=(0.01,),
        on_lost=events.append,
        on_restored=lambda: events.append("restored"),
    )
    worker.start()
    got = []
    while (f := q.get(timeout=2)) is not None:
        got.append(f.index)
    worker.join(2)
    assert cam.opens == 3
    assert events == ["unplugged", "restored"]
    assert got == [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12]
    assert worker.error is None


def test_capture_gives_up_after_budget_and_reports() -> None:
    class Dead(FlakyCamera):
        def open(self) -> None:
            self.opens += 1
            if self.opens > 1:
                raise CameraError("gone")

        def read(self) -> Frame | None:
            raise CameraError("unplugged")

    q = FrameQueue(1)
    worker = CaptureWorker(Dead(), q, backoff_s=(0.01,), max_reopen=3)
    worker.start()
    worker.join(3)
    assert not worker.alive
    assert isinstance(worker.error, CameraError)
    assert q.closed
