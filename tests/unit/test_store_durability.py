"""kill -9 a process writing the history at random moments: no committed rep is ever lost."""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from edge_trainer.events import RepRecord, SetRecord
from edge_trainer.session.store import HistoryStore
from edge_trainer.session.writer import QueuedHistory


def writer(db: Path, fd: int, queued: bool) -> None:
    """Write sets and reps forever, announcing each rep on ``fd`` only once it committed.

    This is the daemon's contract: a rep is announced only after the store committed
    it; directly (``add_rep`` returned) or through ``QueuedHistory(on_committed=...)``.
    """
    store = HistoryStore(db)
    sink: HistoryStore | QueuedHistory = store
    if queued:

        def announce(method: str, args: tuple[Any, ...]) -> None:
            if method == "add_rep":
                os.write(fd, f"rep {args[0]} {args[1].index}\n".encode())
            elif method == "finish_set":
                os.write(fd, f"set {args[0]}\n".encode())

        sink = QueuedHistory(store, on_committed=announce)
    sid = sink.start_session(0.0)
    os.write(fd, b"ready\n")
    t = 0.0
    while True:
        set_id = sink.start_set(sid, "squat", t)
        reps = []
        for i in range(1, 7):
            faults = ("depth",) if i % 3 else ()
            r = RepRecord(i, t, t + 1.5, 0.6, 0.9, 0.0, 0.5 - i / 100, faults)
            sink.add_rep(set_id, r)
            reps.append(r)
            if not queued:
                os.write(fd, f"rep {set_id} {i}\n".encode())
            # Time passes between reps (frames keep coming): a rep whose commit were
            # deferred would sit unwritten here, where most kills land.
            time.sleep(0.002)
            t += 2.0
        if set_id % 2:
            sink.finish_set(set_id, SetRecord("squat", t - 12, t, tuple(reps)), "done", "x")
            if not queued:
                os.write(fd, f"set {set_id}\n".encode())


def spawn_writer(db: Path, queued: bool) -> tuple[int, int]:
    """Fork a writer process (fork, not exec: no interpreter start-up, so trials are fast)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns into the test runner
        os.close(r)
        try:
            writer(db, w, queued)
        finally:
            os._exit(1)
    os.close(w)
    return pid, r


def read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode()


TRIALS = 24


@pytest.mark.parametrize("queued", [False, True], ids=["direct", "queued"])
def test_kill9_at_random_moments_loses_no_committed_rep(tmp_path: Path, queued: bool) -> None:
    db = tmp_path / "history.sqlite3"
    rng = random.Random(20261121)
    announced_reps: set[tuple[int, int]] = set()
    finished_sets: set[int] = set()
    kills_mid_run = 0
    for _trial in range(TRIALS):
        pid, fd = spawn_writer(db, queued)
        # Some kills land while the file is opened and recovered, most while reps flow.
        head = b""
        if rng.random() < 0.25:
            time.sleep(rng.uniform(0.0, 0.02))
        else:
            while not head.endswith(b"\n"):
                head += os.read(fd, 1)
            assert head == b"ready\n"
            time.sleep(rng.uniform(0.005, 0.08))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        lines = (head.decode() + read_all(fd)).splitlines()
        kills_mid_run += any(line.startswith("rep") for line in lines)
        for line in lines:
            kind, *nums = line.split()
            if kind == "rep":
                announced_reps.add((int(nums[0]), int(nums[1])))
            elif kind == "set":
                finished_sets.add(int(nums[0]))

        # Reopening as the restarted daemon does: recover, then check everything.
        with HistoryStore(db) as store:
            assert store.integrity_check() == "ok"
            stored = {s.id: store.get_set(s.id) for s in store.recent_sets(10_000)}
        have = {(sid, r.index) for sid, s in stored.items() for r in s.reps}
        missing = announced_reps - have
        assert not missing, f"announced reps lost after kill -9: {sorted(missing)[:5]}"
        for set_id in finished_sets:
            assert stored[set_id].status == "done"
            assert stored[set_id].summary == "done"
        assert all(s.status != "open" for s in stored.values()), "recovery closed every set"

    assert kills_mid_run >= TRIALS // 4, "kills should land while reps are being written"
    assert len(announced_reps) > TRIALS
    print(f"{TRIALS} kills, {kills_mid_run} mid-write, {len(announced_reps)} reps all kept")
