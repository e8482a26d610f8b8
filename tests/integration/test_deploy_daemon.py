"""push-model to a box running the real ``edge-trainer run`` daemon: it reloads the new set."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge_trainer.models import health, store
from edge_trainer.models.install import install_set
from tests.clips import write_test_video
from tests.model_sets import pose_set
from tests.sshd import LoopbackSshd

REPO = Path(__file__).resolve().parents[2]
PUSH = REPO / "deploy" / "push-model"
EDGE_TRAINER = Path(sys.executable).with_name("edge-trainer")

pytestmark = pytest.mark.slow


@pytest.fixture
def box(tmp_path: Path) -> Iterator[tuple[Path, Path, subprocess.Popen[str]]]:
    models, state = tmp_path / "models", tmp_path / "state"
    first = install_set(models, pose_set(tmp_path / "first", "first"), state).version
    # A slow clip keeps pose inference light while the daemon waits for the push.
    clip = write_test_video(tmp_path / "clip.mp4", frames=600, fps=5.0)
    cfg = tmp_path / "box.toml"
    cfg.write_text(
        f'[camera]\nsource = "video"\npath = "{clip}"\n[exercise]\nexercise = "squat"\n'
        '[speech]\nkind = "none"\n[display]\nkind = "none"\n[llm]\nenabled = false\n'
        f'[paths]\nstate_dir = "{state}"\nmodels_dir = "{models}"\n'
        f'output_dir = "{tmp_path / "out"}"\n'
    )
    log = (tmp_path / "daemon.log").open("w")
    proc = subprocess.Popen(
        [str(EDGE_TRAINER), "--log-level", "info", "run", "--config", str(cfg)],
        stdout=log, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while True:
        report = health.read_health(state)
        if report is not None and report.manifest_id == first and report.pid == proc.pid:
            break
        assert proc.poll() is None, (tmp_path / "daemon.log").read_text()
        assert time.monotonic() < deadline, "the daemon did not report healthy at start"
        time.sleep(0.2)
    yield models, state, proc
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()


def test_push_to_a_running_daemon(
    tmp_path: Path, box: tuple[Path, Path, subprocess.Popen[str]]
) -> None:
    models, state, proc = box
    sshd = LoopbackSshd(tmp_path / "sshd")
    try:
        done = subprocess.run(
            [
                str(PUSH), "-F", str(sshd.ssh_config), "--remote-cmd", str(EDGE_TRAINER),
                "--models-dir", str(models), "--state-dir", str(state),
                "--staging", str(tmp_path / "staging"), "--health-timeout", "60",
                "box", str(pose_set(tmp_path / "second", "second")),
            ],
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
    finally:
        sshd.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"reload: SIGHUP to pid {proc.pid}" in done.stdout
    live = store.current_version(models)
    assert live is not None and live.endswith("-second")
    report = health.read_health(state)
    assert report is not None and report.ok and report.manifest_id == live
    assert proc.poll() is None  # still running, now on the new set
    assert f"models {live} loaded: pose_detector=" in (tmp_path / "daemon.log").read_text()
