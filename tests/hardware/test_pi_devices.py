"""The real devices of a box: camera, OLED, buttons and speaker. Run on the Pi only.

Opt in with ``EDGE_TRAINER_HARDWARE=1 pytest tests/hardware`` on a wired box, with the
config at ``$EDGE_TRAINER_CONFIG`` or ``/etc/edge-trainer/config.toml`` (pins, display
kind and address). Off the Pi every test here is skipped with the reason.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from edge_trainer import config
from edge_trainer.config import Config

pytestmark = [
    pytest.mark.hardware,
    pytest.mark.skipif(
        os.environ.get("EDGE_TRAINER_HARDWARE") != "1",
        reason="real-device test: set EDGE_TRAINER_HARDWARE=1 on a wired Raspberry Pi",
    ),
]


@pytest.fixture(scope="module")
def cfg() -> Config:
    return config.load(config.find(None))


def test_pi_camera_delivers_frames_at_its_rate(cfg: Config) -> None:
    from edge_trainer.camera.picam import PiCameraSource

    cam = PiCameraSource(cfg.camera.width, cfg.camera.height, cfg.camera.fps)
    cam.open()
    try:
        frames = [cam.read() for _ in range(30)]
    finally:
        cam.close()
    assert all(f is not None for f in frames)
    first, last = frames[0], frames[-1]
    assert first is not None and last is not None
    assert first.image.shape == (cfg.camera.height, cfg.camera.width, 3)
    assert first.image.std() > 1.0, "the camera sees a flat image: lens cap or no light"
    fps = (len(frames) - 1) / (last.t - first.t)
    assert fps > 0.6 * cfg.camera.fps


def test_oled_shows_every_screen(cfg: Config) -> None:
    from edge_trainer.hw.display import open_i2c_display
    from edge_trainer.hw.screens import IdleScreen, StatusScreen

    if cfg.display.kind not in ("ssd1306", "sh1106"):
        pytest.skip(f"display.kind is {cfg.display.kind!r}, not a real OLED")
    display = open_i2c_display(cfg.display)
    try:
        display.show(StatusScreen("Hardware test", "OLED ok", level="info"))
        time.sleep(0.5)
        display.show(IdleScreen())
    finally:
        display.close()


def test_buttons_read_released_with_pull_ups(cfg: Config) -> None:
    from gpiozero import Button

    pins = [p for p in (cfg.buttons.pin_a, cfg.buttons.pin_b, cfg.buttons.pin_c) if p >= 0]
    buttons = [Button(p, pull_up=cfg.buttons.pull_up) for p in pins]
    try:
        pressed = [b.pin.number for b in buttons if b.is_pressed]
    finally:
        for b in buttons:
            b.close()
    assert pressed == [], f"pins read as pressed with nobody touching them: {pressed}"


def test_speaker_plays_a_cue(cfg: Config, tmp_path: Path) -> None:
    from edge_trainer.coach.cues import Cue, Priority
    from edge_trainer.hw.tts import SpeakerEngine

    engine = SpeakerEngine(cfg.speech)
    started: list[float] = []
    try:
        engine.speak(
            Cue("Hardware test", Priority.SUMMARY, "test", 0.0, 5.0), 1, lambda: started.append(1)
        )
    finally:
        engine.close()
    assert started == [1]


def test_pose_models_run_on_this_cpu(cfg: Config) -> None:
    from edge_trainer.pose.blazepose import BlazePoseEstimator

    est = BlazePoseEstimator.from_store(Path(cfg.paths.models_dir), cfg.pose)
    try:
        assert est.estimate(np.zeros((480, 640, 3), np.uint8), 0.0) is None
    finally:
        est.close()
