"""At home in any folder: default places, the packaged classifier, a one-line hint, progress."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge_trainer import config
from edge_trainer.pose.reference import mediapipe_model_files

REPO = Path(__file__).resolve().parents[2]
SQUAT_CLIP = REPO.parent / "shared" / "data" / "videos" / "yuyoujiang_test_video__squat.mp4"


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    """A user with an empty home; no service state folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("STATE_DIRECTORY", "XDG_DATA_HOME")}
    env.pop(config.CONFIG_ENV, None)
    (tmp / "home").mkdir(exist_ok=True)
    return env | {"HOME": str(tmp / "home")} | extra


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "edge_trainer", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip


def _video(path: Path, frames: int = 12) -> Path:
    out = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 30.0, (160, 120))
    for i in range(frames):
        out.write(np.full((120, 160, 3), 10 * i, np.uint8))
    out.release()
    return path


def _pose_store(store: Path, cwd: Path, env: dict[str, str]) -> None:
    files = mediapipe_model_files()
    if files is None:
        pytest.skip("the mediapipe package ships the pose models")
    sources = [str(files["pose_detector"]), str(files["pose_landmarks"])]
    done = _run(["models", "fetch-pose", "--models-dir", str(store), "--from", *sources], cwd, env)
    assert done.returncode == 0, done.stderr


def test_service_checkout_and_user_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = tmp_path / "checkout"
    (checkout / "models").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("STATE_DIRECTORY", "/var/lib/edge-trainer:/var/lib/other")
    assert config.default_state_dir(checkout) == Path("/var/lib/edge-trainer")
    monkeypatch.delenv("STATE_DIRECTORY")
    assert config.default_state_dir(checkout) == checkout / "var"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    site = tmp_path / "site-packages"
    site.mkdir()
    assert config.default_state_dir(site) == tmp_path / "data" / "edge-trainer"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config.default_state_dir(site) == tmp_path / "home" / ".local/share/edge-trainer"


def test_this_checkout_keeps_its_models_in_var() -> None:
    if "STATE_DIRECTORY" in os.environ:
        pytest.skip("running under a systemd unit with a state directory")
    paths = config.Config().paths
    assert Path(paths.state_dir) == REPO / "var"
    assert Path(paths.models_dir) == REPO / "var" / "models"


def test_analyze_without_models_says_in_one_line_how_to_get_them(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[paths]\nmodels_dir = "{tmp_path / "empty"}"\n', encoding="utf-8")
    clip = _video(tmp_path / "clip.mp4")
    done = _run(["analyze", str(clip), "--config", str(cfg)], tmp_path, _env(tmp_path))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: no models installed in '{tmp_path / 'empty'}'; run 'edge-trainer models provision'"
    ]


def _stderr_on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    main, side = pty.openpty()
    # An 80-column terminal (a new pty has none, and tqdm draws to the width it reports).
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "edge_trainer", *args],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=side,
    )  # fmt: skip
    os.close(side)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([main], [], [], 60)
            if not ready:
                break
            try:
                data = os.read(main, 4096)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(main)
        proc.wait(timeout=60)
    assert proc.returncode == 0
    return b"".join(chunks).decode(errors="replace")


@pytest.mark.slow
def test_progress_bar_on_a_terminal_and_none_in_a_pipe(tmp_path: Path) -> None:
    env = _env(tmp_path)
    store = tmp_path / "models"
    _pose_store(store, tmp_path, env)
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[paths]\nmodels_dir = "{store}"\n', encoding="utf-8")
    clip = _video(tmp_path / "clip.mp4", frames=40)
    args = ["analyze", str(clip), "--config", str(cfg), "--exercise", "squat"]
    shown = _stderr_on_a_terminal(args, tmp_path, env)
    assert "/40 [" in shown and "frame/s]" in shown
    piped = _run(args, tmp_path, env)
    assert piped.returncode == 0, piped.stderr
    assert "\r" not in piped.stderr and "40/40" not in piped.stderr
    assert "40 frames" in piped.stdout


def _build_wheel(tmp: Path) -> Path:
    """A wheel of a copy of this checkout (pip's own isolated build, as users get it)."""
    src = tmp / "src"
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, files):
        if not os.path.lexists(REPO / name):
            continue
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        if (REPO / name).is_symlink():
            os.symlink(os.readlink(REPO / name), src / name)
        else:
            shutil.copy2(REPO / name, src / name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"),
         str(src)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = (tmp / "dist").glob("edge_trainer-*.whl")
    return wheel


@pytest.mark.slow
def test_installed_package_carries_the_classifier_and_works_from_any_folder(
    tmp_path: Path,
) -> None:
    wheel = _build_wheel(tmp_path)
    shipped = REPO / "models" / "classifier"
    prefix = "edge_trainer/models/shipped/"
    with zipfile.ZipFile(wheel) as zf:
        inside = {n.removeprefix(prefix + "classifier/"): zf.read(n)
                  for n in zf.namelist() if n.startswith(prefix)}  # fmt: skip
    expected = {p.name: p.read_bytes() for p in shipped.iterdir() if p.is_file()}
    assert inside == expected and "manifest.json" in inside  # not the folds
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
         str(wheel)],
        capture_output=True, check=True, timeout=300,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _env(tmp_path, PYTHONPATH=str(site))
    where = _run(["models", "list"], elsewhere, env)
    store = tmp_path / "home" / ".local" / "share" / "edge-trainer" / "models"
    assert where.stdout.strip() == f"no model versions in {store}"
    _pose_store(store, elsewhere, env)
    done = _run(["models", "provision"], elsewhere, env)
    assert done.returncode == 0, done.stderr
    assert "installed classifier (classifier)" in done.stdout
    if not SQUAT_CLIP.is_file():
        pytest.skip(f"shared data not found: {SQUAT_CLIP}")
    done = _run(["analyze", str(SQUAT_CLIP)], elsewhere, env)
    assert done.returncode == 0, done.stderr
    assert "set 1: squat" in done.stdout


def test_a_missing_role_names_the_command_that_installs_it(tmp_path: Path) -> None:
    from edge_trainer.errors import ModelError
    from edge_trainer.models import store
    from edge_trainer.models.manifest import read_manifest

    shipped = REPO / "models" / "classifier"
    entry = read_manifest(shipped).models["classifier"]
    store.add_set(tmp_path, {"classifier": (shipped / entry.file, entry)}, "classifier")
    with pytest.raises(
        ModelError, match=r"no pose_landmarks model; run 'edge-trainer models provision'"
    ):
        store.resolve(tmp_path, "pose_landmarks")
    with pytest.raises(ModelError, match=r"no llm model; run 'edge-trainer models fetch-llm"):
        store.resolve(tmp_path, "llm")
