"""The systemd unit, sysusers and tmpfiles snippets, checked by systemd's own tools."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edge_trainer.cli import build_parser

SYSTEMD = Path(__file__).resolve().parents[2] / "systemd"
UNIT = SYSTEMD / "edge-trainer.service"
MAX_EXPOSURE = 2.5

needs_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """Sections of a unit file; a key may repeat (DeviceAllow=, SystemCallFilter=)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(service: dict[str, list[str]], key: str) -> str:
    values = service[key]
    assert len(values) == 1, f"{key} is set {len(values)} times"
    return values[0]


def test_the_unit_asks_for_what_the_daemon_needs() -> None:
    unit = parse_unit(UNIT)
    svc = unit["Service"]
    expected = {
        "Type": "notify",
        "NotifyAccess": "main",
        "Restart": "on-failure",
        "User": "edge-trainer",
        "StateDirectory": "edge-trainer",
        "ConfigurationDirectory": "edge-trainer",
        "ExecReload": "/bin/kill -HUP $MAINPID",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "DevicePolicy": "closed",
        "RestrictAddressFamilies": "AF_UNIX AF_NETLINK",
    }
    assert {k: one(svc, k) for k in expected} == expected
    assert int(one(svc, "WatchdogSec")) > 0
    assert set(one(svc, "SupplementaryGroups").split()) == {"video", "i2c", "gpio", "audio"}
    assert "StartLimitBurst" in unit["Unit"] and "StartLimitIntervalSec" in unit["Unit"]
    devices = {v.split()[0] for v in svc["DeviceAllow"]}
    assert devices == {
        "char-video4linux",
        "char-media",
        "char-dma_heap",
        "char-i2c",
        "char-gpiochip",
        "char-alsa",
    }


def test_execstart_is_a_command_line_the_cli_accepts() -> None:
    argv = shlex.split(one(parse_unit(UNIT)["Service"], "ExecStart"))
    assert argv[0] == "/opt/edge-trainer/venv/bin/edge-trainer"
    args = build_parser().parse_args(argv[1:])
    assert args.command == "run"
    assert str(args.config) == "/etc/edge-trainer/config.toml"


def runnable_copy(tmp_path: Path) -> Path:
    """The unit with ExecStart pointing at a binary that exists here (verify checks it)."""
    exe = Path(sys.executable).with_name("edge-trainer")
    if not exe.exists():
        exe = Path(sys.executable)
    text = re.sub(
        r"^ExecStart=\S+",
        f"ExecStart={exe}",
        UNIT.read_text(encoding="utf-8"),
        flags=re.M,
    )
    copy = tmp_path / UNIT.name
    copy.write_text(text, encoding="utf-8")
    return copy


@needs_analyze
def test_systemd_analyze_verify(tmp_path: Path) -> None:
    copy = runnable_copy(tmp_path)
    proc = subprocess.run(
        ["systemd-analyze", "verify", str(copy)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    ours = [line for line in proc.stderr.splitlines() if UNIT.name in line]
    assert proc.returncode == 0 and not ours, proc.stderr


@needs_analyze
def test_security_exposure_is_at_most_the_target(tmp_path: Path) -> None:
    copy = runnable_copy(tmp_path)
    proc = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(copy)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if "--offline" in proc.stderr and "unrecognized" in proc.stderr:
        pytest.skip("this systemd-analyze has no --offline mode (systemd < 250)")
    match = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", proc.stdout)
    assert match, proc.stdout + proc.stderr
    exposure = float(match.group(1))
    print(f"systemd-analyze security exposure: {exposure}")
    assert exposure <= MAX_EXPOSURE, proc.stdout


@pytest.mark.skipif(shutil.which("systemd-sysusers") is None, reason="no systemd-sysusers")
def test_sysusers_creates_the_account_and_its_groups(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    subprocess.run(
        ["systemd-sysusers", f"--root={tmp_path}", str(SYSTEMD / "edge-trainer.sysusers")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    passwd = (tmp_path / "etc/passwd").read_text(encoding="utf-8").splitlines()
    [user] = [p.split(":") for p in passwd if p.startswith("edge-trainer:")]
    assert user[5:] == ["/var/lib/edge-trainer", "/usr/sbin/nologin"]
    assert int(user[2]) < 1000, "a system account"
    groups = {
        g.split(":")[0]: g.split(":")[3].split(",")
        for g in (tmp_path / "etc/group").read_text(encoding="utf-8").splitlines()
    }
    for name in ("video", "i2c", "gpio", "audio"):
        assert "edge-trainer" in groups[name]


@pytest.mark.skipif(shutil.which("systemd-tmpfiles") is None, reason="no systemd-tmpfiles")
@pytest.mark.skipif(os.geteuid() != 0, reason="creating files owned by another user needs root")
def test_tmpfiles_creates_the_state_folders(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    subprocess.run(
        ["systemd-sysusers", f"--root={tmp_path}", str(SYSTEMD / "edge-trainer.sysusers")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    subprocess.run(
        [
            "systemd-tmpfiles",
            f"--root={tmp_path}",
            "--create",
            str(SYSTEMD / "edge-trainer.tmpfiles"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    uid = next(
        int(line.split(":")[2])
        for line in (tmp_path / "etc/passwd").read_text(encoding="utf-8").splitlines()
        if line.startswith("edge-trainer:")
    )
    for sub in ("var/lib/edge-trainer", "var/lib/edge-trainer/models"):
        st = (tmp_path / sub).stat()
        assert (st.st_uid, st.st_mode & 0o777) == (uid, 0o750)
    assert (tmp_path / "etc/edge-trainer").stat().st_uid == 0
