"""The LLM worker's deadlines: loading the model and each request, slow told from hung."""

from __future__ import annotations

from typing import Literal

from edge_trainer.coach.llm_process import cpu_ticks

# Beyond its own time budget, how long a worker may stay silent before it counts as hung.
HANG_GRACE_S = 5.0

Verdict = Literal["ok", "slow", "hung"]


class WorkerWatch:
    """Tracks when the worker is overdue, and whether it is slow or hung.

    Args:
        budget_s: A request's own time budget (``llm.max_seconds``).
        grace_s: How long past that budget the worker may stay silent (default
            ``HANG_GRACE_S``).
    """

    def __init__(self, budget_s: float, grace_s: float | None = None) -> None:
        self.budget_s = budget_s
        self.grace_s = HANG_GRACE_S if grace_s is None else grace_s
        self._load_deadline = 0.0
        self._busy: dict[int, float] = {}  # request id -> deadline, while the worker has it
        self._busy_since = 0.0
        self._cpu_seen: int | None = None

    def loading(self, timeout_s: float, now: float) -> None:
        """A new worker started loading its model: forget the old one's requests."""
        self.clear()
        self._load_deadline = now + timeout_s

    def load_overdue(self, now: float) -> bool:
        """Whether the model has taken longer than its load timeout."""
        return now > self._load_deadline

    def busy(self, rid: int, pid: int | None, now: float) -> None:
        """The worker has request ``rid`` (sent to it, or it said it started)."""
        if not self._busy:
            self._busy_since = now
        self._busy[rid] = now + self.budget_s + self.grace_s
        self._cpu_seen = cpu_ticks(pid) if pid is not None else None

    def done(self, rid: int) -> None:
        """The worker answered request ``rid`` (finished or failed)."""
        self._busy.pop(rid, None)

    def clear(self) -> None:
        """No request is outstanding (the worker stopped)."""
        self._busy.clear()
        self._cpu_seen = None

    def wait_s(self, loading: bool, now: float) -> float:
        """How long the supervisor may sleep before the next deadline (at most 1 s)."""
        deadlines = list(self._busy.values())
        if loading:
            deadlines.append(self._load_deadline)
        if not deadlines:
            return 1.0
        return max(0.01, min(min(deadlines) - now, 1.0))

    def verdict(self, pid: int, now: float) -> Verdict:
        """``ok`` within every deadline; past one, ``slow`` or ``hung``.

        Under ``SCHED_IDLE`` a busy CPU can starve the worker, and restarting it then would
        only cost a model reload: a worker whose CPU time still grows is slow (its deadlines
        move on by the grace period), one whose CPU time stands still is hung, and so is one
        busy for three whole budgets whatever its CPU time.
        """
        if not any(now > d for d in self._busy.values()):
            return "ok"
        ticks = cpu_ticks(pid)
        limit = 3 * (self.budget_s + self.grace_s)
        if ticks is None or ticks == self._cpu_seen or now - self._busy_since > limit:
            return "hung"
        self._cpu_seen = ticks
        self._busy = {rid: now + self.grace_s for rid in self._busy}
        return "slow"
