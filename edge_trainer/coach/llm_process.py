"""The summary worker process: loads the GGUF model at low CPU priority and streams sentences."""

from __future__ import annotations

import contextlib
import functools
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edge_trainer.config import LlmConfig
from edge_trainer.errors import EdgeTrainerError


@dataclass(frozen=True)
class WorkerSpec:
    """Everything the worker process needs, picklable."""

    model_path: str
    n_ctx: int
    threads: int
    temperature: float
    max_tokens: int
    max_seconds: float
    max_sentences: int
    priority: str = "idle"
    store_dir: str = ""  # set: the model is the store's ``llm``, hash-checked before loading

    @classmethod
    def from_config(
        cls, cfg: LlmConfig, model_path: Path, store_dir: str = "", frame_threads: int = 1
    ) -> WorkerSpec:
        """The spec for ``cfg``; ``store_dir`` when the model comes from the model store.

        ``frame_threads`` is how many cores the frame path keeps busy (its pose threads).
        """
        return cls(
            model_path=str(model_path),
            n_ctx=cfg.context_tokens,
            threads=cfg.threads or free_cores(frame_threads),
            temperature=cfg.temperature,
            max_tokens=cfg.max_tokens,
            max_seconds=cfg.max_seconds,
            max_sentences=cfg.max_sentences,
            priority=cfg.worker_priority,
            store_dir=store_dir,
        )


def free_cores(frame_threads: int, cores: int | None = None) -> int:
    """Cores the frame path leaves free for llama.cpp: the CPU's minus its threads, at least 1.

    llama.cpp's threads wait for each other at every step, so a thread that shares a core
    with the frame path holds all of them up: on a 2-core box with one core busy, two
    idle-priority threads took 28-31 s for a summary that one thread wrote in 0.5 s.
    """
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) - max(1, frame_threads))


def lower_priority(mode: str = "idle") -> str:
    """Drop this process's CPU priority; returns what was set.

    Args:
        mode: ``idle`` (nice 19 and ``SCHED_IDLE`` where available: runs only on CPU
            nothing else wants), ``nice`` (nice 19 only) or ``normal`` (unchanged).
    """
    done: list[str] = []
    if mode == "normal":
        return "normal priority"
    with contextlib.suppress(OSError):
        os.nice(19 - os.nice(0))
        done.append("nice 19")
    policy = getattr(os, "SCHED_IDLE", None)
    if mode == "idle" and policy is not None:
        try:
            os.sched_setscheduler(0, policy, os.sched_param(0))
            done.append("SCHED_IDLE")
        except (OSError, AttributeError):
            pass
    return ", ".join(done) or "unchanged"


def cpu_ticks(pid: int) -> int | None:
    """CPU time a process has used, in clock ticks (None if unknown: not Linux, or gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the ")" that closes the command name; utime and stime are 14 and 15.
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _cancelled(cancel: Any, rid: int) -> bool:
    return bool(cancel.value >= rid)


def worker_main(conn: Any, cancel: Any, spec: WorkerSpec) -> None:
    """Entry point of the worker process: load the model, then serve requests until told to quit.

    A request is ``("summarize", id, [(note, start), ...])``: each note is re-worded as one
    sentence beginning with its start, within one time budget for the whole summary.

    Messages out: ``("ready", info)``, ``("load_failed", reason)``, ``("started", id)``,
    ``("sentence", id, line index, text)`` (text empty when the model wrote nothing
    usable), ``("done", id, stop, stats)``, ``("error", id, reason)``.
    """
    priority = lower_priority(spec.priority)
    from edge_trainer.coach.llm import GenerationStats, LlamaSummarizer

    path, sha256 = Path(spec.model_path), ""
    try:
        if spec.store_dir:
            # Hashing a few hundred MB takes seconds on a Pi: done here, at low priority.
            from edge_trainer.models.store import resolve

            path, entry = resolve(Path(spec.store_dir), "llm", verify=True)
            sha256 = entry.sha256
        model = LlamaSummarizer(
            path,
            n_ctx=spec.n_ctx,
            threads=spec.threads,
            temperature=spec.temperature,
        )
    except EdgeTrainerError as exc:
        conn.send(("load_failed", str(exc)))
        return
    except Exception as exc:  # whatever llama.cpp raises: report it, the daemon decides
        conn.send(("load_failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(
        (
            "ready",
            {
                "model": str(path),
                "sha256": sha256,
                "prefix_tokens": model.prefix_tokens,
                "load_s": round(model.load_s, 3),
                "prefix_s": round(model.prefix_s, 3),
                "priority": priority,
                "threads": spec.threads,
            },
        )
    )
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return  # the daemon is gone
        if msg[0] == "quit":
            model.close()
            return
        _, rid, notes = msg
        conn.send(("started", rid))
        stats = GenerationStats()
        deadline = time.monotonic() + spec.max_seconds
        stop = functools.partial(_cancelled, cancel, rid)
        try:
            for index, (note, start) in enumerate(notes[: spec.max_sentences]):
                sentence = model.say(
                    note,
                    start,
                    max_tokens=spec.max_tokens,
                    deadline=deadline,
                    should_stop=stop,
                    stats=stats,
                )
                if stats.stop in ("cancelled", "seconds"):
                    break
                conn.send(("sentence", rid, index, sentence or ""))
            conn.send(("done", rid, stats.stop, stats.as_dict()))
        except (BrokenPipeError, EOFError):
            return
        except Exception as exc:  # a failed generation must not end the worker
            conn.send(("error", rid, f"{type(exc).__name__}: {exc}"))
