"""Exercise classifier speed: one int8 inference, a mirror-averaged prediction, a live frame."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

from edge_trainer.exercise.features import DEFAULT_WINDOW, window_features
from edge_trainer.exercise.recognition import ExerciseRecognizer

MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "classifier"
TARGET_MS = 1.0
RUNS = 2000


def _figure(rng: np.random.Generator, n: int) -> np.ndarray:
    """A person-shaped landmark sequence with arms moving (any plausible motion will do)."""
    base = np.zeros((33, 4), np.float32)
    base[:, 0] = 0.5 + rng.normal(0, 0.08, 33)
    base[:, 1] = np.linspace(0.1, 0.95, 33)
    base[:, 3] = 1.0
    t = np.arange(n) / 30.0
    rows = np.repeat(base[None], n, axis=0)
    rows[:, 13:23, 1] -= 0.2 * np.sin(2 * np.pi * t / 1.5)[:, None]
    return rows + rng.normal(0, 0.003, rows.shape).astype(np.float32)


def _ms(fn: object, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    rec = ExerciseRecognizer.from_folder(MODEL_DIR, threads=1)
    size = (MODEL_DIR / rec.classifier.path.name).stat().st_size
    rng = np.random.default_rng(0)
    rows = _figure(rng, 90)
    t = np.arange(90) / 30.0
    window = window_features(rows, t)
    assert window is not None
    clf = rec.classifier
    for _ in range(50):
        clf.predict_raw(window)
    one = _ms(lambda: clf.predict_raw(window), RUNS)
    four = _ms(lambda: clf.predict(window), RUNS // 4)
    feats = _ms(lambda: window_features(rows[-DEFAULT_WINDOW.frames * 2 - 4 :], t[-52:]), 500)
    # A live stream: push every frame of 20 s at 30 fps, the classifier runs every hop.
    live = _figure(rng, 600)
    rec.reset()
    t0 = time.perf_counter()
    runs = sum(rec.push(row, i / 30.0) is not None for i, row in enumerate(live))
    per_frame = (time.perf_counter() - t0) * 1000 / len(live)
    med = statistics.median(one)
    print(f"model: {size / 1024:.1f} KB int8 TFLite ({clf.path.name}), 1 thread")
    print(
        f"one inference:        median {med:.3f} ms, p95 {np.percentile(one, 95):.3f} ms "
        f"({med / TARGET_MS:.2f}x the {TARGET_MS:g} ms target)"
    )
    print(f"mirror-averaged (x4): median {statistics.median(four):.3f} ms")
    print(f"window features:      median {statistics.median(feats):.3f} ms")
    print(
        f"live push, per frame: {per_frame:.3f} ms averaged over {len(live)} frames "
        f"({runs} classifier runs); ratio to a 33.3 ms frame: {per_frame / 33.3:.3f}"
    )
