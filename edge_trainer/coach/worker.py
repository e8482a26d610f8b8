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
import itertools
import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from edge_trainer.coach.facts import PreviousFacts
from edge_trainer.coach.job import DoneCallback, SentenceCallback, SummaryJob
from edge_trainer.coach.llm_process import WorkerSpec
from edge_trainer.coach.summary import Summary, SummarySource
from edge_trainer.coach.watchdog import WorkerWatch
from edge_trainer.coach.worker_process import WorkerProcess
from edge_trainer.config import LlmConfig
from edge_trainer.errors import EdgeTrainerError
from edge_trainer.events import SetRecord

log = logging.getLogger(__name__)


class SummaryService:
    """Writes set summaries with the LLM worker, never holding anything else up.

    Callbacks run on the service's own thread; keep them short (put the text on the
    speech queue and the display, and return).

    Args:
        cfg: The ``[llm]`` config section.
        models_dir: The model store, used when ``cfg.model_path`` is empty.
        max_restarts_per_min: A worker that dies more often than this stays down.
        frame_threads: Cores the frame path keeps busy (``pose.threads``); the worker's
            llama.cpp threads take the rest when ``cfg.threads`` is 0.
    """

    def __init__(
        self,
        cfg: LlmConfig,
        models_dir: str | os.PathLike[str],
        max_restarts_per_min: int = 3,
        frame_threads: int = 1,
    ) -> None:
        self.cfg = cfg
        self.frame_threads = frame_threads
        self.models_dir = Path(models_dir)
        self.max_restarts_per_min = max_restarts_per_min
        self.state = "stopped"  # stopped, off, starting, ready, unavailable, closed
        self.reason = ""
        self.restarts: list[float] = []
        self.info: dict[str, Any] = {}
        self._ids = itertools.count(1)
        self._rng = random.Random()  # varied openers from set to set
        self._last_id = 0
        self._cmds: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._ctx = multiprocessing.get_context("spawn")
        self._cancel: Any = self._ctx.Value("q", 0, lock=False)
        self._worker: WorkerProcess | None = None
        self._watch = WorkerWatch(cfg.max_seconds)
        self._closed = False
        self._job: SummaryJob | None = None
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
        last_time: PreviousFacts | None = None,
    ) -> Summary:
        """Summarise a finished set; returns at once with the deterministic summary.

        ``on_sentence`` gets each sentence to speak as soon as it is ready and checked;
        ``on_done`` gets the final Summary once (after its last sentence). A request made
        while another is running cancels that one.
        """
        job = SummaryJob.create(
            next(self._ids),
            record,
            previous,
            on_sentence,
            on_done,
            rng=self._rng,
            last_time=last_time,
        )
        self._last_id = job.id
        if self._thread is None or self.state == "closed":
            self._deliver(job, "deterministic", f"summary service {self.state}")
        else:
            self._command("request", job)
        return job.fallback

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
        worker = self._worker
        return worker.pid if worker is not None and worker.alive() else None

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
        self._closed = True
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    # -- supervisor thread -------------------------------------------------------------

    def _command(self, name: str, arg: Any) -> None:
        if self._closed:
            return
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
            log.info(
                "no LLM model (%s); set summaries are deterministic until one is installed "
                "with 'edge-trainer models fetch-llm'",
                exc,
            )
            self._set_state("unavailable", f"no LLM model installed: {exc}")
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
        store = str(self.models_dir) if self._from_store else ""
        spec = WorkerSpec.from_config(self.cfg, self._model_path, store, self.frame_threads)
        self._worker = WorkerProcess(self._ctx, self._cancel, spec)
        self._watch.loading(self.cfg.load_timeout_s, time.monotonic())
        self._set_state("starting")
        log.info("LLM worker started (pid %s) for %s", self._worker.pid, self._model_path.name)

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
            if self._worker is not None:
                waits += [self._worker.conn, self._worker.sentinel]
            wait_s = self._watch.wait_s(self.state == "starting", time.monotonic())
            multiprocessing.connection.wait(waits, timeout=wait_s)
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

    def _start_job(self, job: SummaryJob) -> None:
        if self._job is not None:
            self._cancel_job(cancelled=True, reason="superseded by a newer set")
        if self.state != "ready" or self._worker is None:
            why = {"starting": "model still loading"}.get(self.state, self.reason or self.state)
            self._job = job
            self._finish_job("deterministic", why)
            return
        self._job = job
        try:
            self._worker.conn.send(("summarize", job.id, job.notes()))
        except OSError:
            self._worker_lost("worker pipe closed")
            return
        self._mark_busy(job.id)

    def _mark_busy(self, rid: int) -> None:
        pid = self._worker.pid if self._worker is not None else None
        self._watch.busy(rid, pid, time.monotonic())

    def _cancel_job(self, cancelled: bool, reason: str = "a set started") -> None:
        job = self._job
        if job is None:
            return
        self._cancel.value = job.id
        self._finish_job("deterministic", reason, cancelled=cancelled)

    def _read_worker(self) -> None:
        worker = self._worker
        while worker is not None and worker is self._worker:
            try:
                if not worker.conn.poll():
                    return
                msg = worker.conn.recv()
            except (EOFError, OSError):
                return  # noticed as a dead worker by _check_worker
            self._handle(msg)

    def _handle(self, msg: tuple[Any, ...]) -> None:
        kind = msg[0]
        if kind == "ready":
            self.info = dict(msg[1])
            # Logged before the state flips so a waiter on "ready" sees the line.
            log.info(
                "LLM ready: %s%s, fixed prompt %s tokens cached, loaded in %.1f s (%s, "
                "%s llama.cpp threads)",
                Path(self.info["model"]).name,
                f" sha256 {self.info['sha256'][:12]}" if self.info.get("sha256") else "",
                self.info["prefix_tokens"],
                self.info["load_s"] + self.info["prefix_s"],
                self.info["priority"],
                self.info.get("threads"),
            )
            self._set_state("ready")
            return
        if kind == "load_failed":
            log.error("LLM model cannot be loaded: %s; set summaries are deterministic", msg[1])
            # Stopped before the state flips, so a waiter never sees a worker pid left over.
            self._stop_worker(graceful=False)
            self._set_state("unavailable", str(msg[1]))
            return
        rid = int(msg[1])
        job = self._job if self._job is not None and self._job.id == rid else None
        if kind == "started":
            self._mark_busy(rid)
        elif kind == "sentence" and job is not None and job.id > self._cancel.value:
            self._take_sentence(job, int(msg[2]), str(msg[3]))
        elif kind == "done":
            self._watch.done(rid)
            if job is not None:
                job.stats = dict(msg[3])
                self._job_done(job, str(msg[2]))
        elif kind == "error":
            self._watch.done(rid)
            if job is not None:
                log.warning("LLM generation failed: %s", msg[2])
                self._finish_job("mixed", f"generation failed: {msg[2]}")

    def _take_sentence(self, job: SummaryJob, index: int, sentence: str) -> None:
        if index != len(job.spoken):
            return  # a line already finished with its deterministic sentence
        spoken, _verdict = job.take(index, sentence, self.cfg.max_chars)
        self._call(job.on_sentence, spoken)

    def _job_done(self, job: SummaryJob, stop: str) -> None:
        if len(job.spoken) < len(job.lines):
            self._finish_job("mixed", f"budget reached ({stop})")
        else:
            self._finish_job("llm", "")

    def _finish_job(self, source: SummarySource, reason: str, cancelled: bool = False) -> None:
        job, self._job = self._job, None
        if job is not None:
            self._deliver(job, source, reason, cancelled)

    def _deliver(
        self, job: SummaryJob, source: SummarySource, reason: str, cancelled: bool = False
    ) -> None:
        rest, summary = job.finish(source, reason, cancelled)
        if not cancelled:
            for sentence in rest:
                self._call(job.on_sentence, sentence)
            if summary.source != "llm":
                log.info("set summary finished with deterministic text: %s", reason)
        self._call(job.on_done, summary)

    @staticmethod
    def _call(fn: Callable[[Any], None], arg: Any) -> None:
        try:
            fn(arg)
        except Exception:  # a broken callback must not stop summaries
            log.exception("summary callback failed")

    def _check_worker(self) -> None:
        worker = self._worker
        if worker is None:
            return
        now = time.monotonic()
        if worker.exitcode is not None:
            self._worker_lost(f"worker exited with code {worker.exitcode}")
            return
        if self.state == "starting" and self._watch.load_overdue(now):
            self._worker_lost(f"worker did not load the model within {self.cfg.load_timeout_s} s")
            return
        verdict = self._watch.verdict(worker.pid, now)
        if verdict == "hung":
            self._worker_lost("worker hung")
        elif verdict == "slow" and self._job is not None:
            # A slow worker keeps running: its answer is given up, and it notices the cancel.
            self._cancel.value = self._job.id
            self._finish_job("mixed", "worker too slow (starved of CPU)")

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
        worker, self._worker = self._worker, None
        self._watch.clear()
        if worker is not None:
            worker.stop(graceful)
