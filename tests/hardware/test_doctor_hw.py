"""doctor on a real Pi with the box's config: every required check passes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edge_trainer import config as config_mod
from edge_trainer.doctor import format_checklist, run_checks

CONFIG = Path(os.environ.get("EDGE_TRAINER_CONFIG", "/etc/edge-trainer/config.toml"))

pytestmark = [
    pytest.mark.hardware,
    pytest.mark.skipif(
        not Path("/proc/device-tree/model").exists()
        or b"Raspberry Pi" not in Path("/proc/device-tree/model").read_bytes(),
        reason="not a Raspberry Pi",
    ),
    pytest.mark.skipif(not CONFIG.is_file(), reason=f"no box config at {CONFIG}"),
]


def test_doctor_passes_on_the_box() -> None:
    checks = run_checks(config_mod.load(CONFIG))
    assert not any(c.failed for c in checks), format_checklist(checks)
    assert not any(c.status == "emulated" for c in checks), format_checklist(checks)
