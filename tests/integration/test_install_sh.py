"""deploy/install.sh: shellcheck, --dry-run, and DESTDIR installs (idempotent, config kept)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edge_trainer import config as config_mod

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "deploy" / "install.sh"
SHELL_SCRIPTS = [REPO / "deploy" / "install.sh", REPO / "deploy" / "push-model"]


def _source_copy(dest: Path) -> Path:
    # Build from a copy so pip's in-tree build folders never land in the checkout.
    for name in ("edge_trainer", "systemd", "deploy", "models"):
        if (REPO / name).exists():
            shutil.copytree(
                REPO / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
    for name in ("pyproject.toml", "README.md"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, dest / name)
    return dest


def _run(*args: str, destdir: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env}
    full_env.pop("DESTDIR", None)
    if destdir is not None:
        full_env["DESTDIR"] = str(destdir)
    return subprocess.run(
        ["bash", str(INSTALL), *args], capture_output=True, text=True, env=full_env,
        timeout=300, check=False,
    )  # fmt: skip


def test_shell_scripts_are_shellcheck_clean() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (apt install shellcheck)")
    done = subprocess.run(
        ["shellcheck", *map(str, SHELL_SCRIPTS)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout


def test_dry_run_prints_every_step_and_changes_nothing(tmp_path: Path) -> None:
    before = {p: p.exists() for p in (Path("/etc/edge-trainer"), Path("/opt/edge-trainer"))}
    done = _run("--dry-run", "--force")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "==> dry run: nothing will be changed" in out
    assert "ensure-apt.sh python3-venv" in out and "python3-picamera2" in out
    assert (
        "would run: install -D -m 644" in out and "/etc/systemd/system/edge-trainer.service" in out
    )
    assert "would run: python3 -m venv --system-site-packages /opt/edge-trainer/venv" in out or (
        "is up to date" in out
    )
    assert "models provision --config /etc/edge-trainer/config.toml" in out
    assert "systemctl enable --now edge-trainer" in out
    assert "\n+ " not in out  # nothing was executed
    assert {p: p.exists() for p in before} == before


def test_destdir_install_without_venv_and_with_another_prefix(tmp_path: Path) -> None:
    root = tmp_path / "root"
    done = _run("--skip", "venv", "--prefix", "/srv/et", destdir=root)
    assert done.returncode == 0, done.stderr
    unit = (root / "etc/systemd/system/edge-trainer.service").read_text()
    assert "ExecStart=/srv/et/venv/bin/edge-trainer " in unit
    assert "/opt/edge-trainer" not in unit
    assert (root / "usr/lib/sysusers.d/edge-trainer.conf").is_file()
    assert (root / "usr/lib/tmpfiles.d/edge-trainer.conf").is_file()
    cfg = config_mod.load(root / "etc/edge-trainer/config.toml")
    assert cfg.camera.source == "picamera2" and cfg.display.kind == "ssd1306"
    assert cfg.buttons.kind == "gpio" and cfg.paths.models_dir == "/var/lib/edge-trainer/models"
    # Nothing outside DESTDIR: no package, user or service steps ran.
    for step in ("system packages", "service user", "==> service", "==> models"):
        assert step not in done.stdout


@pytest.mark.slow
def test_destdir_install_builds_the_venv_and_is_idempotent(tmp_path: Path) -> None:
    src = _source_copy(tmp_path / "src")
    root = tmp_path / "root"
    env = {
        "PYTHON": "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable,
        # Offline: pip installs only the package itself and must not reach the network;
        # its dependencies (numpy, opencv, ...) come from the test environment instead.
        "PIP_INSTALL_ARGS": "--no-deps --no-build-isolation --no-index",
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p.endswith("site-packages")),
    }
    first = _run("--source", str(src), "--extras", "", destdir=root, **env)
    assert first.returncode == 0, first.stdout + first.stderr
    et = root / "opt/edge-trainer/venv/bin/edge-trainer"
    assert et.is_file()
    assert ": ok (" in first.stdout  # check-config of the written config passed
    version = subprocess.run(
        [str(et), "--version"], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": env["PYTHONPATH"]},
    )  # fmt: skip
    where = subprocess.run(
        [str(et.with_name("python")), "-c", "import edge_trainer; print(edge_trainer.__file__)"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": env["PYTHONPATH"]},
    )  # fmt: skip
    assert where.stdout.startswith(str(root / "opt/edge-trainer/venv/")), where.stdout
    assert version.stdout.startswith("edge-trainer ")
    cfg_file = root / "etc/edge-trainer/config.toml"
    cfg_file.write_text(cfg_file.read_text().replace('kind = "ssd1306"', 'kind = "sh1106"'))

    second = _run("--source", str(src), "--extras", "", destdir=root, **env)
    assert second.returncode == 0, second.stderr
    assert "\n+ " not in second.stdout, second.stdout  # nothing to do the second time
    assert "keeping existing" in second.stdout and "is up to date" in second.stdout
    assert 'kind = "sh1106"' in cfg_file.read_text()


def test_bad_arguments_give_one_line(tmp_path: Path) -> None:
    done = _run("--bogus")
    assert done.returncode == 1
    assert done.stderr.strip() == "install.sh: unknown argument '--bogus' (see --help)"
    done = _run("--source", str(tmp_path))
    assert done.returncode == 1 and "is not an edge-trainer source tree" in done.stderr


def test_test_mode_starts_nothing_and_names_the_pi_packages_it_skips() -> None:
    done = _run("--dry-run", "--test", "--force")
    assert done.returncode == 0, done.stderr
    out = done.stdout + done.stderr
    plan = next(line for line in out.splitlines() if "ensure-apt.sh" in line)
    assert "espeak-ng" in plan and "python3-venv" in plan
    for pkg in ("python3-picamera2", "python3-libcamera", "libcamera-apps-lite", "python3-lgpio"):
        # Installed where apt offers it (Raspberry Pi OS), else named and left out.
        assert pkg in plan or f"test root: skipping {pkg} (only Raspberry Pi OS's archive" in out
    assert "==> test root: the service is not started" in out
    assert not [line for line in out.splitlines() if line.startswith("would run: systemctl")]
