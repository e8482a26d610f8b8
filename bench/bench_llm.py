"""Set summary speed and memory with the real model: prompt and generation tokens/s, time to
first sentence (idle, and with one core busy), daemon memory with the model loaded, and a
Pi 5 TinyLlama projection.

Runs the configured GGUF (``[llm] model_path``, the model store's ``llm``, or the file in
``EDGE_TRAINER_BENCH_LLM``); ``make bench`` provisions SmolLM2-135M-Instruct first.
Baseline, in the same run on the same lines: the whole prompt processed for every line
(no reused prefix). The busy core is a spinning process at normal priority, as the frame
path would be; the worker runs as in the daemon (idle priority), once with the thread
count it picks (the cores left free) and once with one thread per core.

The projection takes this run's token counts and published Raspberry Pi 5 TinyLlama
1.1B rates: 9 tokens/s generation, the low end of the 8-12 tokens/s reported for a
Pi 5 8GB ("Best SBC for Local LLM Inference: Raspberry Pi 5 vs Pi 4 8GB in 2026",
specpicks.com/reviews/best-sbc-local-llm-pi5-vs-pi4-2026), and 35 tokens/s prompt
processing, half the 60-80 tokens/s prefill reported even for a Pi 4
(specpicks.com/reviews/raspberry-pi-4-8gb-local-llm-realistic-throughput-2026).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from edge_trainer import config as config_mod
from edge_trainer.coach.facts import build_facts
from edge_trainer.coach.llm_process import free_cores
from edge_trainer.coach.prompt import prefill
from edge_trainer.coach.sample_sets import sample_sets
from edge_trainer.coach.summary import Summary, coach_lines
from edge_trainer.coach.worker import SummaryService

PI5_PROMPT_TOK_S = 35.0
PI5_GEN_TOK_S = 9.0
FIRST_SENTENCE_GOAL_S = 0.6
RSS_GOAL_MB = 450.0
SETS = 12


def _model_path(cfg: config_mod.Config) -> tuple[Path, str]:
    env = os.environ.get("EDGE_TRAINER_BENCH_LLM")
    if env:
        return Path(env), "EDGE_TRAINER_BENCH_LLM"
    if cfg.llm.model_path:
        return Path(cfg.llm.model_path), "config llm.model_path"
    from edge_trainer.models.store import resolve

    return resolve(Path(cfg.paths.models_dir), "llm", verify=False)[0], "model store"


def _spin() -> None:
    while True:
        pass


@contextmanager
def busy_core() -> Iterator[None]:
    """One core kept busy by a process at normal priority, for the duration."""
    proc = multiprocessing.get_context("spawn").Process(target=_spin, daemon=True)
    proc.start()
    try:
        yield
    finally:
        proc.terminate()
        proc.join()


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return 0.0


def in_process(model_path: Path) -> dict[str, float]:
    """Tokens and times per line with and without the reused prefix, one thread."""
    from edge_trainer.coach.llm import GenerationStats, LlamaSummarizer

    model = LlamaSummarizer(model_path, threads=1)
    prefix = model.prefix_tokens
    print(f"fixed prompt (instructions + examples): {model.prefix_tokens} tokens, processed "
          f"once at load in {model.prefix_s * 1000:.0f} ms")  # fmt: skip
    import random

    rng = random.Random(3)
    rows: dict[bool, list[GenerationStats]] = {True: [], False: []}
    lines = [
        (line.text, prefill(line, rng))
        for record, previous in sample_sets(SETS, seed=5)
        for line in coach_lines(build_facts(record, previous))
    ]
    try:
        # One pass each, so a reused prefix is what the previous, different line left.
        for reuse in (False, True):
            for note, start in lines:
                st = GenerationStats()
                deadline = time.monotonic() + 20
                model.say(note, start, max_tokens=40, deadline=deadline, use_cache=reuse, stats=st)
                rows[reuse].append(st)
    finally:
        model.close()
    med = statistics.median
    full = med([s.evaluated_prompt_tokens for s in rows[False]])
    reused = med([s.evaluated_prompt_tokens for s in rows[True]])
    prompt_rate = med([s.evaluated_prompt_tokens / s.prompt_s for s in rows[False]])
    gen = [s for s in rows[True] if s.generated_tokens > 1 and s.generation_s > 0]
    gen_rate = med([(s.generated_tokens - 1) / s.generation_s for s in gen])
    gen_tokens = med([float(s.generated_tokens) for s in rows[True]])
    hot = med([s.wall_s for s in rows[True] if s.sentences])
    cold = med([s.wall_s for s in rows[False] if s.sentences])
    restored = med([s.prompt_tokens - prefix for s in rows[True]])
    print(f"prompt tokens processed per line: {full:.0f} without the reused prefix, "
          f"{reused:.0f} with Llama.generate's own prefix reuse (ratio {full / reused:.1f}x "
          f"fewer; a restored saved state of the fixed prompt leaves {restored:.0f})")  # fmt: skip
    print(f"prompt processing {prompt_rate:.0f} tokens/s, generation {gen_rate:.0f} tokens/s "
          f"(this machine, 1 thread; {gen_tokens:.0f} tokens a sentence)")  # fmt: skip
    print(f"one sentence, in process: {hot * 1000:.0f} ms with the reused prefix, "
          f"{cold * 1000:.0f} ms without (ratio {cold / hot:.1f}x)")  # fmt: skip
    return {"evaluated": reused, "full": full, "gen_tokens": gen_tokens}


def through_worker(cfg: config_mod.LlmConfig, model: Path, threads: int, busy: bool) -> None:
    """Request -> first sentence through the idle-priority worker, as in the daemon."""
    llm = config_mod.replace(cfg, model_path=str(model), threads=threads, worker_priority="idle")
    firsts: list[float] = []
    mixed = 0
    with tempfile.TemporaryDirectory() as tmp:
        svc = SummaryService(llm, tmp)
        svc.start()
        try:
            if not svc.wait_ready(cfg.load_timeout_s):
                print(f"  worker not ready: {svc.reason}")
                return
            with busy_core() if busy else _nothing():
                for record, previous in sample_sets(SETS, seed=6):
                    done = threading.Event()
                    result: list[Summary] = []

                    def end(
                        s: Summary, done: threading.Event = done, r: list[Summary] = result
                    ) -> None:
                        r.append(s)
                        done.set()

                    svc.request(record, previous, lambda _s: None, end)
                    done.wait(cfg.max_seconds + 10)
                    # Request -> the model's first sentence (spoken, or replaced if rejected);
                    # a summary the model never reached is counted as too slow, not timed.
                    first = result[0].stats.get("first_sentence_latency_s") if result else None
                    if first is not None:
                        firsts.append(first)
                    else:
                        mixed += 1
        finally:
            svc.close()
    label = f"{threads} thread{'s' if threads > 1 else ''}, {'one core busy' if busy else 'idle'}"
    med = statistics.median(firsts) if firsts else float("nan")
    verdict = "meets" if med <= FIRST_SENTENCE_GOAL_S else "misses"
    worst = max(firsts, default=float("nan"))
    print(f"  {label}: first sentence median {med * 1000:.0f} ms, max {worst * 1000:.0f} ms "
          f"over {len(firsts)} sets; {mixed} had no model sentence in time ({verdict} the "
          f"{FIRST_SENTENCE_GOAL_S} s goal)")  # fmt: skip


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def daemon_memory(model: Path) -> None:
    """RSS of the daemon (the app process plus its LLM worker) with the model loaded."""
    from edge_trainer.app import App
    from edge_trainer.sim.api import write_clip
    from edge_trainer.sim.spec import ActivitySpec, ClipSpec, SetSpec

    models = Path(config_mod.Config().paths.models_dir).resolve()
    with tempfile.TemporaryDirectory(prefix="bench-llm-") as tmp:
        root = Path(tmp)
        spec = ClipSpec((ActivitySpec("stand", 1.0, 90.0), SetSpec("squat", 5, 90.0),
                         ActivitySpec("stand", 6.0, 90.0)), seed=11, fps=30.0)  # fmt: skip
        write_clip(spec, root / "squats")
        cfg = config_mod.from_dict({
            "paths": {"state_dir": str(root / "state"), "models_dir": str(models),
                      "output_dir": str(root / "out")},
            "speech": {"kind": "wav"},
            "llm": {"model_path": str(model)},
        })  # fmt: skip
        app = App(cfg, "run", video=root / "squats.mp4")
        peak = {"app": 0.0, "worker": 0.0, "both": 0.0}
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.2):
                summaries = app.outputs.summaries if app.outputs is not None else None
                pid = summaries.worker_pid if summaries is not None else None
                own = _rss_mb(os.getpid())
                worker = _rss_mb(pid) if pid else 0.0
                peak["app"] = max(peak["app"], own)
                peak["worker"] = max(peak["worker"], worker)
                peak["both"] = max(peak["both"], own + worker)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        app.run()
        stop.set()
        sampler.join()
    verdict = "meets" if peak["both"] <= RSS_GOAL_MB else "misses"
    print(f"daemon RSS with the model loaded (run mode, paced clip): app {peak['app']:.0f} MB "
          f"+ LLM worker {peak['worker']:.0f} MB = {peak['both']:.0f} MB peak "
          f"({verdict} the {RSS_GOAL_MB:.0f} MB goal)")  # fmt: skip


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    path = config_mod.DEFAULT_CONFIG_PATH
    cfg = config_mod.load(path if path.is_file() else None)
    model, origin = _model_path(cfg)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"model: {model.name} ({origin}); {os.cpu_count()} cores here, load average {load} "
          "(other work on the machine slows every figure below)")  # fmt: skip
    counts = in_process(model)
    auto = free_cores(cfg.pose.threads)
    cores = os.cpu_count() or 1
    print(f"through the idle-priority worker ({auto} thread(s) picked: {cores} cores minus "
          f"{cfg.pose.threads} pose threads):")  # fmt: skip
    through_worker(cfg.llm, model, auto, busy=False)
    through_worker(cfg.llm, model, auto, busy=True)
    if cores > auto:
        through_worker(cfg.llm, model, cores, busy=True)
    daemon_memory(model)
    first = counts["evaluated"] / PI5_PROMPT_TOK_S + counts["gen_tokens"] / PI5_GEN_TOK_S
    full = counts["full"] / PI5_PROMPT_TOK_S + counts["gen_tokens"] / PI5_GEN_TOK_S
    print(f"Pi 5 TinyLlama 1.1B projection ({PI5_PROMPT_TOK_S:.0f} tokens/s prompt, "
          f"{PI5_GEN_TOK_S:.0f} tokens/s generation, this run's token counts):")  # fmt: skip
    print(f"  first sentence with the reused prefix: {first:.1f} s; without it: {full:.1f} s "
          "(TinyLlama's tokenizer gives counts of the same order)")  # fmt: skip
