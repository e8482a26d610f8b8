"""One LLM worker process and the supervisor's end of its pipe: started, watched, stopped."""

from __future__ import annotations

import contextlib
from typing import Any

from edge_trainer.coach.llm_process import WorkerSpec, worker_main


class WorkerProcess:
    """A started worker (``llm_process.worker_main``) with its pipe.

    Args:
        ctx: The multiprocessing context to start it in.
        cancel: The shared request id the worker polls after every token.
        spec: What it loads and how it generates.
    """

    def __init__(self, ctx: Any, cancel: Any, spec: WorkerSpec) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(
            target=worker_main, args=(child, cancel, spec), name="edge-trainer-llm", daemon=True
        )
        self.proc.start()
        child.close()  # only the worker holds its end, so its exit closes the pipe

    @property
    def pid(self) -> int:
        return int(self.proc.pid)

    @property
    def sentinel(self) -> int:
        """A handle that becomes ready when the process ends (``connection.wait``)."""
        return int(self.proc.sentinel)

    @property
    def exitcode(self) -> int | None:
        code = self.proc.exitcode
        return None if code is None else int(code)

    def alive(self) -> bool:
        return bool(self.proc.is_alive())

    def stop(self, graceful: bool) -> None:
        """Ask it to quit (``graceful``) and wait up to 2 s; kill it if still running."""
        if graceful and self.proc.is_alive():
            with contextlib.suppress(OSError):
                self.conn.send(("quit",))
            self.proc.join(2.0)
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(2.0)
        self.conn.close()
