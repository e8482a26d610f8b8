"""Exercise analyzer speed: per-frame cost of live counting, the worst frame, a recount."""

from __future__ import annotations

import statistics
import time

import numpy as np

from edge_trainer.config import ExerciseConfig
from edge_trainer.exercise.analyzer import Analyzer
from edge_trainer.exercise.reps import count_exercise

FPS = 30.0
SECONDS = 90.0


def _stream(rng: np.random.Generator, n: int) -> np.ndarray:
    """A person-shaped sequence doing 2.5 s reps (hips and arms move), with a rest."""
    base = np.zeros((33, 4))
    base[:, 0] = 0.5 + rng.normal(0, 0.05, 33)
    base[:, 1] = np.linspace(0.1, 0.95, 33)
    base[:, 3] = 0.95
    t = np.arange(n) / FPS
    phase = np.where((t % 40) < 30, (1 - np.cos(2 * np.pi * t / 2.5)) / 2, 0.0)
    rows = np.repeat(base[None], n, axis=0)
    rows[:, 11:25, 1] += 0.15 * phase[:, None]
    rows[:, 13:23, 0] += 0.1 * phase[:, None]
    rows[..., :2] += rng.normal(0, 0.002, rows[..., :2].shape)
    return rows


def main() -> None:
    rng = np.random.default_rng(0)
    n = int(SECONDS * FPS)
    rows = _stream(rng, n)
    for exercise in ("auto", "squat"):
        analyzer = Analyzer(ExerciseConfig(exercise=exercise))
        times = []
        reps = 0
        t0 = time.perf_counter()
        for i, row in enumerate(rows):
            s = time.perf_counter()
            events = analyzer.update_row(row, i / FPS)
            times.append((time.perf_counter() - s) * 1000)
            reps += sum(type(e).__name__ == "RepCompleted" for e in events)
        total = time.perf_counter() - t0
        print(
            f"analyzer ({exercise}): {total * 1000 / n:.2f} ms/frame mean, "
            f"median {statistics.median(times):.3f} ms, worst {max(times):.1f} ms, "
            f"{reps} live reps; {total / SECONDS:.3f}x of real time at {FPS:g} fps"
        )
    window = rows[: int(30 * FPS)]
    t = np.arange(len(window)) / FPS
    runs = []
    for _ in range(5):
        s = time.perf_counter()
        count_exercise(window, t, None)
        runs.append((time.perf_counter() - s) * 1000)
    print(f"recount of a 30 s window: {statistics.median(runs):.1f} ms (median of 5)")
