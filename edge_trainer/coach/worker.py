"""Set summaries from a low-priority worker process, with the deterministic text as fallback.

The model runs in its own process at the lowest CPU priority (nice 19, ``SCHED_IDLE``
where the kernel has it), so it only gets CPU time the frame pipeline leaves over, and
a crash or hang inside llama.cpp cannot touch the daemon. One supervisor thread in the
daemon talks to it over a pipe, checks every sentence against the facts, hands good
sentences on, and finishes with the deterministic summary whenever the model is absent,
too slow, wrong, cancelled or gone. A worker that dies is restarted within a budget.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edge_trainer.coach.facts import SetFacts, build_facts
from edge_trainer.coach.summary import Summary, SummarySource, deterministic_summary
from edge_trainer.coach.verify import allowed_numbers, check_sentence
from edge_trainer.config import LlmConfig
from edge_trainer.errors import EdgeTrainerError
from edge_trainer.events import SetRecord

log = logging.getLogger(__name__)

SentenceCallback = Callable[[str], None]
DoneCallback = Callable[[Summary], None]

# Beyond its own time budget, how long a worker may stay silent before it counts as hung.
HANG_GRACE_S = 5.0


# -- the worker process ------------------------------------------------------------------


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


def _cancelled(cancel: Any, rid: int) -> bool:
    return bool(cancel.value >= rid)


def worker_main(conn: Any, cancel: Any, spec: WorkerSpec) -> None:
    """Entry point of the worker process: load the model, then serve requests until told to quit.

    Messages out: ``("ready", info)``, ``("load_failed", reason)``, ``("started", id)``,
    ``("sentence", id, text)``, ``("done", id, stop, stats)``, ``("error", id, reason)``.
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
        _, rid, sheet = msg
        conn.send(("started", rid))
        stats = GenerationStats()
        try:
            for sentence in model.sentences(
                sheet,
                max_tokens=spec.max_tokens,
                max_seconds=spec.max_seconds,
                max_sentences=spec.max_sentences,
                should_stop=functools.partial(_cancelled, cancel, rid),
                stats=stats,
            ):
                conn.send(("sentence", rid, sentence))
            conn.send(("done", rid, stats.stop, stats.as_dict()))
        except (BrokenPipeError, EOFError):
            return
        except Exception as exc:  # a failed generation must not end the worker
            conn.send(("error", rid, f"{type(exc).__name__}: {exc}"))


# -- the daemon side -------------------------------------------------------------------


@dataclass
class _Job:
    id: int
    facts: SetFacts
    fallback: Summary
    on_sentence: SentenceCallback
    on_done: DoneCallback
    requested: float
    spoken: list[str] = field(default_factory=list)
    first_sentence_s: float | None = None
    stats: dict[str, float] = field(default_factory=dict)


class SummaryService:
    """Writes set summaries with the LLM worker, never holding anything else up.

    Callbacks run on the service's own thread; keep them short (put the text on the
    speech queue and the display, and return).

    Args:
        cfg: The ``[llm]`` config section.
        models_dir: The model store, used when ``cfg.model_path`` is empty.
        max_restarts_per_min: A worker that dies more often than this stays down.
    """

    def __init__(
        self, cfg: LlmConfig, models_dir: str | os.PathLike[str], max_restarts_per_min: int = 3
    ) -> None:
        self.cfg = cfg
        self.models_dir = Path(models_dir)
        self.max_restarts_per_min = max_restarts_per_min
        self.state = "stopped"  # stopped, off, starting, ready, unavailable, closed
        self.reason = ""
        self.restarts: list[float] = []
        self.info: dict[str, Any] = {}
        self._ids = itertools.count(1)
        self._last_id = 0
        self._cmds: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._ctx = multiprocessing.get_context("spawn")
        self._cancel: Any = self._ctx.Value("q", 0, lock=False)
        self._proc: Any = None
        self._conn: Any = None
        self._load_deadline = 0.0
        self._busy: dict[int, float] = {}  # request id -> deadline, while the worker has it
        self._job: _Job | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._model_path: Path | None = None
        self._from_store = False

    # -- public API --------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker (if the LLM is enabled and a model is configured)."""
        if self._thread is not None:
            return
        self._model_path = self._find_model()
        self._thread = threading.Thread(target=self._run, name="summary", daemon=True)
        self._thread.start()

    def request(
        self,
        record: SetRecord,
        previous: SetRecord | None,
        on_sentence: SentenceCallback,
        on_done: DoneCallback,
    ) -> Summary:
        """Summarise a finished set; returns at once with the deterministic summary.

        ``on_sentence`` gets each sentence to speak as soon as it is ready and checked;
        ``on_done`` gets the final Summary once (after its last sentence). A request made
        while another is running cancels that one.
        """
        facts = build_facts(record, previous)
        fallback = deterministic_summary(facts)
        job = _Job(next(self._ids), facts, fallback, on_sentence, on_done, time.monotonic())
        self._last_id = job.id
        if self._thread is None or self.state == "closed":
            self._deliver(job, "deterministic", f"summary service {self.state}")
        else:
            self._command("request", job)
        return fallback

    def cancel(self) -> None:
        """A set started: stop any summary now; nothing more of it is spoken."""
        # Takes effect at once, before the service thread gets to the command: the worker
        # polls this value after every token and the service drops later sentences.
        self._cancel.value = self._last_id
        self._command("cancel", None)

    def wait_ready(self, timeout: float) -> bool:
        """Wait until the model is loaded (True) or the LLM is known to be unavailable."""
        self._ready.wait(timeout)
        return self.state == "ready"

    @property
    def worker_pid(self) -> int | None:
        """The worker process id, while one runs."""
        proc = self._proc
        return proc.pid if proc is not None and proc.is_alive() else None

    def close(self, timeout: float = 3.0) -> None:
        """Stop the worker and the service thread; safe to call twice."""
        if self.state == "closed" and self._thread is None:
            return
        if self._thread is not None:
            self._command("close", None)
            self._thread.join(timeout)
            self._thread = None
        self._stop_worker(graceful=True)
        self.state = "closed"
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    # -- supervisor thread -------------------------------------------------------------

    def _command(self, name: str, arg: Any) -> None:
        self._cmds.put((name, arg))
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def _find_model(self) -> Path | None:
        if not self.cfg.enabled:
            log.info("LLM summaries disabled in the config; set summaries are deterministic")
            self._set_state("off", "LLM summaries are disabled in the config")
            return None
        if self.cfg.model_path:
            return Path(self.cfg.model_path).expanduser()
        from edge_trainer.models.store import resolve

        try:
            # The worker checks its hash, at low priority; hashing here would delay start.
            path, _entry = resolve(self.models_dir, "llm", verify=False)
            self._from_store = True
        except EdgeTrainerError as exc:
            log.info("no LLM model (%s); set summaries are deterministic", exc)
            self._set_state("unavailable", str(exc))
            return None
        return path

    def _set_state(self, state: str, reason: str = "") -> None:
        self.state, self.reason = state, reason
        if state in ("ready", "off", "unavailable", "closed"):
            self._ready.set()

    def _spawn(self) -> None:
        assert self._model_path is not None
        from edge_trainer.coach.llm import check_gguf_file

        try:
            check_gguf_file(self._model_path)
        except EdgeTrainerError as exc:
            log.error("%s; set summaries are deterministic", exc)
            self._set_state("unavailable", str(exc))
            return
        spec = WorkerSpec(
            model_path=str(self._model_path),
            n_ctx=self.cfg.context_tokens,
            threads=self.cfg.threads,
            temperature=self.cfg.temperature,
            max_tokens=self.cfg.max_tokens,
            max_seconds=self.cfg.max_seconds,
            max_sentences=self.cfg.max_sentences,
            priority=self.cfg.worker_priority,
            store_dir=str(self.models_dir) if self._from_store else "",
        )
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(
            target=worker_main,
            args=(child, self._cancel, spec),
            name="edge-trainer-llm",
            daemon=True,
        )
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        self._busy.clear()
        self._load_deadline = time.monotonic() + self.cfg.load_timeout_s
        self._set_state("starting")
        log.info("LLM worker started (pid %s) for %s", proc.pid, self._model_path.name)

    def _run(self) -> None:
        try:
            self._loop()
        except Exception as exc:  # the service must fail safe, never take the daemon down
            log.exception("summary service failed; set summaries are deterministic")
            self._set_state("unavailable", f"service failed: {exc}")
            self._finish_job("deterministic", "summary service failed")
            self._stop_worker(graceful=False)

    def _loop(self) -> None:
        if self._model_path is not None:
            self._spawn()
        else:
            self._ready.set()
        while True:
            waits: list[Any] = [self._wake_r]
            if self._conn is not None:
                waits += [self._conn, self._proc.sentinel]
            multiprocessing.connection.wait(waits, timeout=self._timeout())
            with contextlib.suppress(OSError, BlockingIOError):
                os.read(self._wake_r, 4096)
            while True:
                try:
                    name, arg = self._cmds.get_nowait()
                except queue.Empty:
                    break
                if name == "close":
                    self._finish_job("deterministic", "shutting down", cancelled=True)
                    return
                if name == "cancel":
                    self._cancel_job(cancelled=True)
                elif name == "request":
                    self._start_job(arg)
            self._read_worker()
            self._check_worker()

    def _timeout(self) -> float:
        deadlines = list(self._busy.values())
        if self.state == "starting":
            deadlines.append(self._load_deadline)
        if not deadlines:
            return 1.0
        return max(0.01, min(min(deadlines) - time.monotonic(), 1.0))

    def _start_job(self, job: _Job) -> None:
        if self._job is not None:
            self._cancel_job(cancelled=True, reason="superseded by a newer set")
        if self.state != "ready" or self._conn is None:
            why = {"starting": "model still loading"}.get(self.state, self.reason or self.state)
            self._job = job
            self._finish_job("deterministic", why)
            return
        self._job = job
        try:
            self._conn.send(("summarize", job.id, job.facts.sheet()))
        except OSError:
            self._worker_lost("worker pipe closed")
            return
        self._busy[job.id] = time.monotonic() + self.cfg.max_seconds + HANG_GRACE_S

    def _cancel_job(self, cancelled: bool, reason: str = "a set started") -> None:
        job = self._job
        if job is None:
            return
        self._cancel.value = job.id
        self._finish_job("deterministic", reason, cancelled=cancelled)

    def _read_worker(self) -> None:
        conn = self._conn
        while conn is not None and conn is self._conn:
            try:
                if not conn.poll():
                    return
                msg = conn.recv()
            except (EOFError, OSError):
                return  # noticed as a dead worker by _check_worker
            self._handle(msg)

    def _handle(self, msg: tuple[Any, ...]) -> None:
        kind = msg[0]
        if kind == "ready":
            self.info = dict(msg[1])
            self._set_state("ready")
            log.info(
                "LLM ready: %s%s, system prompt %s tokens cached, loaded in %.1f s (%s)",
                Path(self.info["model"]).name,
                f" sha256 {self.info['sha256'][:12]}" if self.info.get("sha256") else "",
                self.info["prefix_tokens"],
                self.info["load_s"] + self.info["prefix_s"],
                self.info["priority"],
            )
            return
        if kind == "load_failed":
            log.error("LLM model cannot be loaded: %s; set summaries are deterministic", msg[1])
            self._set_state("unavailable", str(msg[1]))
            self._stop_worker(graceful=False)
            return
        rid = int(msg[1])
        job = self._job if self._job is not None and self._job.id == rid else None
        if kind == "started":
            self._busy[rid] = time.monotonic() + self.cfg.max_seconds + HANG_GRACE_S
        elif kind == "sentence" and job is not None and job.id > self._cancel.value:
            self._take_sentence(job, str(msg[2]))
        elif kind == "done":
            self._busy.pop(rid, None)
            if job is not None:
                job.stats = dict(msg[3])
                self._job_done(job, str(msg[2]))
        elif kind == "error":
            self._busy.pop(rid, None)
            if job is not None:
                log.warning("LLM generation failed: %s", msg[2])
                self._finish_job("mixed", f"generation failed: {msg[2]}")

    def _take_sentence(self, job: _Job, sentence: str) -> None:
        verdict = check_sentence(sentence, job.facts, allowed_numbers(job.facts))
        length = len(" ".join([*job.spoken, sentence]))
        if verdict.ok and length > self.cfg.max_chars:
            verdict = type(verdict)(False, f"{length} characters, more than {self.cfg.max_chars}")
        if not verdict.ok:
            log.info("LLM sentence rejected (%s): %r", verdict.reason, sentence)
            self._cancel.value = job.id
            self._finish_job("mixed", f"rejected: {verdict.reason}")
            return
        if job.first_sentence_s is None:
            job.first_sentence_s = time.monotonic() - job.requested
        job.spoken.append(sentence)
        self._call(job.on_sentence, sentence)

    def _job_done(self, job: _Job, stop: str) -> None:
        if stop in ("tokens", "seconds", "context"):
            self._finish_job("mixed", f"budget reached ({stop})")
        elif not job.spoken:
            self._finish_job("mixed", "the model wrote nothing usable")
        else:
            self._finish_job("llm", "")

    def _finish_job(self, source: SummarySource, reason: str, cancelled: bool = False) -> None:
        job, self._job = self._job, None
        if job is None:
            return
        if source != "llm" and not job.spoken:
            source = "deterministic"
        self._deliver(job, source, reason, cancelled)

    def _deliver(
        self, job: _Job, source: SummarySource, reason: str, cancelled: bool = False
    ) -> None:
        rest: tuple[str, ...] = ()
        if source != "llm":
            rest = job.fallback.sentences[len(job.spoken) :]
            if not cancelled:
                for sentence in rest:
                    self._call(job.on_sentence, sentence)
            if reason and not cancelled:
                log.info("set summary finished with deterministic text: %s", reason)
        stats = dict(job.stats)
        if job.first_sentence_s is not None:
            stats["first_sentence_latency_s"] = round(job.first_sentence_s, 4)
        summary = Summary(
            tuple(job.spoken) + (rest if source != "llm" else ()),
            source,
            reason,
            cancelled,
            stats,
        )
        self._call(job.on_done, summary)

    @staticmethod
    def _call(fn: Callable[[Any], None], arg: Any) -> None:
        try:
            fn(arg)
        except Exception:  # a broken callback must not stop summaries
            log.exception("summary callback failed")

    def _check_worker(self) -> None:
        proc = self._proc
        if proc is None:
            return
        now = time.monotonic()
        if proc.exitcode is not None:
            self._worker_lost(f"worker exited with code {proc.exitcode}")
        elif self.state == "starting" and now > self._load_deadline:
            self._worker_lost(f"worker did not load the model within {self.cfg.load_timeout_s} s")
        elif any(now > d for d in self._busy.values()):
            self._worker_lost("worker hung")

    def _worker_lost(self, why: str) -> None:
        self._read_worker()  # sentences it managed to send before it went
        self._stop_worker(graceful=False)
        if self._job is not None:
            self._finish_job("mixed", why)
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < 60.0] + [now]
        if len(self.restarts) > self.max_restarts_per_min:
            log.error(
                "LLM %s; %d failures in a minute, not restarting: set summaries are "
                "deterministic until the service restarts",
                why,
                len(self.restarts),
            )
            self._set_state("unavailable", f"{why}; restarted too often")
            return
        log.warning("LLM %s; restarting it", why)
        self._spawn()

    def _stop_worker(self, graceful: bool) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        self._busy.clear()
        if proc is None:
            return
        if graceful and proc.is_alive() and conn is not None:
            with contextlib.suppress(OSError):
                conn.send(("quit",))
            proc.join(2.0)
        if proc.is_alive():
            proc.kill()
        proc.join(2.0)
        if conn is not None:
            conn.close()
