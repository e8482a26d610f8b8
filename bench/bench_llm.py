"""Set summary speed: prompt tokens per set with and without the cached system prompt,
prompt and generation tokens/s, time to first sentence, and a Pi 5 TinyLlama projection.

Runs the configured GGUF (``[llm] model_path`` or the model store's ``llm``; or the file in
``EDGE_TRAINER_BENCH_LLM``); without one, the tiny random-weight test model. Baseline, in
the same run on the same sets: the whole prompt processed for every set (no cached prefix).
The projection takes token counts from the model's own tokenizer and the published Pi 5
TinyLlama 1.1B q8_0 rates (35 tokens/s prompt, 9 tokens/s generation).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from edge_trainer import config as config_mod
from edge_trainer.coach.facts import SetFacts, build_facts
from edge_trainer.coach.summary import Summary, plural
from edge_trainer.coach.worker import SummaryService
from edge_trainer.events import RepRecord, SetRecord

PI5_PROMPT_TOK_S = 35.0
PI5_GEN_TOK_S = 9.0
GOAL_S = 3.0
NAIVE_ANSWER_TOKENS = 60  # a whole two-sentence answer, spoken only once complete
RUNS = 3


def _sets() -> list[tuple[SetRecord, SetRecord | None]]:
    def reps(n: int, up: float, faults: dict[int, str]) -> tuple[RepRecord, ...]:
        return tuple(
            RepRecord(
                i, 3.0 * i, 3.0 * i + 2.6, up + 0.08 * i, 1.6, velocity=0.9 - 0.03 * i,
                faults=(faults[i],) if i in faults else (),
            )
            for i in range(1, n + 1)
        )  # fmt: skip

    squat = SetRecord("squat", 0, 30, reps(8, 1.0, {3: "knees_in", 5: "knees_in"}), (), 23.0)
    prev = SetRecord("squat", 0, 30, reps(10, 1.0, {}), (), 12.0)
    push = SetRecord("push_up", 0, 30, reps(12, 0.6, {11: "hip_sag"}), (), 31.0)
    lunge = SetRecord("lunge", 0, 30, reps(6, 1.2, {}), (), None)
    return [(squat, prev), (push, None), (lunge, None)]


def _example_first_sentence(f: SetFacts) -> str:
    """A first sentence as the system prompt asks for it (under eight words)."""
    return f"Solid work on those {f.reps} {plural(f.label, f.reps)}."


def _model_path(cfg: config_mod.Config, tmp: Path) -> tuple[Path, str]:
    env = os.environ.get("EDGE_TRAINER_BENCH_LLM")
    if env:
        return Path(env), "EDGE_TRAINER_BENCH_LLM"
    if cfg.llm.model_path:
        return Path(cfg.llm.model_path), "config llm.model_path"
    from edge_trainer.errors import EdgeTrainerError
    from edge_trainer.models.store import resolve

    try:
        return resolve(Path(cfg.paths.models_dir), "llm", verify=False)[0], "model store"
    except EdgeTrainerError:
        pass
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.llm_fixture import CHATTY_BIAS, build_tiny_gguf

    return build_tiny_gguf(tmp / "tiny.gguf", bias=CHATTY_BIAS), "tiny random test model"


def _service_first_sentence(cfg: config_mod.LlmConfig, model: Path) -> list[float]:
    """Request -> first accepted sentence through the worker process (normal priority)."""
    svc = SummaryService(
        config_mod.replace(cfg, model_path=str(model), worker_priority="normal"), ""
    )
    svc.start()
    out: list[float] = []
    try:
        if not svc.wait_ready(cfg.load_timeout_s):
            print(f"  worker not ready: {svc.reason}")
            return out
        for record, prev in _sets() * RUNS:
            first: list[float] = []
            done = threading.Event()
            t0 = time.perf_counter()

            def on_sentence(_s: str, first: list[float] = first, t0: float = t0) -> None:
                if not first:
                    first.append(time.perf_counter() - t0)

            def on_done(_s: Summary, done: threading.Event = done) -> None:
                done.set()

            svc.request(record, prev, on_sentence, on_done)
            done.wait(cfg.max_seconds + 10)
            out.extend(first)
    finally:
        svc.close()
    return out


def main() -> None:
    from edge_trainer.coach.llm import GenerationStats, LlamaSummarizer

    path = config_mod.DEFAULT_CONFIG_PATH
    cfg = config_mod.load(path if path.is_file() else None)
    with tempfile.TemporaryDirectory() as tmp:
        model_path, origin = _model_path(cfg, Path(tmp))
        print(f"model: {model_path.name} ({origin}), threads={cfg.llm.threads}")
        t0 = time.perf_counter()
        model = LlamaSummarizer(model_path, n_ctx=cfg.llm.context_tokens, threads=cfg.llm.threads)
        print(
            f"load {time.perf_counter() - t0 - model.prefix_s:.2f} s, system prompt "
            f"{model.prefix_tokens} tokens evaluated once in {model.prefix_s * 1000:.0f} ms"
        )
        rows: dict[bool, list[GenerationStats]] = {True: [], False: []}
        first_tokens: list[int] = []
        for _ in range(RUNS):
            for record, prev in _sets():
                facts = build_facts(record, prev)
                first_tokens.append(model.count_tokens(_example_first_sentence(facts)))
                for use_cache in (False, True):
                    st = GenerationStats()
                    for _s in model.sentences(
                        facts.sheet(),
                        max_tokens=cfg.llm.max_tokens,
                        max_seconds=cfg.llm.max_seconds,
                        max_sentences=cfg.llm.max_sentences,
                        use_cache=use_cache,
                        stats=st,
                    ):
                        pass
                    rows[use_cache].append(st)
        service_first = _service_first_sentence(cfg.llm, model_path)
        model.close()

    def med(values: list[float]) -> float:
        return statistics.median(values) if values else float("nan")

    full = med([s.evaluated_prompt_tokens for s in rows[False]])
    cached = med([s.evaluated_prompt_tokens for s in rows[True]])
    prompt_rate = med([s.evaluated_prompt_tokens / s.prompt_s for s in rows[False] if s.prompt_s])
    gen_rate = med([s.generated_tokens / s.generation_s for s in rows[True] if s.generation_s])
    ttfs = {
        k: [s.first_sentence_s for s in v if s.first_sentence_s is not None]
        for k, v in rows.items()
    }
    print(f"prompt tokens per set: {full:.0f} without cached prefix, {cached:.0f} with "
          f"(ratio {full / cached:.1f}x fewer)")  # fmt: skip
    print(f"prompt {prompt_rate:.0f} tok/s, generation {gen_rate:.0f} tok/s (this machine)")
    p_hot = med([s.prompt_s for s in rows[True]]) * 1000
    p_cold = med([s.prompt_s for s in rows[False]]) * 1000
    print(
        f"prompt processing per set (llama.cpp timings): {p_hot:.1f} ms cached, "
        f"{p_cold:.1f} ms uncached (ratio {p_cold / p_hot:.1f}x)"
    )
    hot, cold = med(ttfs[True]), med(ttfs[False])
    print(
        f"time to first sentence (in process): {hot * 1000:.1f} ms cached, "
        f"{cold * 1000:.1f} ms uncached (ratio {cold / hot:.2f}x)"
    )
    if service_first:
        ms = med(service_first) * 1000
        print(
            f"time to first sentence (worker process, request -> hand-off): {ms:.1f} ms "
            f"median over {len(service_first)} sets"
        )
    first = med([float(n) for n in first_tokens])
    pi_cached = cached / PI5_PROMPT_TOK_S + first / PI5_GEN_TOK_S
    pi_full = full / PI5_PROMPT_TOK_S + first / PI5_GEN_TOK_S
    pi_naive = full / PI5_PROMPT_TOK_S + NAIVE_ANSWER_TOKENS / PI5_GEN_TOK_S
    print(
        f"Pi 5 TinyLlama projection ({PI5_PROMPT_TOK_S:.0f} tok/s prompt, {PI5_GEN_TOK_S:.0f} "
        f"tok/s generation, first sentence ~{first:.0f} tokens, eight words):"
    )
    print(f"  first spoken word, cached prefix + streaming: {pi_cached:.1f} s "
          f"({'meets' if pi_cached <= GOAL_S else 'misses'} the {GOAL_S:.0f} s goal)")  # fmt: skip
    print(f"  without cached prefix, streaming:             {pi_full:.1f} s")
    print(f"  naive (whole prompt, whole {NAIVE_ANSWER_TOKENS}-token answer):   {pi_naive:.1f} s")
    startup = model.prefix_tokens / PI5_PROMPT_TOK_S
    print(f"  one-off at start-up (system prompt):          {startup:.1f} s")
