"""``edge-trainer doctor``: each check's pass, emulated and failure messages."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from edge_trainer import config as config_mod
from edge_trainer.cli import main
from edge_trainer.config import Config
from edge_trainer.doctor import (
    Env,
    check_audio,
    check_buttons,
    check_camera,
    check_clock,
    check_disk,
    check_display,
    check_llm,
    check_models,
    check_permissions,
    check_voice,
    format_checklist,
    run_checks,
)
from edge_trainer.models import store
from edge_trainer.models.install import install_set
from tests.clips import write_test_video
from tests.model_sets import DETECTOR, corrupt, pose_set


def _cfg(tmp: Path, **sections: dict[str, object]) -> Config:
    data: dict[str, dict[str, object]] = {
        "paths": {
            "state_dir": str(tmp / "state"),
            "models_dir": str(tmp / "models"),
            "output_dir": str(tmp / "out"),
        }
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return config_mod.from_dict(data)


@pytest.fixture
def env(tmp_path: Path) -> Env:
    dev = tmp_path / "dev"
    dev.mkdir()
    return Env(dev=dev, asound=tmp_path / "asound", is_root=False, groups=set)


# --- camera -----------------------------------------------------------------------------


def test_camera_video_is_reported_as_emulated(tmp_path: Path, env: Env) -> None:
    clip = write_test_video(tmp_path / "clip.mp4", frames=10)
    c = check_camera(_cfg(tmp_path, camera={"source": "video", "path": str(clip)}), env)
    assert (c.status, c.detail) == ("emulated", "video source, 64x48 @ 30 fps")


def test_camera_missing_video_fails_with_fix(tmp_path: Path, env: Env) -> None:
    c = check_camera(_cfg(tmp_path, camera={"path": str(tmp_path / "none.mp4")}), env)
    assert c.failed and c.detail.startswith("video: ") and "none.mp4" in c.detail
    assert c.fix == "set camera.path to a readable video file"


def test_camera_usb_that_is_absent_fails_with_fix(tmp_path: Path, env: Env) -> None:
    c = check_camera(_cfg(tmp_path, camera={"source": "usb", "device": 57}), env)
    assert c.failed and c.detail.startswith("usb: ")
    assert "/dev/video57" in c.fix


# --- display ----------------------------------------------------------------------------


def test_display_emulator_and_none(tmp_path: Path, env: Env) -> None:
    assert check_display(_cfg(tmp_path), env).status == "emulated"
    c = check_display(_cfg(tmp_path, display={"kind": "none"}), env)
    assert c.status == "skipped" and not c.required


def test_display_without_i2c_bus(tmp_path: Path, env: Env) -> None:
    c = check_display(_cfg(tmp_path, display={"kind": "ssd1306"}), env)
    assert c.failed and c.detail == f"no I2C bus {env.dev / 'i2c-1'}"
    assert c.fix.startswith("enable I2C: sudo raspi-config nonint do_i2c 0, then reboot")


def test_display_nothing_at_the_address(tmp_path: Path, env: Env) -> None:
    (env.dev / "i2c-1").touch()

    def no_answer(port: int, address: int) -> None:
        raise OSError(121, "Remote I/O error")

    env.probe_i2c = no_answer
    c = check_display(_cfg(tmp_path, display={"kind": "sh1106", "i2c_address": 0x3D}), env)
    assert c.failed
    assert c.detail == f"no device answers at 0x3D on {env.dev / 'i2c-1'} (Remote I/O error)"
    assert "'i2cdetect -y 1' shows the address" in c.fix and "SDA pin 3" in c.fix
    seen = []
    env.probe_i2c = lambda port, address: seen.append((port, address))
    c = check_display(_cfg(tmp_path, display={"kind": "sh1106", "i2c_address": 0x3D}), env)
    assert c.status == "ok" and seen == [(1, 0x3D)]


# --- buttons (gpiozero's MockFactory) ---------------------------------------------------


@pytest.fixture
def mock_pins(env: Env) -> object:
    from gpiozero.pins.mock import MockFactory

    env.pin_factory = MockFactory()
    yield env.pin_factory
    env.pin_factory.close()


def test_buttons_claim_the_pins(tmp_path: Path, env: Env, mock_pins: object) -> None:
    c = check_buttons(_cfg(tmp_path, buttons={"kind": "gpio"}), env)
    assert (c.status, c.detail) == ("ok", "pins GPIO17, GPIO27, GPIO22 claimed")
    # The pins are released again: a second check can claim them.
    assert check_buttons(_cfg(tmp_path, buttons={"kind": "gpio"}), env).status == "ok"


def test_buttons_pin_in_use(tmp_path: Path, env: Env, mock_pins: object) -> None:
    from gpiozero import Button

    held = Button(27, pin_factory=mock_pins)
    try:
        c = check_buttons(_cfg(tmp_path, buttons={"kind": "gpio"}), env)
    finally:
        held.close()
    assert c.failed and c.detail.startswith("button B on GPIO27 unusable")
    assert "sudo systemctl stop edge-trainer" in c.fix


def test_buttons_shared_and_i2c_pins(tmp_path: Path, env: Env, mock_pins: object) -> None:
    c = check_buttons(_cfg(tmp_path, buttons={"kind": "gpio", "pin_b": 17}), env)
    assert c.failed and c.detail == "two buttons share a pin: [17, 17, 22]"
    cfg = _cfg(tmp_path, buttons={"kind": "gpio", "pin_c": 3}, display={"kind": "ssd1306"})
    c = check_buttons(cfg, env)
    assert c.failed and c.detail == "GPIO3 is an I2C pin the OLED needs"


def test_buttons_without_a_gpio_chip(tmp_path: Path, env: Env) -> None:
    c = check_buttons(_cfg(tmp_path, buttons={"kind": "gpio"}), env)
    assert c.failed and c.detail == f"no GPIO chip in {env.dev}"
    assert check_buttons(_cfg(tmp_path), env).status == "emulated"


# --- audio and voice --------------------------------------------------------------------


def test_audio_no_card_and_no_group(tmp_path: Path, env: Env) -> None:
    cfg = _cfg(tmp_path, speech={"kind": "speaker"})
    c = check_audio(cfg, env)
    assert c.failed and c.detail == "no sound card" and "dtoverlay=max98357a" in c.fix
    env.asound.mkdir()
    (env.asound / "cards").write_text("--- no soundcards ---\n")
    assert check_audio(cfg, env).detail == "no sound card"
    (env.asound / "cards").write_text(" 0 [Device         ]: USB-Audio - USB PnP Sound Device\n")
    c = check_audio(cfg, env)
    assert c.failed and "is not in group 'audio' (needed for the speaker)" in c.detail
    assert c.fix.startswith("sudo usermod -aG audio ")
    env.is_root = True
    c = check_audio(cfg, env)
    assert c.status == "ok" and c.detail.startswith("sound card: 0 [Device")
    assert check_audio(_cfg(tmp_path), env).status == "emulated"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_voice_with_real_espeak(tmp_path: Path, env: Env) -> None:
    assert check_voice(_cfg(tmp_path, speech={"voice": "en"}), env).status == "ok"
    c = check_voice(_cfg(tmp_path, speech={"voice": "zz-nothing"}), env)
    assert c.failed and c.detail == "espeak-ng has no voice 'zz-nothing'"
    assert "'espeak-ng --voices'" in c.fix


def test_voice_without_espeak(tmp_path: Path, env: Env) -> None:
    env.which = lambda name: None
    c = check_voice(_cfg(tmp_path), env)
    assert c.failed and c.detail == "espeak-ng is not installed"
    assert c.fix == "sudo apt install espeak-ng"


# --- models and LLM ---------------------------------------------------------------------


def test_models_missing_corrupt_incomplete_and_ok(tmp_path: Path, env: Env) -> None:
    cfg = _cfg(tmp_path)
    c = check_models(cfg, env)
    assert c.failed and c.detail == f"no models installed in {tmp_path / 'models'}"
    assert c.fix.startswith("edge-trainer models provision")
    install_set(tmp_path / "models", pose_set(tmp_path / "set"), tmp_path / "state")
    c = check_models(cfg, env)
    assert c.status == "warn" and not c.required
    assert c.detail.endswith("lacks classifier: exercise recognition is off")
    fixed = _cfg(tmp_path, exercise={"exercise": "squat"})
    c = check_models(fixed, env)
    assert c.status == "ok" and c.detail.endswith(": 2 models verified")
    live = store.current_dir(tmp_path / "models") / DETECTOR[1]
    data = live.read_bytes()
    live.unlink()
    live.write_bytes(data)
    corrupt(live)
    c = check_models(fixed, env)
    assert c.failed and "has sha256" in c.detail and "models rollback" in c.fix


def test_models_without_a_pose_model_fail(tmp_path: Path, env: Env) -> None:
    only = pose_set(tmp_path / "set", roles={"pose_detector": DETECTOR[1]})
    install_set(tmp_path / "models", only, tmp_path / "state")
    c = check_models(_cfg(tmp_path), env)
    assert c.failed and c.detail.endswith("lacks pose_landmarks")


def test_llm_checks(tmp_path: Path, env: Env) -> None:
    c = check_llm(_cfg(tmp_path), env)
    assert c.status == "warn" and not c.required and "summaries use the plain template" in c.detail
    c = check_llm(_cfg(tmp_path, llm={"model_path": str(tmp_path / "x.gguf")}), env)
    assert c.status == "warn" and c.detail.endswith("x.gguf' does not exist")
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"GGUF" + b"\0" * 64)
    c = check_llm(_cfg(tmp_path, llm={"model_path": str(junk)}), env)
    assert c.status == "warn" and c.detail.startswith("junk.gguf does not load: ")
    assert check_llm(_cfg(tmp_path, llm={"enabled": False}), env).status == "skipped"


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="needs llama_cpp")
def test_llm_loads_in_llama_cpp(tmp_path: Path, env: Env) -> None:
    from tests.llm_fixture import build_tiny_gguf

    model = build_tiny_gguf(tmp_path / "tiny.gguf", n_layer=1)
    c = check_llm(_cfg(tmp_path, llm={"model_path": str(model)}), env)
    assert c.status == "ok" and c.detail.startswith("tiny.gguf: loaded by llama.cpp")


# --- system -----------------------------------------------------------------------------


def test_disk_space(tmp_path: Path, env: Env) -> None:
    assert check_disk(_cfg(tmp_path), env).status in ("ok", "warn")
    env.disk_usage = lambda p: SimpleNamespace(free=50 * 2**20)
    c = check_disk(_cfg(tmp_path), env)
    assert c.failed and c.detail == f"only 50 MB free on {tmp_path}"
    assert "journalctl --vacuum-size" in c.fix
    env.disk_usage = lambda p: SimpleNamespace(free=500 * 2**20)
    c = check_disk(_cfg(tmp_path), env)
    assert c.status == "warn" and not c.failed


def test_clock(tmp_path: Path, env: Env) -> None:
    env.which = lambda name: None
    assert check_clock(_cfg(tmp_path), env).status == "ok"
    env.now = lambda: 1_000_000_000.0
    c = check_clock(_cfg(tmp_path), env)
    assert c.failed and c.detail == "clock says 2001-09-09 01:46 UTC; sets would be misdated"
    assert c.fix.startswith("sudo timedatectl set-ntp true")
    env.now = lambda: 1_800_000_000.0
    env.which = lambda name: f"/usr/bin/{name}"
    env.run = lambda cmd: subprocess.CompletedProcess(cmd, 0, "no\n", "")
    c = check_clock(_cfg(tmp_path), env)
    assert c.status == "warn" and c.detail.endswith("not synchronised")


def test_permissions(tmp_path: Path, env: Env) -> None:
    assert check_permissions(_cfg(tmp_path), env).status == "ok"
    env.writable = lambda p: False
    c = check_permissions(_cfg(tmp_path), env)
    assert c.failed and c.detail.startswith(f"state folder {tmp_path / 'state'} is not writable")
    assert "sudo -u edge-trainer edge-trainer doctor" in c.fix


# --- the whole checklist ----------------------------------------------------------------


def test_checklist_format_and_a_crashing_check(tmp_path: Path, env: Env) -> None:
    env.disk_usage = lambda p: 1 / 0
    clip = write_test_video(tmp_path / "clip.mp4", frames=5)
    checks = run_checks(_cfg(tmp_path, camera={"path": str(clip)}), env)
    disk = next(c for c in checks if c.name == "disk")
    assert disk.failed and disk.detail.startswith("check crashed: ZeroDivisionError")
    text = format_checklist(checks)
    assert "[FAIL] disk " in text and "[emul] display " in text
    assert "fix: report this as a bug" in text
    assert text.splitlines()[-1] == "2 required check(s) failed: models, disk"


def test_doctor_cli_on_an_emulated_box(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip = write_test_video(tmp_path / "clip.mp4", frames=10)
    install_set(tmp_path / "models", pose_set(tmp_path / "set"), tmp_path / "state")
    cfg = tmp_path / "box.toml"
    cfg.write_text(
        f'[camera]\nsource = "video"\npath = "{clip}"\n[exercise]\nexercise = "squat"\n'
        f'[llm]\nenabled = false\n[paths]\nstate_dir = "{tmp_path / "state"}"\n'
        f'models_dir = "{tmp_path / "models"}"\noutput_dir = "{tmp_path / "out"}"\n'
    )
    code = main(["doctor", "--config", str(cfg)])
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "all required checks passed", out
    assert code == 0 and "[emul] camera " in out and "[emul] buttons " in out
    code = main(["doctor", "--config", str(cfg), "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0 and {r["name"] for r in rows} >= {"camera", "models", "clock"}
    shutil.rmtree(tmp_path / "models")
    code = main(["doctor", "--config", str(cfg)])
    out = capsys.readouterr().out
    assert code == 1 and out.splitlines()[-1] == "1 required check(s) failed: models"


# --- history ----------------------------------------------------------------------------


def test_history_sound_degraded_damaged_and_set_aside(tmp_path: Path, env: Env) -> None:
    from edge_trainer.doctor import check_history
    from edge_trainer.models.health import write_health
    from edge_trainer.session import HistoryStore
    from edge_trainer.session.store import open_history

    cfg = _cfg(tmp_path)
    state = tmp_path / "state"
    assert check_history(cfg, env).status == "ok"  # nothing recorded yet
    HistoryStore(state / "history.sqlite3").close()
    c = check_history(cfg, env)
    assert (c.status, c.detail) == ("ok", f"{state / 'history.sqlite3'} sound")
    write_health(state, "m1", "degraded", "not saving: database or disk is full")
    c = check_history(cfg, env)
    assert c.failed and "not saving" in c.detail and "free space" in c.fix
    write_health(state, "m1")
    (state / "history.sqlite3").write_bytes(b"garbage" * 500)
    c = check_history(cfg, env)
    assert c.failed and "--recover" in c.fix
    store, moved = open_history(state / "history.sqlite3")
    store.close()
    c = check_history(cfg, env)
    assert c.status == "warn" and not c.failed and str(moved) in c.fix
