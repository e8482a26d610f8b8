"""deploy/push-model over a real loopback sshd into a temporary box root."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge_trainer.models import health, store
from edge_trainer.models.install import install_set
from tests.model_sets import DETECTOR, corrupt, pose_set
from tests.sshd import LoopbackSshd

REPO = Path(__file__).resolve().parents[2]
PUSH = REPO / "deploy" / "push-model"
EDGE_TRAINER = Path(sys.executable).with_name("edge-trainer")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackSshd]:
    server = LoopbackSshd(tmp_path_factory.mktemp("sshd"))
    yield server
    server.stop()


class Box:
    """A box root on this machine, reached through the loopback sshd."""

    def __init__(self, root: Path, sshd: LoopbackSshd) -> None:
        self.models = root / "models"
        self.state = root / "state"
        self.staging = root / "staging"
        self.sshd = sshd

    def push(self, src: Path, *extra: str, host: str = "box") -> subprocess.CompletedProcess[str]:
        cmd = [
            str(PUSH), "-F", str(self.sshd.ssh_config), "--remote-cmd", str(EDGE_TRAINER),
            "--models-dir", str(self.models), "--state-dir", str(self.state),
            "--staging", str(self.staging), *extra, host, str(src),
        ]  # fmt: skip
        return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)

    def start_push(self, src: Path, *extra: str) -> subprocess.Popen[str]:
        cmd = [
            str(PUSH), "-F", str(self.sshd.ssh_config), "--remote-cmd", str(EDGE_TRAINER),
            "--models-dir", str(self.models), "--state-dir", str(self.state),
            "--staging", str(self.staging), *extra, "box", str(src),
        ]  # fmt: skip
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def seed(self, src: Path) -> str:
        """Install a first set directly, as if pushed earlier; returns its version."""
        return install_set(self.models, src, self.state, reload="none").version

    def staged(self) -> list[Path]:
        return sorted(self.staging.glob("*")) if self.staging.exists() else []


@pytest.fixture
def box(tmp_path: Path, sshd: LoopbackSshd) -> Box:
    return Box(tmp_path / "box", sshd)


@pytest.fixture
def daemon(box: Box) -> Iterator[object]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(mode: str) -> subprocess.Popen[bytes]:
        cmd = [sys.executable, "-m", "tests.fake_daemon", str(box.state), str(box.models), mode]
        proc = subprocess.Popen(cmd, cwd=REPO)
        procs.append(proc)
        deadline = time.monotonic() + 20
        while health.read_pid(box.state) != proc.pid:
            assert time.monotonic() < deadline, "fake daemon did not start"
            time.sleep(0.05)
        return proc

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)


COPY_TOOLS = [
    "scp",
    pytest.param(
        "rsync",
        marks=pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed"),
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("tool", COPY_TOOLS)
def test_push_installs_and_the_daemon_reloads(
    tmp_path: Path, box: Box, daemon: object, tool: str
) -> None:
    first = box.push(pose_set(tmp_path / "a", "first"), "--copy", tool)
    assert f" with {tool}\n" in first.stdout
    assert first.returncode == 0, first.stderr
    assert "==> box: OK: model set installed and live" in first.stdout
    assert "no daemon running" in first.stdout
    proc = daemon("healthy")  # type: ignore[operator]
    second = box.push(pose_set(tmp_path / "b", "second"))
    assert second.returncode == 0, second.stderr
    assert f"reload: SIGHUP to pid {proc.pid}" in second.stdout
    live = store.verify_version(store.current_dir(box.models))
    assert live.id.endswith("-second") and live.provenance == "installed from second"
    report = health.read_health(box.state)
    assert report is not None and report.manifest_id == live.id
    assert box.staged() == []


@pytest.mark.slow
def test_corrupt_file_is_rejected_and_current_unchanged(tmp_path: Path, box: Box) -> None:
    live = box.seed(pose_set(tmp_path / "a"))
    bad = pose_set(tmp_path / "bad")
    corrupt(bad / DETECTOR[1])
    done = box.push(bad)
    assert done.returncode == 2
    assert "REJECTED: the live model set is unchanged" in done.stderr
    assert "(pose_detector) has sha256" in done.stderr
    assert store.current_version(box.models) == live
    assert [v.id for v in store.list_versions(box.models)] == [live]
    assert box.staged() == []


@pytest.mark.slow
def test_wrong_shape_fails_the_trial_load_and_is_rejected(tmp_path: Path, box: Box) -> None:
    live = box.seed(pose_set(tmp_path / "a"))
    wrong = pose_set(tmp_path / "b", outputs={DETECTOR[1]: ((1, 896, 12), (1, 896, 1))})
    done = box.push(wrong)
    assert done.returncode == 2
    assert "trial load failed: pose_detector: pose_detection.tflite: output 0 has shape" in (
        done.stderr
    )
    assert store.current_version(box.models) == live
    assert len(store.list_versions(box.models)) == 1


@pytest.mark.slow
@pytest.mark.parametrize("tool", COPY_TOOLS)
def test_connection_dropped_mid_copy_installs_nothing(
    tmp_path: Path, box: Box, sshd: LoopbackSshd, tool: str
) -> None:
    live = box.seed(pose_set(tmp_path / "a"))
    proc = box.start_push(pose_set(tmp_path / "b"), "--limit", "400", "--copy", tool)
    # Wait until bytes are arriving in the staging folder, then cut every connection.
    deadline = time.monotonic() + 60
    while not any(p.stat().st_size > 0 for p in box.staging.glob("*/set/*")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the copy never started"
        time.sleep(0.05)
    assert sshd.drop_connections() >= 1
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 4, (out, err)
    assert "FAILED: the copy did not complete; nothing installed" in err
    assert store.current_version(box.models) == live
    assert [v.id for v in store.list_versions(box.models)] == [live]
    # The cleanup reconnects and removes the partial copy.
    assert box.staged() == []


@pytest.mark.slow
def test_daemon_not_healthy_after_reload_rolls_back(
    tmp_path: Path, box: Box, daemon: object
) -> None:
    live = box.seed(pose_set(tmp_path / "a"))
    daemon("silent")  # type: ignore[operator]
    done = box.push(pose_set(tmp_path / "b"), "--health-timeout", "1.5")
    assert done.returncode == 3, done.stderr
    assert "did not report healthy within 1.5s" in done.stderr
    assert f"rolled back to {live}" in done.stderr
    assert "ROLLED BACK: the previous model set is live" in done.stderr
    assert store.current_version(box.models) == live
    assert [v.id for v in store.list_versions(box.models)] == [live]


@pytest.mark.slow
def test_fleet_reports_each_box(tmp_path: Path, box: Box) -> None:
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(
        "[edge_trainers]\nbox  # the loopback box\ndeadbox\n\n[edge_trainers:vars]\nx=1\n"
    )
    done = box.push(pose_set(tmp_path / "a"), "--fleet", str(inventory), host="--")
    assert done.returncode == 4, done.stderr
    assert "==> box: OK: model set installed and live" in done.stdout
    assert "==> deadbox: FAILED: cannot connect" in done.stderr
    assert "    box: exit 0\n    deadbox: exit 4\n" in done.stdout
    assert store.current_version(box.models) is not None


def test_usage_errors_are_one_clear_line(tmp_path: Path, box: Box) -> None:
    (tmp_path / "empty").mkdir()
    done = box.push(tmp_path / "empty")
    assert done.returncode == 1
    assert done.stderr.strip().endswith("has no manifest.json; it is not a model set")
    done = box.push(tmp_path / "missing")
    assert done.returncode == 1 and "does not exist" in done.stderr
