"""The appliance keeps recording through a lost camera, a failing OLED and a failing voice."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from edge_trainer import config
from edge_trainer.app import App
from edge_trainer.camera.base import Frame
from edge_trainer.camera.video import VideoFileSource
from edge_trainer.errors import CameraError, DeviceError
from edge_trainer.eventlog import read_events
from edge_trainer.hw import display, tts
from tests.appliance import provision_models, query, squat_clip, write_config

pytestmark = pytest.mark.slow


class UnpluggedCamera:
    """A live camera that is unplugged mid-set: one read fails, one reopen fails, then
    frames come again (the ones during the outage are lost, time goes on)."""

    live = True

    def __init__(self, clip: Path, fail_at: int, outage_frames: int = 15) -> None:
        self.video = VideoFileSource(clip)
        self.fail_at = fail_at
        self.outage_frames = outage_frames
        self.opens = 0
        self.failed = False

    @property
    def fps(self) -> float:
        return self.video.fps

    def open(self) -> None:
        self.opens += 1
        if self.opens == 1:
            self.video.open()
        elif self.opens == 2:
            raise CameraError("device busy")
        else:
            for _ in range(self.outage_frames):
                self.video.read()

    def read(self) -> Frame | None:
        frame = self.video.read()
        if frame is not None and frame.index == self.fail_at and not self.failed:
            self.failed = True
            raise CameraError("USB camera unplugged")
        return frame

    def close(self) -> None:
        if self.opens == 0 or (self.failed and self.opens < 3):
            return  # the device is gone; the file stays open for when it is back
        self.video.close()


def test_set_is_recorded_through_camera_display_and_speech_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    models = provision_models(tmp_path / "models")
    clip = squat_clip(tmp_path, reps=6)

    def broken_show(self: object, *args: object, **kwargs: object) -> None:
        raise OSError("I2C write failed")

    def broken_speak(self: object, *args: object, **kwargs: object) -> None:
        raise DeviceError("sound card gone")

    monkeypatch.setattr(display.EmulatedDisplay, "show", broken_show)
    monkeypatch.setattr(tts.WavEngine, "speak", broken_speak)
    cfg = config.load(
        write_config(tmp_path / "c.toml", tmp_path, models, camera={"reopen_backoff_s": [0.05]})
    )
    camera = UnpluggedCamera(clip, fail_at=150)
    app = App(cfg, "demo", source=camera)
    with caplog.at_level(logging.WARNING):
        assert app.run() == 0

    assert camera.opens == 3
    kinds = [e["type"] for e in read_events(tmp_path / "out" / "session.jsonl")]
    assert "CameraLost" in kinds and "CameraRestored" in kinds
    assert kinds.index("CameraLost") < kinds.index("CameraRestored")
    db = tmp_path / "state" / "history.sqlite3"
    sets = query(db, "SELECT status, rep_count FROM sets")
    assert len(sets) == 1 and sets[0][0] == "done" and sets[0][1] >= 4, sets
    reps = query(db, "SELECT count(*) FROM reps WHERE partial = 0")
    assert reps == [(sets[0][1],)]
    text = caplog.text
    assert "I2C write failed" in text and "sound card gone" in text
    # The display says it is failing once per outage, not once per frame.
    assert text.count("I2C write failed") <= 3


def test_a_missing_oled_is_logged_and_the_box_runs_without_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    models = provision_models(tmp_path / "models")
    clip = squat_clip(tmp_path, reps=3)
    cfg = config.load(write_config(tmp_path / "c.toml", tmp_path, models))
    cfg = config.replace(cfg, display=config.replace(cfg.display, kind="ssd1306", i2c_port=97))
    app = App(cfg, "demo", video=clip)
    with caplog.at_level(logging.ERROR):
        assert app.run() == 0
    assert "display unavailable, running without it" in caplog.text
    db = tmp_path / "state" / "history.sqlite3"
    assert query(db, "SELECT count(*) FROM sets") == [(1,)]
