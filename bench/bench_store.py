"""History store speed: how long a rep commit holds the frame thread, and reopening cost."""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from edge_trainer.events import RepCompleted, RepRecord, SetEnded, SetRecord, SetStarted
from edge_trainer.session import HistoryStore, SessionMachine, WorkoutSession

REPS = 200
FRAME_BUDGET_MS = 1000 / 30


def _rep(i: int) -> RepRecord:
    return RepRecord(i, 2.0 * i, 2.0 * i + 1.8, 0.7, 1.1, 0.0, 0.5, ("depth",))


_INSERT_REP = (
    "INSERT INTO reps (set_id, session_id, idx, partial, start_s, end_s, concentric_s, "
    "eccentric_s, pause_s, velocity, faults_json, wall_time) "
    "VALUES (?, ?, ?, 0, ?, ?, 0.7, 1.1, 0.0, 0.5, '[\"depth\"]', 0)"
)


def _store_commit_times(path: Path) -> list[float]:
    """add_rep as shipped: WAL, synchronous=FULL, one transaction per rep."""
    store = HistoryStore(path)
    sid = store.start_session(0.0)
    set_id = store.start_set(sid, "squat", 0.0)
    times = []
    for i in range(1, REPS + 1):
        t0 = time.perf_counter()
        store.add_rep(set_id, _rep(i))
        times.append((time.perf_counter() - t0) * 1000)
    store.close()
    return times


def _baseline_commit_times(path: Path) -> list[float]:
    """The same row and commit on the same schema with synchronous=NORMAL (no fsync)."""
    with HistoryStore(path) as store:
        sid = store.start_session(0.0)
        set_id = store.start_set(sid, "squat", 0.0)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    times = []
    for i in range(1, REPS + 1):
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(_INSERT_REP, (set_id, sid, i, 2.0 * i, 2.0 * i + 1.8))
        conn.execute("COMMIT")
        times.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return times


def _fill(path: Path, sets: int, reps: int) -> None:
    """A big history written in one bulk transaction (setup, not measured)."""
    HistoryStore(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("INSERT INTO sessions (id, started_s, wall_start) VALUES (1, 0, 0)")
    for n in range(1, sets + 1):
        status = "open" if n == sets else "done"
        conn.execute(
            "INSERT INTO sets (id, session_id, exercise, status, started_s, wall_start) "
            "VALUES (?, 1, 'squat', ?, ?, 0)",
            (n, status, float(n)),
        )
        for i in range(1, reps + 1):
            conn.execute(_INSERT_REP, (n, 1, i, 2.0 * i, 2.0 * i + 1.8))
    conn.execute("COMMIT")
    conn.close()


def _pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        full = _store_commit_times(Path(tmp) / "full.sqlite3")
        normal = _baseline_commit_times(Path(tmp) / "normal.sqlite3")
        print(
            f"add_rep, synchronous=FULL (shipped): p50 {statistics.median(full):.2f} ms, "
            f"p95 {_pct(full, 0.95):.2f} ms, max {max(full):.2f} ms over {REPS} reps"
        )
        print(
            f"add_rep, synchronous=NORMAL (baseline, no fsync per commit): p50 "
            f"{statistics.median(normal):.2f} ms, p95 {_pct(normal, 0.95):.2f} ms"
        )
        print(
            f"ratio FULL/NORMAL p50: {statistics.median(full) / statistics.median(normal):.1f}x;"
            f" FULL p95 is {100 * _pct(full, 0.95) / FRAME_BUDGET_MS:.0f}% of a 30 fps frame"
        )

        # A whole event through the session (machine + store), as the frame thread sees it.
        ws = WorkoutSession(SessionMachine(), HistoryStore(Path(tmp) / "ws.sqlite3"))
        ws.handle(SetStarted(0.0, "squat"))
        per_rep = []
        for i in range(1, 51):
            t0 = time.perf_counter()
            ws.handle(RepCompleted(2.0 * i, "squat", _rep(i)))
            per_rep.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        ws.handle(
            SetEnded(101.0, SetRecord("squat", 0.0, 101.0, tuple(_rep(i) for i in range(1, 51))))
        )
        end_ms = (time.perf_counter() - t0) * 1000
        ticks = []
        for k in range(1000):
            t0 = time.perf_counter()
            ws.tick(101.0 + k / 30)
            ticks.append((time.perf_counter() - t0) * 1e6)
        print(
            f"WorkoutSession.handle(RepCompleted): p50 {statistics.median(per_rep):.2f} ms; "
            f"SetEnded (50 reps rewritten): {end_ms:.2f} ms; tick: "
            f"{statistics.median(ticks):.1f} us"
        )
        assert ws.store is not None
        ws.store.close()

        # Reopen cost with recovery of an open set in a file holding 1000 sets.
        big = Path(tmp) / "big.sqlite3"
        _fill(big, 1000, 10)
        t0 = time.perf_counter()
        again = HistoryStore(big)
        open_ms = (time.perf_counter() - t0) * 1000
        print(
            f"open + migrate check + recover 1 open set, 1000 sets/10000 reps: {open_ms:.1f} ms"
            f" (recovered {again.recovered_sets})"
        )
        again.close()


if __name__ == "__main__":
    main()
