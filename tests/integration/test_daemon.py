"""The real daemon as a subprocess: SIGTERM, systemd notify and watchdog, kill -9 durability."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.appliance import REPO, provision_models, query, squat_clip, write_config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("daemon")
    models = provision_models(root / "models")
    return models, squat_clip(root)


def start(
    cfg: Path, clip: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.daemon_harness", str(cfg), str(clip), *extra],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@contextlib.contextmanager
def running(
    cfg: Path, clip: Path, *extra: str, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """The daemon for the ``with`` block, killed on the way out whatever happened."""
    proc = start(cfg, clip, *extra, env=env)
    try:
        yield proc
    finally:
        proc.kill()


def events(state: Path, kind: str) -> list[dict[str, object]]:
    path = state / "session.jsonl"
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in rows if r["type"] == kind]


def wait_for(predicate, timeout: float, proc: subprocess.Popen[bytes]) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            raise AssertionError(f"daemon exited early: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_sigterm_records_the_open_set_and_exits_zero(
    tmp_path: Path, assets: tuple[Path, Path]
) -> None:
    models, clip = assets
    cfg = write_config(tmp_path / "c.toml", tmp_path, models)
    state = tmp_path / "state"
    with running(cfg, clip) as proc:
        wait_for(lambda: len(events(state, "RepCompleted")) >= 2, 90, proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    live_reps = len(events(state, "RepCompleted"))
    db = state / "history.sqlite3"
    sets = query(db, "SELECT status, rep_count FROM sets")
    assert len(sets) == 1 and sets[0][0] == "done"
    assert sets[0][1] >= 2
    assert query(db, "SELECT end_reason FROM sessions") == [("shutdown",)]
    assert len(query(db, "SELECT id FROM reps WHERE partial = 0")) >= min(live_reps, sets[0][1])
    assert not (state / "edge-trainer.pid").exists()


class NotifyListener:
    """A unix datagram socket standing in for systemd's NOTIFY_SOCKET."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.messages: list[tuple[float, str]] = []

    def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            for line in data.decode().splitlines():
                self.messages.append((time.monotonic(), line))

    def times(self, prefix: str) -> list[float]:
        return [t for t, m in self.messages if m.startswith(prefix)]


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[NotifyListener]:
    sock_dir = Path(f"/tmp/et-notify-{os.getpid()}-{random.randrange(1 << 30)}")
    sock_dir.mkdir()
    n = NotifyListener(sock_dir / "notify")
    yield n
    n.sock.close()
    (sock_dir / "notify").unlink()
    sock_dir.rmdir()


def test_watchdog_pings_while_frames_flow_and_stops_when_the_pipeline_stalls(
    tmp_path: Path, assets: tuple[Path, Path], listener: NotifyListener
) -> None:
    models, clip = assets
    cfg = write_config(tmp_path / "c.toml", tmp_path, models, service={"status_interval_s": 0.5})
    env = {"NOTIFY_SOCKET": listener.sock.getsockname(), "WATCHDOG_USEC": "1000000"}
    with running(cfg, clip, "--hang-after", "120", env=env) as proc:
        deadline = time.monotonic() + 60
        while not listener.times("READY=1") and time.monotonic() < deadline:
            listener.drain(0.5)
        assert listener.times("READY=1"), listener.messages
        # 120 frames at 30 fps flow for about four seconds, then the camera hangs.
        listener.drain(10.0)
        assert proc.poll() is None, "the daemon must keep running while the camera hangs"
        pings = listener.times("WATCHDOG=1")
        assert len(pings) >= 4, listener.messages
        silence = time.monotonic() - pings[-1]
        assert silence > 3.0, f"still pinging {silence:.1f} s after the stall"
        assert len(listener.times("STATUS=")) >= 3
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        listener.drain(0.5)
        assert listener.times("STOPPING=1")


def test_kill_9_never_loses_an_announced_rep(tmp_path: Path, assets: tuple[Path, Path]) -> None:
    """With the real pose and exercise stages; the fault-injection suite runs 50 more
    kill -9 trials on the same daemon with a scripted trainee."""
    models, clip = assets
    cfg = write_config(tmp_path / "c.toml", tmp_path, models)
    state = tmp_path / "state"
    db = state / "history.sqlite3"
    rng = random.Random(20261121)
    checked = 0
    health = state / "health.json"
    for trial in range(8):
        began = time.time()
        proc = start(cfg, clip)
        # Killed at a random moment of the clip, counted from when the daemon was up (its
        # start-up time depends on how busy the machine is).
        wait_for(lambda t0=began: health.exists() and health.stat().st_mtime >= t0, 90, proc)
        time.sleep(rng.uniform(2.0, 10.0))
        proc.kill()
        proc.wait(10)
        spoken = []
        index = state / "speech" / "cues.jsonl"
        if index.exists():
            for line in index.read_text().splitlines():
                cue = json.loads(line)
                if cue["kind"] == "rep" and cue["outcome"] == "spoken":
                    # "3", or "Squats. 1" when the first rep names the exercise
                    spoken.append(int(cue["text"].split(". ")[-1]))
        if not db.exists():
            continue
        assert query(db, "PRAGMA integrity_check") == [("ok",)], f"trial {trial}"
        latest = query(db, "SELECT max(id) FROM sets")[0][0]
        if spoken:
            checked += 1
            stored = query(
                db, "SELECT count(*) FROM reps WHERE set_id = ? AND partial = 0", latest
            )[0][0]
            assert isinstance(stored, int)
            assert stored >= max(spoken), f"trial {trial}: announced {max(spoken)}, stored {stored}"
    assert checked >= 5, "too few trials announced a rep before the kill"


def test_sighup_with_a_bad_config_keeps_the_running_one(
    tmp_path: Path, assets: tuple[Path, Path]
) -> None:
    models, clip = assets
    cfg = write_config(tmp_path / "c.toml", tmp_path, models)
    state = tmp_path / "state"
    with running(cfg, clip) as proc:
        wait_for((state / "health.json").exists, 60, proc)
        first = json.loads((state / "health.json").read_text())
        assert first["status"] == "ok" and first["manifest_id"]
        cfg.write_text(cfg.read_text() + "\n[camera]\nfsp = 30\n")
        proc.send_signal(signal.SIGHUP)
        wait_for(
            lambda: json.loads((state / "health.json").read_text())["time"] > first["time"],
            30,
            proc,
        )
        report = json.loads((state / "health.json").read_text())
        assert report["status"] == "error"
        assert "camera.fsp: unknown key" in report["detail"]
        assert report["manifest_id"] == first["manifest_id"]
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0


def test_a_reload_mid_set_keeps_the_set_and_its_count(
    tmp_path: Path, assets: tuple[Path, Path]
) -> None:
    models, clip = assets
    cfg = write_config(tmp_path / "c.toml", tmp_path, models)
    state = tmp_path / "state"
    index = state / "speech" / "cues.jsonl"

    def said() -> list[int]:
        if not index.exists():
            return []
        cues = [json.loads(line) for line in index.read_text().splitlines()]
        return [
            int(c["text"].split(". ")[-1])
            for c in cues
            if c["kind"] == "rep" and c["outcome"] == "spoken"
        ]

    with running(cfg, clip) as proc:
        wait_for(lambda: len(said()) >= 2, 90, proc)
        before = json.loads((state / "health.json").read_text())
        proc.send_signal(signal.SIGHUP)  # what 'models install' sends
        wait_for(
            lambda: json.loads((state / "health.json").read_text())["time"] > before["time"],
            60,
            proc,
        )
        assert json.loads((state / "health.json").read_text())["status"] == "ok"
        assert proc.wait(90) == 0  # the clip ends; the daemon closes its set and exits
    numbers = said()
    # Increasing from 1 (a number may be skipped when the next rep's cue replaced it).
    assert numbers[0] == 1 and numbers == sorted(set(numbers)), f"the count restarted: {numbers}"
    db = state / "history.sqlite3"
    assert query(db, "SELECT status, rep_count >= ? FROM sets", max(numbers) - 1) == [("done", 1)]
    stored = query(db, "SELECT count(*) FROM reps WHERE partial = 0")[0][0]
    assert isinstance(stored, int) and stored >= max(numbers)
