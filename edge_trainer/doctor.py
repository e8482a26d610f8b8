"""``edge-trainer doctor``: check the box's devices, models and system; a fix for each failure."""

from __future__ import annotations

import argparse
import getpass
import grp
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from edge_trainer.config import Config

Status = Literal["ok", "fail", "warn", "emulated", "skipped"]
MARKS = {"ok": " ok ", "fail": "FAIL", "warn": "warn", "emulated": "emul", "skipped": "skip"}

MIN_FREE_MB = 200
LOW_FREE_MB = 1024
# The clock of a Pi without network or RTC starts at the last saved time; anything before
# this is certainly wrong and would misdate every set.
EARLIEST_PLAUSIBLE = 1735689600.0  # 2025-01-01 UTC
I2C_PINS = {2, 3}  # BCM SDA and SCL: a button there breaks the OLED bus


@dataclass(frozen=True)
class Check:
    """One line of the checklist."""

    name: str
    status: Status
    detail: str
    fix: str = ""
    required: bool = True

    @property
    def failed(self) -> bool:
        """True for a failed required check (the ones that set the exit code)."""
        return self.status == "fail" and self.required


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)


def _groups() -> set[str]:
    return {grp.getgrgid(g).gr_name for g in os.getgroups()} | {grp.getgrgid(os.getgid()).gr_name}


def _probe_i2c(port: int, address: int) -> None:
    from smbus2 import SMBus

    with SMBus(port) as bus:
        bus.read_byte(address)


@dataclass
class Env:
    """The parts of the system the checks look at; tests point them at their own."""

    dev: Path = Path("/dev")
    asound: Path = Path("/proc/asound")
    pin_factory: Any = None
    which: Callable[[str], str | None] = shutil.which
    run: Callable[[list[str]], subprocess.CompletedProcess[str]] = _run
    now: Callable[[], float] = time.time
    groups: Callable[[], set[str]] = _groups
    is_root: bool = field(default_factory=lambda: os.geteuid() == 0)
    probe_i2c: Callable[[int, int], None] = _probe_i2c
    camera_seconds: float = 2.0
    disk_usage: Callable[[Path], Any] = shutil.disk_usage
    writable: Callable[[Path], bool] = field(default=lambda p: os.access(p, os.W_OK | os.X_OK))


def _need_group(env: Env, group: str, what: str) -> str:
    """A failure detail when the current user lacks ``group``, else ''."""
    if env.is_root or group in env.groups():
        return ""
    return f"user {getpass.getuser()} is not in group '{group}' (needed for {what})"


def _group_fix(group: str) -> str:
    return (
        f"sudo usermod -aG {group} {getpass.getuser()} and log in again "
        "(the service gets it from SupplementaryGroups in its unit)"
    )


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
    if d.kind == "emulator":
        return Check("display", "emulated", "OLED emulator (PNG frames in the output folder)")
    if d.kind == "none":
        return Check("display", "skipped", "display.kind = 'none'", required=False)
    bus = env.dev / f"i2c-{d.i2c_port}"
    if not bus.exists():
        return Check(
            "display", "fail", f"no I2C bus {bus}",
            "enable I2C: sudo raspi-config nonint do_i2c 0, then reboot "
            "(or set display.i2c_port to the bus the OLED is on)",
        )  # fmt: skip
    if not os.access(bus, os.R_OK | os.W_OK):
        why = _need_group(env, "i2c", "the OLED") or f"no read/write access to {bus}"
        return Check("display", "fail", why, _group_fix("i2c"))
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
    if b.kind == "emulator":
        return Check("buttons", "emulated", "scripted button commands (buttons.kind = 'emulator')")
    if b.kind == "none":
        return Check("buttons", "skipped", "buttons.kind = 'none'", required=False)
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
        why = _need_group(env, "gpio", "the buttons")
        if why and not os.access(chips[0], os.R_OK | os.W_OK):
            return Check("buttons", "fail", why, _group_fix("gpio"))
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
    if kind == "wav":
        return Check("audio", "emulated", "cues are written to WAV files (speech.kind = 'wav')")
    if kind == "none":
        return Check("audio", "skipped", "speech.kind = 'none'", required=False)
    cards_file = env.asound / "cards"
    cards = cards_file.read_text().strip() if cards_file.is_file() else ""
    if not cards or cards.startswith("--- no soundcards"):
        return Check(
            "audio", "fail", "no sound card",
            "plug in the USB speaker, or enable the I2S amplifier's overlay in config.txt "
            "(e.g. dtoverlay=max98357a) and reboot; 'aplay -l' lists the cards",
        )  # fmt: skip
    why = _need_group(env, "audio", "the speaker")
    snd = env.dev / "snd"
    if why and not os.access(snd, os.R_OK | os.X_OK):
        return Check("audio", "fail", why, _group_fix("audio"))
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


def check_models(cfg: Config, env: Env) -> Check:
    """The live model set exists, verifies, and has the roles the pipeline needs."""
    from edge_trainer.errors import ModelError
    from edge_trainer.models import store

    root = Path(cfg.paths.models_dir)
    fix = "edge-trainer models provision (or install a set: deploy/push-model)"
    try:
        manifest = store.verify_version(store.current_dir(root))
    except ModelError as exc:
        if "no models installed" in str(exc):
            return Check("models", "fail", f"no models installed in {root}", fix)
        return Check(
            "models", "fail", str(exc),
            "edge-trainer models rollback (back to the last good set), then push the set again",
        )  # fmt: skip
    missing = [r for r in ("pose_detector", "pose_landmarks") if r not in manifest.models]
    if missing:
        return Check("models", "fail", f"set {manifest.id} lacks {', '.join(missing)}", fix)
    if cfg.exercise.exercise == "auto" and "classifier" not in manifest.models:
        # The daemon runs without it, counting sets as 'unknown' exercise.
        return Check(
            "models", "warn", f"set {manifest.id} lacks classifier: exercise recognition is off",
            fix + "; or set exercise.exercise to a fixed exercise", required=False,
        )  # fmt: skip
    return Check("models", "ok", f"set {manifest.id}: {len(manifest.models)} models verified")


def check_llm(cfg: Config, env: Env) -> Check:
    """The summary LLM's GGUF file loads in llama.cpp (optional: summaries fall back)."""
    from edge_trainer.errors import ModelError
    from edge_trainer.models import store

    if not cfg.llm.enabled:
        return Check("llm", "skipped", "llm.enabled = false", required=False)
    path = Path(cfg.llm.model_path) if cfg.llm.model_path else None
    if path is None:
        try:
            path, _ = store.resolve(Path(cfg.paths.models_dir), "llm")
        except ModelError as exc:
            return Check(
                "llm", "warn", f"no LLM model ({exc}); summaries use the plain template",
                "edge-trainer models fetch-llm URL-or-FILE", required=False,
            )  # fmt: skip
    if not path.is_file():
        return Check(
            "llm", "warn", f"llm.model_path '{path}' does not exist",
            "fix llm.model_path or empty it to use the model store", required=False,
        )  # fmt: skip
    done = env.run([sys.executable, "-m", "edge_trainer.models.trial", "load-gguf", str(path)])
    if done.returncode != 0:
        why = (done.stdout.strip() or done.stderr.strip() or "crashed").splitlines()[-1]
        return Check(
            "llm", "warn", f"{path.name} does not load: {why}",
            "pip install 'edge-trainer[llm]'; fetch the model again with "
            "'edge-trainer models fetch-llm'", required=False,
        )  # fmt: skip
    return Check("llm", "ok", f"{path.name}: {done.stdout.strip()}", required=False)


def check_disk(cfg: Config, env: Env) -> Check:
    """Free space where history and models are kept."""
    state = Path(cfg.paths.state_dir)
    probe = next((p for p in (state, *state.resolve().parents) if p.exists()), Path("/"))
    free_mb = env.disk_usage(probe).free / 2**20
    fix = "free space: sudo journalctl --vacuum-size=100M; sudo apt clean; old model versions " \
        "go with 'edge-trainer models install --keep 2'"  # fmt: skip
    if free_mb < MIN_FREE_MB:
        return Check("disk", "fail", f"only {free_mb:.0f} MB free on {probe}", fix)
    if free_mb < LOW_FREE_MB:
        return Check("disk", "warn", f"{free_mb:.0f} MB free on {probe}", fix, required=False)
    return Check("disk", "ok", f"{free_mb / 1024:.1f} GB free on {probe}")


def check_clock(cfg: Config, env: Env) -> Check:
    """The clock is plausible, and synchronised when systemd can tell."""
    now = env.now()
    fix = "sudo timedatectl set-ntp true (needs the network once), or fit an RTC module"
    if now < EARLIEST_PLAUSIBLE:
        shown = time.strftime("%Y-%m-%d %H:%M", time.gmtime(now))
        return Check("clock", "fail", f"clock says {shown} UTC; sets would be misdated", fix)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(now))
    if env.which("timedatectl") is not None:
        done = env.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"])
        if done.returncode == 0 and done.stdout.strip() == "no":
            return Check("clock", "warn", f"{stamp}, not synchronised", fix, required=False)
    return Check("clock", "ok", stamp)


def check_permissions(cfg: Config, env: Env) -> Check:
    """The state and model folders are writable."""
    problems = []
    for label, folder in (("state", cfg.paths.state_dir), ("models", cfg.paths.models_dir)):
        p = Path(folder)
        target = next((q for q in (p, *p.resolve().parents) if q.exists()), Path("/"))
        if not env.writable(target):
            problems.append(f"{label} folder {p} is not writable by {getpass.getuser()}")
    if problems:
        return Check(
            "permissions", "fail", "; ".join(problems),
            "run as the service user: sudo -u edge-trainer edge-trainer doctor "
            "(install.sh creates /var/lib/edge-trainer for it)",
        )  # fmt: skip
    return Check("permissions", "ok", f"{cfg.paths.state_dir} and {cfg.paths.models_dir} writable")


CHECKS: tuple[Callable[[Config, Env], Check], ...] = (
    check_camera, check_display, check_buttons, check_audio, check_voice,
    check_models, check_llm, check_disk, check_clock, check_permissions,
)  # fmt: skip


def run_checks(cfg: Config, env: Env | None = None) -> list[Check]:
    """Run every check; a check that raises is reported as failed, never aborts the rest."""
    env = env or Env()
    out = []
    for fn in CHECKS:
        name = fn.__name__.removeprefix("check_")
        try:
            out.append(fn(cfg, env))
        except Exception as exc:  # a broken check must not hide the others
            out.append(Check(name, "fail", f"check crashed: {exc!r}", "report this as a bug"))
    return out


def format_checklist(checks: list[Check]) -> str:
    """The human checklist: one line per check, a ``fix:`` line under each problem."""
    lines = []
    for c in checks:
        lines.append(f"[{MARKS[c.status]}] {c.name:<12} {c.detail}")
        if c.fix and c.status in ("fail", "warn"):
            lines.append(f"       {'':<12} fix: {c.fix}")
    failed = [c.name for c in checks if c.failed]
    lines.append(
        f"{len(failed)} required check(s) failed: {', '.join(failed)}"
        if failed
        else "all required checks passed"
    )
    return "\n".join(lines)


def register(sub: Any) -> None:
    """Add ``edge-trainer doctor`` to the CLI."""
    p = sub.add_parser("doctor", help="check camera, display, buttons, audio, models, system")
    p.add_argument("--config", type=Path, help="TOML config (default: as 'models')")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    from edge_trainer import config as config_mod
    from edge_trainer.config import find as config_path

    path = config_path(args.config)
    checks = run_checks(config_mod.load(path))
    if args.json:
        print(json.dumps([asdict(c) | {"failed": c.failed} for c in checks], indent=2))
    else:
        print(f"edge-trainer doctor (config: {path or 'built-in defaults'})")
        print(format_checklist(checks))
    return 1 if any(c.failed for c in checks) else 0
