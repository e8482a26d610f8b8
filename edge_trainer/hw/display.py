"""The OLED: luma.oled over I2C, luma's dummy device writing PNG frames, and a draw worker.

Every display draws the same screens (``hw.screens``) through luma's ``canvas``. The app
talks to a ``DisplayWorker``: ``show`` only records the newest screen and returns, and a
worker thread does the (slow, possibly failing) I2C write, so the frame path never waits
for the panel and a panel that fails never stops the box.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, Protocol

from edge_trainer.config import DisplayConfig
from edge_trainer.errors import DeviceError, InputError, missing_dependency
from edge_trainer.hw.screens import HEIGHT, WIDTH, Screen, render

log = logging.getLogger(__name__)

INDEX_NAME = "index.jsonl"


class Display(Protocol):
    """Something that can show a screen state."""

    def show(self, screen: Screen, t: float | None = None) -> None:
        """Draw ``screen`` now; ``t`` is the source time that caused it, if known."""
        ...

    def close(self) -> None:
        """Release the device. Safe to call more than once."""
        ...


class LumaDisplay:
    """Draws screens on a luma device (a real OLED or luma's ``dummy``)."""

    def __init__(self, device: Any) -> None:
        """Wrap an already-initialised luma device."""
        from luma.core.render import canvas

        self._canvas = canvas
        self.device = device
        self._closed = False

    def show(self, screen: Screen, t: float | None = None) -> None:
        """Draw ``screen``; an I2C failure propagates (the worker logs it)."""
        with self._canvas(self.device) as draw:
            render(screen, draw)

    def close(self) -> None:
        """Blank and release the panel (luma's cleanup), once."""
        if self._closed:
            return
        self._closed = True
        self.device.cleanup()


def open_i2c_display(cfg: DisplayConfig) -> LumaDisplay:
    """Open an SSD1306 or SH1106 128x64 OLED on the configured I2C bus.

    Raises:
        DependencyError: luma.oled (or smbus2) is not installed.
        DeviceError: the bus does not exist, is not accessible, or no panel answers.
    """
    try:
        from luma.core.error import Error as LumaError
        from luma.core.interface.serial import i2c
        from luma.oled.device import sh1106, ssd1306
    except ImportError as exc:
        raise missing_dependency("luma.oled", extra="pi") from exc
    driver = {"ssd1306": ssd1306, "sh1106": sh1106}.get(cfg.kind)
    if driver is None:
        raise DeviceError(f"display.kind {cfg.kind!r} is not an I2C OLED driver")
    where = f"/dev/i2c-{cfg.i2c_port} at 0x{cfg.i2c_address:02X}"
    try:
        serial = i2c(port=cfg.i2c_port, address=cfg.i2c_address)
        device = driver(serial, width=WIDTH, height=HEIGHT, rotate=cfg.rotate)
    except (LumaError, OSError) as exc:
        raise DeviceError(f"OLED {cfg.kind} not usable on {where}: {exc}") from exc
    log.info("OLED %s opened on %s", cfg.kind, where)
    return LumaDisplay(device)


class EmulatedDisplay:
    """luma's ``dummy`` device, same drawing code, each frame written as a PNG.

    Files are ``oled_NNNNN_tSSSS.SSS.png`` (frame number, source time), and one JSON
    line per frame goes to ``index.jsonl`` so the frames can be replayed or made a GIF.
    """

    def __init__(self, frames_dir: str | Path, rotate: int = 0) -> None:
        """Create ``frames_dir`` and start numbering frames from 0."""
        try:
            from luma.core.device import dummy
        except ImportError as exc:
            raise missing_dependency("luma.core", extra="emulator") from exc
        self.frames_dir = Path(frames_dir)
        try:
            self.frames_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeviceError(f"cannot create OLED frame folder {self.frames_dir}: {exc}") from exc
        # A new run starts a new frame sequence; frames of an earlier run would mix in.
        stale = sorted(self.frames_dir.glob("oled_*.png"))
        for old in [*stale, self.frames_dir / INDEX_NAME]:
            old.unlink(missing_ok=True)
        if stale:
            log.info("removed %d OLED frames of an earlier run from %s", len(stale), frames_dir)
        self._luma = LumaDisplay(dummy(width=WIDTH, height=HEIGHT, rotate=rotate, mode="1"))
        self.frames = 0

    def show(self, screen: Screen, t: float | None = None) -> None:
        """Draw ``screen`` on the dummy device and write the frame."""
        self._luma.show(screen, t)
        stamp = "" if t is None else f"_t{t:08.3f}"
        path = self.frames_dir / f"oled_{self.frames:05d}{stamp}.png"
        self._luma.device.image.save(path)
        entry = {"frame": self.frames, "t": t, "file": path.name, "screen": type(screen).__name__}
        with (self.frames_dir / INDEX_NAME).open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
        self.frames += 1

    def close(self) -> None:
        """Nothing to release: the frames are already on disk."""


class NullDisplay:
    """No display configured (``display.kind = "none"``)."""

    def show(self, screen: Screen, t: float | None = None) -> None:
        """Do nothing."""

    def close(self) -> None:
        """Do nothing."""


class DisplayWorker:
    """Shows screens on a worker thread; ``show`` never waits for the device.

    ``show`` skips a screen equal to the last one (no redraw when nothing changed),
    queues the screen and returns. With ``backlog=1`` (a real panel) only the newest
    screen waits: an I2C write that lags makes the panel skip stale screens, counted in
    ``superseded``. The emulator uses a longer backlog so every screen becomes a PNG
    frame; the queue is still bounded and drops its oldest entry when full. A device
    that raises is logged once per outage, counted in ``errors``, and tried again on
    the next change.
    """

    def __init__(self, display: Display, name: str = "oled", backlog: int = 1) -> None:
        """Start the worker thread for ``display`` with at most ``backlog`` queued screens."""
        self.display = display
        self.shown = 0
        self.superseded = 0
        self.errors = 0
        self._cond = threading.Condition()
        self._pending: deque[tuple[Screen, float | None]] = deque(maxlen=max(1, backlog))
        self._last: Screen | None = None
        self._busy = False
        self._closed = False
        self._failing = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def last_screen(self) -> Screen | None:
        """The newest screen handed to ``show``."""
        return self._last

    def show(self, screen: Screen, t: float | None = None) -> None:
        """Queue ``screen`` for drawing unless it is what the display already shows."""
        with self._cond:
            if self._closed or screen == self._last:
                return
            self._last = screen
            if len(self._pending) == self._pending.maxlen:
                self.superseded += 1
            self._pending.append((screen, t))
            self._cond.notify()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued screen is drawn; False if ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Draw what is pending, stop the worker and release the device. Idempotent."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)
        try:
            self.display.close()
        except Exception:
            log.exception("closing the display failed")

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if not self._pending:
                    return
                screen, t = self._pending.popleft()
                self._busy = True
            try:
                self.display.show(screen, t)
            except Exception:
                self.errors += 1
                if not self._failing:
                    self._failing = True
                    log.exception("display write failed; carrying on without the display")
            else:
                self.shown += 1
                if self._failing:
                    self._failing = False
                    log.warning("display works again after %d failed writes", self.errors)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()


def build_display(cfg: DisplayConfig, output_dir: str | Path) -> DisplayWorker:
    """The display the config asks for, behind a worker.

    ``kind="emulator"`` writes PNG frames to ``<output_dir>/oled``.

    Raises:
        DeviceError: a real OLED is configured but cannot be opened.
        DependencyError: its driver package is missing.
    """
    display: Display
    backlog = 1
    if cfg.kind == "emulator":
        display = EmulatedDisplay(Path(output_dir) / "oled", rotate=cfg.rotate)
        backlog = cfg.emulator_backlog
    elif cfg.kind == "none":
        display = NullDisplay()
    else:
        display = open_i2c_display(cfg)
    return DisplayWorker(display, backlog=backlog)


def write_gif(frames_dir: str | Path, gif_path: str | Path, scale: int = 2) -> int:
    """Assemble the PNG frames listed in ``index.jsonl`` into an animated GIF.

    Each frame stays up for the source time until the next one (at least 50 ms; the
    last for one second), so the GIF replays the session at its own pace.

    Returns:
        The number of frames in the GIF.

    Raises:
        InputError: there are no frames to assemble.
    """
    from PIL import Image

    folder = Path(frames_dir)
    index = folder / INDEX_NAME
    if not index.exists():
        raise InputError(f"no OLED frames in {folder} (missing {INDEX_NAME})")
    entries = [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines()]
    if not entries:
        raise InputError(f"no OLED frames in {folder}")
    images = []
    for e in entries:
        with Image.open(folder / e["file"]) as im:
            big = im.convert("L").resize(
                (im.width * scale, im.height * scale), Image.Resampling.NEAREST
            )
            images.append(big)
    durations = []
    for cur, nxt in zip(entries, [*entries[1:], None], strict=True):
        if nxt is None or cur["t"] is None or nxt["t"] is None:
            durations.append(1000)
        else:
            durations.append(max(50, round((nxt["t"] - cur["t"]) * 1000)))
    images[0].save(gif_path, save_all=True, append_images=images[1:], duration=durations, loop=0)
    return len(images)
