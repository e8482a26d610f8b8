"""Fault injection on the running daemon: kill -9, a full disk and reloads mid-set.

Each case compares what the box announced (the speech emulator's ``cues.jsonl``: every
rep number it said, with the source time of its rep) against what the history holds;
the promise is that every announced rep is in the database, counted or discounted.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from edge_trainer.session import HistoryStore
from tests.appliance import REPO, query, write_config

pytestmark = pytest.mark.slow


def config(root: Path, **sections: dict[str, object]) -> Path:
    """The scripted daemon's config: emulated devices, no models needed."""
    root.mkdir(parents=True, exist_ok=True)
    return write_config(root / "c.toml", root, root / "models", **sections)


def start(cfg: Path, *extra: str) -> subprocess.Popen[bytes]:
    """The daemon, its journal (stderr) going to ``daemon.log`` beside the config."""
    with (cfg.parent / "daemon.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.fault_daemon", str(cfg), *extra],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def journal(cfg: Path) -> str:
    return (cfg.parent / "daemon.log").read_text(errors="replace")


@contextlib.contextmanager
def running(cfg: Path, *extra: str) -> Iterator[subprocess.Popen[bytes]]:
    proc = start(cfg, *extra)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def wait_for(
    predicate: Callable[[], object], timeout: float, proc: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            raise AssertionError(f"daemon exited early ({proc.returncode}); see daemon.log")
        time.sleep(0.02)
    raise AssertionError("timed out")


def health(state: Path) -> dict[str, object]:
    try:
        data: dict[str, object] = json.loads((state / "health.json").read_text())
    except (OSError, ValueError):
        return {}
    return data


def cues(state: Path) -> list[dict[str, object]]:
    rows = []
    for name in ("cues.jsonl.1", "cues.jsonl"):
        path = state / "speech" / name
        if path.exists():
            for line in path.read_text().splitlines():
                with contextlib.suppress(ValueError):
                    rows.append(json.loads(line))  # a line cut by kill -9 is not a cue
    return rows


def announced(state: Path) -> list[tuple[float, int]]:
    """(source time, rep number) of every rep number the box said."""
    out = []
    for cue in cues(state):
        if cue["outcome"] == "spoken" and cue["kind"] in ("rep", "fault"):
            number = next(p for p in str(cue["text"]).split(". ") if p.isdigit())
            out.append((float(cue["t"]), int(number)))  # type: ignore[arg-type]
    return out


def stored(db: Path) -> set[tuple[float, int]]:
    """(source time, number) of every rep in the history, counted or discounted."""
    rows = query(db, "SELECT end_s, idx FROM reps WHERE partial = 0")
    return {(round(float(t), 3), int(i)) for t, i in rows}  # type: ignore[arg-type]


def missing(state: Path, db: Path) -> list[tuple[float, int]]:
    have = stored(db)
    return [rep for rep in announced(state) if rep not in have]


def recover(db: Path) -> None:
    """Open the history as the next start of the box would (closes what a crash left)."""
    HistoryStore(db).close()


def kill_trial(root: Path, delay: float) -> tuple[list[tuple[float, int]], int, int]:
    """Start the daemon, kill -9 it ``delay`` s after it is up, open the history as the
    next start would. Returns the reps announced but not stored, the reps announced,
    and the reps kept as discounted."""
    cfg = config(root)
    state, db = root / "state", root / "state" / "history.sqlite3"
    with running(cfg, "--reps", "4", "--rep-every", "0.15") as proc:
        wait_for(lambda: health(state).get("status") == "ok", 60, proc)
        time.sleep(delay)
        proc.kill()
    recover(db)
    assert query(db, "PRAGMA integrity_check") == [("ok",)], root.name
    discounted = query(db, "SELECT count(*) FROM reps WHERE discounted = 1")[0][0]
    assert isinstance(discounted, int)
    return missing(state, db), len(announced(state)), discounted


def test_50_kill_9_trials_lose_no_announced_rep(tmp_path: Path) -> None:
    rng = random.Random(20261203)
    delays = [rng.uniform(0.0, 1.6) for _ in range(50)]
    # Two trials at a time: each daemon sleeps most of its short life.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(
            pool.map(lambda i: kill_trial(tmp_path / f"t{i}", delays[i]), range(len(delays)))
        )
    lost = {i: r[0] for i, r in enumerate(results) if r[0]}
    assert lost == {}, f"announced but not stored, by trial: {lost}"
    said = sum(r[1] for r in results)
    discounted = sum(r[2] for r in results)
    print(f"50 kill -9 trials: {said} reps announced, 0 lost, {discounted} kept as discounted")
    assert said >= 60, f"only {said} reps announced in 50 trials: the kills came too early"
    assert discounted >= 5, "the end-of-set pass's take-backs were never exercised"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs to hold the history database, so it can be filled."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (root needed): {done.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` to the last byte."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for block in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * block)
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_mid_set_says_not_saving_and_loses_no_announced_rep(
    tmp_path: Path, small_disk: Path
) -> None:
    db = small_disk / "history.sqlite3"
    cfg = config(tmp_path, session={"database": str(db)})
    state = tmp_path / "state"
    with running(cfg, "--reps", "8", "--rep-every", "0.25") as proc:
        wait_for(lambda: len(announced(state)) >= 3, 30, proc)
        filler = fill(small_disk)
        wait_for(lambda: health(state).get("status") == "degraded", 30, proc)
        assert "not saving" in str(health(state)["detail"])
        said_full = len(announced(state))
        time.sleep(2.0)  # reps go on while the disk is full: counted, not said
        not_saving = [c for c in cues(state) if c["text"] == "Not saving"]
        assert [c["outcome"] for c in not_saving] == ["spoken"], "said once"
        assert len(announced(state)) <= said_full + 1
        filler.unlink()
        wait_for(lambda: health(state).get("status") == "ok", 30, proc)
        wait_for(lambda: len(announced(state)) >= said_full + 3, 30, proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    assert missing(state, db) == []
    # The reps done while nothing could be written were kept in memory and saved later.
    times = {t for t, _ in stored(db)}
    held = query(db, "SELECT count(*) FROM reps")[0][0]
    assert isinstance(held, int) and held > len(announced(state))
    assert len(times) == held


def test_a_reload_mid_set_keeps_the_set(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    state, db = tmp_path / "state", tmp_path / "state" / "history.sqlite3"

    def first_set_done() -> bool:
        return query(db, "SELECT count(*) FROM sets WHERE status = 'done'")[0][0] != 0

    with running(cfg, "--reps", "10", "--rep-every", "0.3") as proc:
        wait_for(lambda: len(announced(state)) >= 3, 30, proc)
        at_reload = len(announced(state))
        before = health(state)
        cfg.write_text(cfg.read_text() + "\n[speech]\nrate = 170\n")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: health(state).get("time", 0) > before["time"], 30, proc)  # type: ignore[operator]
        assert health(state)["status"] == "ok"
        # The set in progress goes on to its end; the reloaded config takes over after it.
        wait_for(lambda: first_set_done() and "now running config" in journal(cfg), 30, proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    assert "in use from the next set" in journal(cfg)
    numbers = [n for _, n in announced(state)]
    restart = next((i for i in range(1, len(numbers)) if numbers[i] <= numbers[i - 1]), None)
    first_run = numbers[:restart]
    assert first_run[0] == 1 and len(first_run) > at_reload, f"the count restarted: {numbers}"
    assert missing(state, db) == []
    first = query(db, "SELECT rep_count, discounted_count FROM sets ORDER BY id LIMIT 1")
    assert first == [(9, 1)]  # ten reps done: nine counted, the one taken back discounted


@pytest.mark.parametrize("kind", ["latin-1", "fifo", "unreadable", "folder"])
def test_a_reload_with_a_bad_file_keeps_the_daemon_and_its_config(
    tmp_path: Path, kind: str
) -> None:
    cfg = config(tmp_path)
    state = tmp_path / "state"
    with running(cfg, "--reps", "4") as proc:
        wait_for(lambda: health(state).get("status") == "ok", 30, proc)
        before = health(state)
        good = cfg.read_text()
        cfg.unlink()
        if kind == "latin-1":
            cfg.write_bytes((good + '\n[speech]\nvoice = "fran\xe7ais"\n').encode("latin-1"))
        elif kind == "fifo":
            os.mkfifo(cfg)
        elif kind == "unreadable":
            cfg.write_text(good)
            cfg.chmod(0)
            if os.access(cfg, os.R_OK):  # root reads anything: a dangling symlink instead
                cfg.unlink()
                cfg.symlink_to(tmp_path / "nowhere.toml")
        else:
            cfg.mkdir()
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: health(state).get("time", 0) > before["time"], 10, proc)  # type: ignore[operator]
        report = health(state)
        assert report["status"] == "error" and report["manifest_id"] == before["manifest_id"]
        assert "(file)" in str(report["detail"])
        said = len(announced(state))
        wait_for(lambda: len(announced(state)) > said, 30, proc)  # still training
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0


@pytest.mark.parametrize("damage", [b"", b"this is not sqlite" * 200])
def test_a_damaged_history_never_stops_the_box(tmp_path: Path, damage: bytes) -> None:
    cfg = config(tmp_path)
    state, db = tmp_path / "state", tmp_path / "state" / "history.sqlite3"
    state.mkdir()
    db.write_bytes(damage)
    with running(cfg, "--reps", "3") as proc:
        wait_for(lambda: len(announced(state)) >= 2, 30, proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    [moved] = [p for p in state.glob("history.sqlite3.damaged-*") if p.suffix != ".lock"]
    assert moved.read_bytes() == damage, "set aside whole, never deleted"
    assert "history --recover" in journal(cfg)
    assert missing(state, db) == []
    screens = (state / "oled" / "index.jsonl").read_text().splitlines()
    assert any('"StatusScreen"' in line for line in screens[:5]), "the OLED says so"


def test_low_disk_space_is_reported_at_start(tmp_path: Path) -> None:
    cfg = config(tmp_path, service={"min_free_mb": 100_000})
    state = tmp_path / "state"
    with running(cfg) as proc:
        wait_for(lambda: health(state).get("status") == "degraded", 30, proc)
        assert "MB free" in str(health(state)["detail"])
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
