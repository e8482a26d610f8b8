"""Cue latency: rep event frame time -> speech starting / audio ready, real espeak-ng.

A simulated set runs the real cue policy and the real speech worker (pyttsx3 on
espeak-ng writing WAVs) while a load thread stands in for pose inference. Each rep's
origin is the monotonic time its last frame was "captured"; latency is measured from
there to the engine starting on the cue and to its audio being complete. Baseline, in
the same run and on the same cue stream: spawning the ``espeak-ng`` CLI per cue.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from edge_trainer.coach.cues import Cue, CuePolicy, CueSettings
from edge_trainer.config import SpeechConfig
from edge_trainer.events import FormFault, RepCompleted, RepRecord
from edge_trainer.hw.speech import build_speech

REPS = 20
REP_INTERVAL_S = 0.6  # brisker than most lifters: queueing shows up here first
TARGET_MS = 300.0


def _load(stop: threading.Event) -> None:
    """Inference-like CPU load: numpy work (releases the GIL) plus some Python."""
    a = np.random.default_rng(0).random((192, 192), dtype=np.float32)
    while not stop.is_set():
        a = np.tanh(a @ a.T / 192.0)
        sum(range(2000))


def _events(i: int, t: float) -> list[RepCompleted | FormFault]:
    velocity = 1.0 - 0.02 * i
    rep = RepRecord(i, t - REP_INTERVAL_S, t, 0.4, 0.4, velocity=velocity)
    events: list[RepCompleted | FormFault] = [RepCompleted(t=t, exercise="squat", rep=rep)]
    if i % 2 == 0:  # a fault every other rep; the policy's cooldown thins them out
        events.append(FormFault(t=t, exercise="squat", rep_index=i, fault="squat_knee_valgus"))
    return events


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _row(name: str, start: list[float], ready: list[float]) -> str:
    return (
        f"{name:<28} n={len(ready):3d}  start p50 {statistics.median(start):6.1f} "
        f"p95 {_pct(start, 0.95):6.1f}  ready p50 {statistics.median(ready):6.1f} "
        f"p95 {_pct(ready, 0.95):6.1f} max {max(ready):6.1f} ms"
    )


def _run_worker(out: Path) -> tuple[list[float], list[float], list[float], int, list[Cue]]:
    speech = build_speech(SpeechConfig(kind="wav"), out)
    policy = CuePolicy(CueSettings(target_reps=REPS))
    say_us: list[float] = []
    cues: list[Cue] = []
    t0 = time.monotonic()
    for i in range(1, REPS + 1):
        due = t0 + i * REP_INTERVAL_S
        time.sleep(max(0.0, due - time.monotonic()))
        origin = time.monotonic()  # the rep's last frame is captured now
        for event in _events(i, i * REP_INTERVAL_S):
            for cue in policy.on_event(event):
                before = time.perf_counter()
                speech.say(cue, origin=origin)
                say_us.append((time.perf_counter() - before) * 1e6)
                cues.append(cue)
    speech.flush(30.0)
    speech.close()
    stats = speech.stats
    return list(stats.start_latency_ms), list(stats.ready_latency_ms), say_us, stats.stale, cues


def _run_cli(out: Path, cues: list[Cue]) -> tuple[list[float], list[float]]:
    """The same cues, each synthesised by a fresh ``espeak-ng -w`` process, in turn."""
    start_ms: list[float] = []
    ready_ms: list[float] = []
    t0 = time.monotonic()
    free_at = t0
    for n, cue in enumerate(cues):
        origin = t0 + cue.t
        time.sleep(max(0.0, origin - time.monotonic()))
        begin = max(time.monotonic(), free_at)
        subprocess.run(
            ["espeak-ng", "-v", "en", "-s", "165", "-w", str(out / f"cli_{n:03d}.wav"), cue.text],
            check=True,
            capture_output=True,
        )
        free_at = time.monotonic()
        start_ms.append((begin - origin) * 1e3)
        ready_ms.append((free_at - origin) * 1e3)
    return start_ms, ready_ms


def _sox_rms(paths: list[Path]) -> list[float]:
    """RMS amplitude of each WAV as ``sox stat`` reports it; empty if sox is missing."""
    if shutil.which("sox") is None:
        print("sox is not installed: WAV levels not checked")
        return []
    levels = []
    for path in paths:
        done = subprocess.run(
            ["sox", str(path), "-n", "stat"], check=True, capture_output=True, text=True
        )
        for line in done.stderr.splitlines():
            if line.startswith("RMS     amplitude:"):
                levels.append(float(line.split(":")[1]))
    return levels


def main() -> None:
    """Run the cue-latency benchmark and print figures and the ratio to the baseline."""
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is not installed (apt install espeak-ng): skipped")
        return
    stop = threading.Event()
    loader = threading.Thread(target=_load, args=(stop,), daemon=True)
    loader.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            # pyttsx3 prints a line per saved file; keep the report readable
            with contextlib.redirect_stdout(io.StringIO()):
                start, ready, say_us, stale, cues = _run_worker(out)
            cli_start, cli_ready = _run_cli(out, cues)
            levels = _sox_rms(sorted((out / "speech").glob("cue_*.wav")))
    finally:
        stop.set()
        loader.join()
    print(
        f"{REPS} reps every {REP_INTERVAL_S} s under CPU load; {len(cues)} cues "
        f"(reps, faults after cooldown, encouragement); stale drops {stale}"
    )
    if levels:
        quiet = sum(1 for v in levels if v < 0.01)
        print(
            f"sox stat over {len(levels)} WAVs: RMS amplitude min {min(levels):.3f}, "
            f"median {statistics.median(levels):.3f}; silent (RMS < 0.01): {quiet}"
        )
    print(_row("pyttsx3 worker (this code)", start, ready))
    print(_row("baseline: espeak-ng CLI", cli_start, cli_ready))
    print(
        f"say() on the frame path: median {statistics.median(say_us):.1f} us, "
        f"max {max(say_us):.1f} us"
    )
    ratio = _pct(ready, 0.95) / _pct(cli_ready, 0.95)
    verdict = "PASS" if _pct(ready, 0.95) <= TARGET_MS else "FAIL"
    print(
        f"ready-latency p95 ratio worker/baseline: {ratio:.2f}; "
        f"target p95 <= {TARGET_MS:.0f} ms: {verdict}"
    )


if __name__ == "__main__":
    main()
