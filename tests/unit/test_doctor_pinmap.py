"""hardware/pinmap.toml and the wiring table agree with the config defaults doctor checks."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from edge_trainer import config as config_mod
from edge_trainer.doctor import I2C_PINS

HARDWARE = Path(__file__).resolve().parents[2] / "hardware"
# BCM number -> physical header pin on the 40-pin header.
HEADER = {2: 3, 3: 5, 17: 11, 27: 13, 22: 15, 18: 12, 19: 35, 21: 40}


def test_pinmap_is_a_valid_config_fragment_matching_the_defaults() -> None:
    data = tomllib.loads((HARDWARE / "pinmap.toml").read_text())
    cfg = config_mod.from_dict(data, "pinmap.toml")
    defaults = config_mod.Config()
    for key in ("pin_a", "pin_b", "pin_c", "pull_up"):
        assert getattr(cfg.buttons, key) == getattr(defaults.buttons, key), key
    for key in ("i2c_port", "i2c_address"):
        assert getattr(cfg.display, key) == getattr(defaults.display, key), key
    assert not I2C_PINS & {cfg.buttons.pin_a, cfg.buttons.pin_b, cfg.buttons.pin_c}


def test_wiring_table_names_the_default_pins_and_their_header_positions() -> None:
    readme = (HARDWARE / "README.md").read_text()
    b = config_mod.Config().buttons
    for label, pin in (("A", b.pin_a), ("B", b.pin_b), ("C", b.pin_c)):
        row = next(line for line in readme.splitlines() if line.startswith(f"| Button {label} "))
        assert f"| GPIO{pin} | {HEADER[pin]} " in row, row
        assert f"buttons.pin_{label.lower()} = {pin}" in row
    d = config_mod.Config().display
    assert f"`display.i2c_address = 0x{d.i2c_address:02X}`" in readme
    assert f"`display.i2c_port = {d.i2c_port}`" in readme
    assert re.search(r"\| SDA \| GPIO2 \(SDA1\) \| 3 \|", readme)
    assert re.search(r"\| SCL \| GPIO3 \(SCL1\) \| 5 \|", readme)
