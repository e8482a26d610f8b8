"""The Ansible playbooks: syntax check, and a real run against a loopback sshd."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge_trainer.models import store
from tests.model_sets import pose_set
from tests.sshd import LoopbackSshd

REPO = Path(__file__).resolve().parents[2]
PLAYBOOKS = REPO / "deploy" / "ansible"
EDGE_TRAINER = Path(sys.executable).with_name("edge-trainer")

pytestmark = pytest.mark.skipif(
    shutil.which("ansible-playbook") is None, reason="ansible-playbook is not installed"
)


def _ansible(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        # Keep every Ansible file (facts cache, temp, collections) inside the test folder.
        "ANSIBLE_HOME": str(tmp / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(tmp / "ansible-local"),
        "ANSIBLE_REMOTE_TMP": str(tmp / "ansible-remote"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_PIPELINING": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_PYTHON_INTERPRETER": "/usr/bin/python3",
    }
    return subprocess.run(
        ["ansible-playbook", *args], capture_output=True, text=True, env=env, timeout=300,
        check=False, cwd=tmp,
    )  # fmt: skip


@pytest.mark.parametrize(
    "playbook", ["install.yml", "push-model.yml", "members.yml", "collect-history.yml"]
)
def test_playbook_syntax(tmp_path: Path, playbook: str) -> None:
    done = _ansible(
        tmp_path, "--syntax-check", "-i", str(PLAYBOOKS / "inventory.example.ini"),
        str(PLAYBOOKS / playbook),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackSshd]:
    server = LoopbackSshd(tmp_path_factory.mktemp("sshd"))
    yield server
    server.stop()


def _inventory(tmp: Path, sshd: LoopbackSshd) -> Path:
    ssh_args = (
        f"-o UserKnownHostsFile={sshd.dir / 'known_hosts'} -o GlobalKnownHostsFile=/dev/null "
        "-o StrictHostKeyChecking=yes -o IdentitiesOnly=yes"
    )
    inv = tmp / "inventory.ini"
    inv.write_text(
        "[edge_trainers]\n"
        f"box ansible_host=127.0.0.1 ansible_port={sshd.port} ansible_user={sshd.user} "
        f"ansible_ssh_private_key_file={sshd.key}\n\n"
        f"[edge_trainers:vars]\nansible_ssh_common_args='{ssh_args}'\n"
        "edge_trainer_become=false\n"
    )
    return inv


@pytest.mark.slow
def test_install_and_model_push_against_loopback_sshd(tmp_path: Path, sshd: LoopbackSshd) -> None:
    if not (REPO / ".git").exists():
        pytest.skip("the install playbook packs the git checkout; no .git here")
    inv = _inventory(tmp_path, sshd)
    destdir = tmp_path / "box-root"
    extra = {
        "edge_trainer_remote_source": str(tmp_path / "box-src"),
        "edge_trainer_install_args": "--skip venv",
        "edge_trainer_install_env": {"DESTDIR": str(destdir)},
    }
    done = _ansible(
        tmp_path, "-i", str(inv), "-e", json.dumps(extra), str(PLAYBOOKS / "install.yml")
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "box                        : ok=" in done.stdout and "failed=0" in done.stdout
    assert (destdir / "etc/systemd/system/edge-trainer.service").is_file()
    assert (destdir / "etc/edge-trainer/config.toml").is_file()

    models, state = tmp_path / "box" / "models", tmp_path / "box" / "state"
    push = {
        "model_set": str(pose_set(tmp_path / "set", "fleet")),
        "edge_trainer_cli": str(EDGE_TRAINER),
        "edge_trainer_models_dir": str(models),
        "edge_trainer_state_dir": str(state),
        "edge_trainer_staging": str(tmp_path),
    }
    done = _ansible(
        tmp_path, "-i", str(inv), "-e", json.dumps(push), str(PLAYBOOKS / "push-model.yml")
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "installed model set " in done.stdout
    live = store.verify_version(store.current_dir(models))
    assert live.id.endswith("-fleet")
    assert not list(tmp_path.glob("edge-trainer-push.*"))  # staging removed
