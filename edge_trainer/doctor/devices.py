"""Doctor checks of the box's devices: camera, OLED, buttons, sound card and voice."""

from __future__ import annotations

import os
import time
from pathlib import Path

from edge_trainer.config import Config
from edge_trainer.doctor.checklist import Check, Env, group_fix, need_group

I2C_PINS = {2, 3}  # BCM SDA and SCL: a button there breaks the OLED bus


def _stand_in(name: str, kind: str, emulator: str, what: str, setting: str = "") -> Check | None:
    """The device's line when it is emulated (``kind == emulator``) or off, else None."""
    setting = setting or f"{name}.kind"
    if kind == emulator:
        return Check(name, "emulated", f"{what} ({setting} = '{emulator}')")
    if kind == "none":
        return Check(name, "skipped", f"{setting} = 'none'", required=False)
    return None


def check_camera(cfg: Config, env: Env) -> Check:
    """Open the configured frame source, read frames, measure the rate."""
    from edge_trainer.app import build_source
    from edge_trainer.errors import EdgeTrainerError

    cam = cfg.camera
    emulated = cam.source in ("video", "synthetic")
    busy = "; the running service holds the camera: sudo systemctl stop edge-trainer first"
    fixes = {
        "picamera2": "check the ribbon cable and camera_auto_detect=1 in config.txt; "
        "'rpicam-hello --list-cameras' must list the camera; apt install python3-picamera2" + busy,
        "usb": f"plug the camera in; 'ls /dev/video*' must show /dev/video{cam.device} "
        "(set camera.device to its number)" + busy,
        "video": "set camera.path to a readable video file",
        "synthetic": "report this as a bug",
    }
    try:
        source = build_source(cam, Path(cfg.paths.state_dir))
        source.open()
        try:
            frames, start, shape = 0, time.monotonic(), None
            while time.monotonic() - start < env.camera_seconds and frames < (
                5 if emulated else 60
            ):
                frame = source.read()
                if frame is None:
                    break
                frames, shape = frames + 1, frame.image.shape
            elapsed = time.monotonic() - start
        finally:
            source.close()
    except (EdgeTrainerError, OSError) as exc:
        return Check("camera", "fail", f"{cam.source}: {exc}", fixes[cam.source])
    if frames == 0 or shape is None:
        return Check("camera", "fail", f"{cam.source}: opened but gave no frame", fixes[cam.source])
    size = f"{shape[1]}x{shape[0]}"
    if emulated:
        return Check("camera", "emulated", f"{cam.source} source, {size} @ {source.fps:g} fps")
    fps = frames / max(elapsed, 1e-6)
    if fps < 0.5 * cam.fps:
        return Check(
            "camera", "warn", f"{cam.source} {size}: only {fps:.1f} fps of {cam.fps:g} asked",
            "lower camera.width/height or camera.fps; check the CPU is not throttled "
            "('vcgencmd get_throttled')", required=False,
        )  # fmt: skip
    return Check("camera", "ok", f"{cam.source} {size}: {fps:.1f} fps measured")


def check_display(cfg: Config, env: Env) -> Check:
    """The OLED's I2C bus exists, is accessible, and something answers at its address."""
    d = cfg.display
    off = _stand_in("display", d.kind, "emulator", "OLED emulator, PNG frames in the output folder")
    if off is not None:
        return off
    bus = env.dev / f"i2c-{d.i2c_port}"
    if not bus.exists():
        return Check(
            "display", "fail", f"no I2C bus {bus}",
            "enable I2C: sudo raspi-config nonint do_i2c 0, then reboot "
            "(or set display.i2c_port to the bus the OLED is on)",
        )  # fmt: skip
    if not os.access(bus, os.R_OK | os.W_OK):
        why = need_group(env, "i2c", "the OLED") or f"no read/write access to {bus}"
        return Check("display", "fail", why, group_fix("i2c"))
    try:
        env.probe_i2c(d.i2c_port, d.i2c_address)
    except ImportError:
        return Check("display", "fail", "smbus2 is not installed", "pip install 'edge-trainer[pi]'")
    except OSError as exc:
        return Check(
            "display", "fail",
            f"no device answers at 0x{d.i2c_address:02X} on {bus} ({exc.strerror or exc})",
            f"check the wiring (hardware/README.md: SDA pin 3, SCL pin 5, 3V3 pin 1, GND pin 6); "
            f"'i2cdetect -y {d.i2c_port}' shows the address; set display.i2c_address "
            "(0x3C or 0x3D)",
        )  # fmt: skip
    return Check("display", "ok", f"{d.kind} answers at 0x{d.i2c_address:02X} on {bus}")


def check_buttons(cfg: Config, env: Env) -> Check:
    """The configured pins are distinct, clear of I2C, and can be claimed."""
    b = cfg.buttons
    off = _stand_in("buttons", b.kind, "emulator", "scripted button commands")
    if off is not None:
        return off
    pins = [p for p in (b.pin_a, b.pin_b, b.pin_c) if p >= 0]
    if len(set(pins)) != len(pins):
        return Check(
            "buttons", "fail", f"two buttons share a pin: {pins}",
            "give buttons.pin_a/pin_b/pin_c different BCM numbers (defaults 17, 27, 22)",
        )  # fmt: skip
    clash = sorted(I2C_PINS & set(pins))
    if clash and cfg.display.kind in ("ssd1306", "sh1106"):
        return Check(
            "buttons", "fail", f"GPIO{clash[0]} is an I2C pin the OLED needs",
            "move that button to a free pin (defaults: 17, 27, 22)",
        )  # fmt: skip
    if env.pin_factory is None:
        chips = sorted(env.dev.glob("gpiochip*"))
        if not chips:
            return Check(
                "buttons", "fail", f"no GPIO chip in {env.dev}",
                "run on a Raspberry Pi, or set buttons.kind = 'emulator'",
            )  # fmt: skip
        why = need_group(env, "gpio", "the buttons")
        if why and not os.access(chips[0], os.R_OK | os.W_OK):
            return Check("buttons", "fail", why, group_fix("gpio"))
    from edge_trainer.errors import EdgeTrainerError
    from edge_trainer.hw.buttons import GpioButtons

    try:
        GpioButtons(b, pin_factory=env.pin_factory).close()
    except EdgeTrainerError as exc:
        return Check(
            "buttons", "fail", str(exc),
            "stop whatever holds the pin (the service: sudo systemctl stop edge-trainer) "
            "or choose another pin",
        )  # fmt: skip
    return Check("buttons", "ok", "pins " + ", ".join(f"GPIO{p}" for p in pins) + " claimed")


def check_audio(cfg: Config, env: Env) -> Check:
    """A sound card exists and is accessible when cues are spoken aloud."""
    kind = cfg.speech.kind
    off = _stand_in("audio", kind, "wav", "cues are written to WAV files", setting="speech.kind")
    if off is not None:
        return off
    cards_file = env.asound / "cards"
    cards = cards_file.read_text().strip() if cards_file.is_file() else ""
    if not cards or cards.startswith("--- no soundcards"):
        return Check(
            "audio", "fail", "no sound card",
            "plug in the USB speaker, or enable the I2S amplifier's overlay in config.txt "
            "(e.g. dtoverlay=max98357a) and reboot; 'aplay -l' lists the cards",
        )  # fmt: skip
    why = need_group(env, "audio", "the speaker")
    snd = env.dev / "snd"
    if why and not os.access(snd, os.R_OK | os.X_OK):
        return Check("audio", "fail", why, group_fix("audio"))
    first = cards.splitlines()[0].strip()
    return Check("audio", "ok", f"sound card: {first}")


def check_voice(cfg: Config, env: Env) -> Check:
    """espeak-ng is installed and knows the configured voice."""
    if cfg.speech.kind == "none":
        return Check("voice", "skipped", "speech.kind = 'none'", required=False)
    exe = env.which("espeak-ng")
    if exe is None:
        return Check("voice", "fail", "espeak-ng is not installed", "sudo apt install espeak-ng")
    done = env.run([exe, "-q", "-v", cfg.speech.voice, "ready"])
    if done.returncode != 0:
        return Check(
            "voice", "fail", f"espeak-ng has no voice '{cfg.speech.voice}'",
            "set speech.voice to a name from 'espeak-ng --voices' (e.g. en, en-us, en-gb)",
        )  # fmt: skip
    return Check("voice", "ok", f"espeak-ng voice '{cfg.speech.voice}'")
