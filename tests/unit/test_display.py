"""OLED screens drawn on luma's dummy device against reference PNGs, and the draw worker.

Set EDGE_TRAINER_REGEN_REFERENCE=1 to rewrite the reference PNGs after a deliberate
change of a screen's look (then look at them before committing).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from edge_trainer.config import DisplayConfig
from edge_trainer.errors import DeviceError, InputError
from edge_trainer.hw import display as display_mod
from edge_trainer.hw.display import (
    DisplayWorker,
    EmulatedDisplay,
    LumaDisplay,
    build_display,
    open_i2c_display,
    write_gif,
)
from edge_trainer.hw.screens import (
    FaultScreen,
    IdleScreen,
    LiveSetScreen,
    RestScreen,
    Screen,
    StatusScreen,
    SummaryScreen,
    render_image,
    summary_screen,
    wrap,
)

REFERENCE = Path(__file__).parent / "reference" / "oled"
REGEN = os.environ.get("EDGE_TRAINER_REGEN_REFERENCE") == "1"

LONG_SUMMARY = (
    "Ten squats. Depth was good on all but rep 7. Your last three reps slowed by "
    "22 percent, so rest the full 90 seconds before the next set."
)

SCREENS: dict[str, Screen] = {
    "idle": IdleScreen(),
    "idle_muted_push_up": IdleScreen(
        prompt="Step in front of the camera to start", exercise="push_up", muted=True
    ),
    "live_first": LiveSetScreen("push_up", 0),
    "live_fault": LiveSetScreen(
        "squat",
        7,
        set_number=2,
        partial_reps=1,
        eccentric_s=1.8,
        concentric_s=0.9,
        fault="Knees out",
    ),
    "live_three_digits_muted": LiveSetScreen(
        "jumping_jack", 123, eccentric_s=0.4, concentric_s=0.4, muted=True
    ),
    "fault_flash": FaultScreen("Knees out", 5),
    "fault_flash_two_lines": FaultScreen("Keep your hips up", 3),
    "rest": RestScreen(65, 90, "squat", 10, 2),
    "rest_overtime": RestScreen(-12, 90, "push_up", 8, 3),
    "summary_top": summary_screen("SQUAT x10", LONG_SUMMARY, 0.0),
    "summary_scrolled": summary_screen("SQUAT x10", LONG_SUMMARY, 6.0),
    "status_camera_lost": StatusScreen("Camera lost", "Retrying in 2 s"),
    "status_model_updating": StatusScreen("Model updating", "Loading pose model", "info"),
}


def _dummy_display() -> LumaDisplay:
    from luma.core.device import dummy

    return LumaDisplay(dummy(width=128, height=64, mode="1"))


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_screen_matches_reference(name: str) -> None:
    display = _dummy_display()
    display.show(SCREENS[name])
    image = display.device.image
    assert image.size == (128, 64)
    path = REFERENCE / f"{name}.png"
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path)
    assert path.exists(), f"missing reference {path}; run with EDGE_TRAINER_REGEN_REFERENCE=1"
    with Image.open(path) as ref:
        diff = ImageChops.difference(image.convert("L"), ref.convert("L")).getbbox()
    assert diff is None, f"{name} differs from its reference inside {diff}"


def test_reference_set_is_complete_and_screens_differ() -> None:
    on_disk = {p.stem for p in REFERENCE.glob("*.png")}
    assert on_disk == set(SCREENS)
    images = {name: render_image(s).tobytes() for name, s in SCREENS.items()}
    assert len(set(images.values())) == len(images), "two different screens drew the same"
    for name, data in images.items():
        assert any(data), f"{name} is blank"


def test_render_image_matches_luma_canvas() -> None:
    display = _dummy_display()
    screen = SCREENS["live_fault"]
    display.show(screen)
    diff = ImageChops.difference(
        display.device.image.convert("L"), render_image(screen).convert("L")
    )
    assert diff.getbbox() is None


def test_summary_scrolls_and_wraps_round() -> None:
    lines = wrap(LONG_SUMMARY, 122)
    assert len(lines) > 4
    firsts = [summary_screen("T", LONG_SUMMARY, s * 1.5).first_line for s in range(40)]
    assert firsts[0] == 0
    assert max(firsts) == len(lines) - 4
    assert (
        firsts
        == sorted(firsts[: firsts.index(max(firsts)) + 1]) + firsts[firsts.index(max(firsts)) + 1 :]
    )
    assert 0 in firsts[firsts.index(max(firsts)) :], "summary never wrapped back to the top"
    short = summary_screen("T", "Five reps.", 100.0)
    assert short == SummaryScreen("T", "Five reps.", 0)


def test_emulator_writes_png_per_changed_screen_and_gif(tmp_path: Path) -> None:
    worker = build_display(DisplayConfig(kind="emulator"), tmp_path)
    try:
        for rep in range(4):
            worker.show(LiveSetScreen("squat", rep), t=rep * 2.0)
            worker.show(LiveSetScreen("squat", rep), t=rep * 2.0 + 0.5)  # unchanged: no frame
        worker.show(RestScreen(90, 90, "squat", 3), t=9.25)
        assert worker.flush(10.0)
    finally:
        worker.close()
    frames = sorted((tmp_path / "oled").glob("oled_*.png"))
    assert [p.name for p in frames] == [
        "oled_00000_t0000.000.png",
        "oled_00001_t0002.000.png",
        "oled_00002_t0004.000.png",
        "oled_00003_t0006.000.png",
        "oled_00004_t0009.250.png",
    ]
    with Image.open(frames[-1]) as last:
        assert (
            ImageChops.difference(
                last.convert("L"), render_image(RestScreen(90, 90, "squat", 3)).convert("L")
            ).getbbox()
            is None
        )
    gif = tmp_path / "session.gif"
    assert write_gif(tmp_path / "oled", gif, scale=2) == 5
    with Image.open(gif) as anim:
        assert anim.size == (256, 128)
        assert anim.n_frames == 5
        assert anim.info["duration"] == 2000


def test_emulator_new_run_replaces_old_frames(tmp_path: Path) -> None:
    first = EmulatedDisplay(tmp_path)
    first.show(IdleScreen(), 0.0)
    first.show(IdleScreen(muted=True), 1.0)
    second = EmulatedDisplay(tmp_path)
    second.show(IdleScreen(), 5.0)
    assert [p.name for p in tmp_path.glob("oled_*.png")] == ["oled_00000_t0005.000.png"]
    assert len((tmp_path / "index.jsonl").read_text().splitlines()) == 1


def test_write_gif_without_frames_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no OLED frames"):
        write_gif(tmp_path, tmp_path / "x.gif")


class _SlowDisplay:
    """A real dummy-device display whose writes wait on a gate, like a stuck I2C bus."""

    def __init__(self) -> None:
        self.inner = _dummy_display()
        self.gate = threading.Event()
        self.started = threading.Event()
        self.drawn: list[Screen] = []

    def show(self, screen: Screen, t: float | None = None) -> None:
        self.started.set()
        assert self.gate.wait(10.0)
        self.inner.show(screen, t)
        self.drawn.append(screen)

    def close(self) -> None:
        self.inner.close()


def test_worker_keeps_only_the_newest_screen_while_the_device_is_busy() -> None:
    slow = _SlowDisplay()
    worker = DisplayWorker(slow)
    try:
        worker.show(LiveSetScreen("squat", 1))
        assert slow.started.wait(5.0)
        for rep in range(2, 7):  # returns at once although the device is stuck
            worker.show(LiveSetScreen("squat", rep))
        assert worker.superseded == 4
        slow.gate.set()
        assert worker.flush(5.0)
    finally:
        worker.close()
    assert slow.drawn == [LiveSetScreen("squat", 1), LiveSetScreen("squat", 6)]


class _BrokenDisplay:
    """Fails its first writes the way luma does when the panel drops off the bus."""

    def __init__(self, failures: int) -> None:
        self.inner = _dummy_display()
        self.failures = failures

    def show(self, screen: Screen, t: float | None = None) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise OSError(121, "Remote I/O error")
        self.inner.show(screen, t)

    def close(self) -> None:
        self.inner.close()


def test_failing_display_is_logged_once_and_work_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    broken = _BrokenDisplay(failures=3)
    worker = DisplayWorker(broken)
    with caplog.at_level(logging.WARNING, logger=display_mod.__name__):
        try:
            for rep in range(5):
                worker.show(LiveSetScreen("squat", rep))
                assert worker.flush(5.0)
            last = broken.inner.device.image.convert("L")
        finally:
            worker.close()
    failures = [r for r in caplog.records if "display write failed" in r.getMessage()]
    assert len(failures) == 1
    assert worker.errors == 3
    assert worker.shown == 2
    assert any("works again" in r.getMessage() for r in caplog.records)
    expected = render_image(LiveSetScreen("squat", 4)).convert("L")
    assert ImageChops.difference(last, expected).getbbox() is None


def test_close_is_idempotent_and_show_after_close_is_ignored(tmp_path: Path) -> None:
    worker = build_display(DisplayConfig(kind="emulator"), tmp_path)
    worker.close()
    worker.close()
    worker.show(IdleScreen(), 1.0)
    assert not list((tmp_path / "oled").glob("oled_*.png"))


def test_missing_i2c_bus_is_a_device_error() -> None:
    cfg = DisplayConfig(kind="sh1106", i2c_port=250)
    with pytest.raises(DeviceError, match=r"/dev/i2c-250 at 0x3C"):
        open_i2c_display(cfg)
