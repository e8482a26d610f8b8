"""Restart budgets: a worker that keeps dying is restarted a few times a minute, then reported."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)


class RestartBudget:
    """Allows at most ``max_restarts`` restarts in any ``window_s`` seconds.

    Use it for worker threads (``SupervisedThread``) and child processes alike: call
    ``allow()`` before each restart and give up, loudly, when it says no.

    Args:
        max_restarts: Restarts allowed per window (``service.max_worker_restarts_per_min``).
        window_s: The sliding window in seconds.
        clock: Monotonic clock (injectable for tests).
    """

    def __init__(
        self,
        max_restarts: int,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_restarts < 0 or window_s <= 0:
            raise ValueError("max_restarts must be >= 0 and window_s > 0")
        self.max_restarts = max_restarts
        self.window_s = window_s
        self._clock = clock
        self._times: deque[float] = deque()
        self.total = 0

    def _prune(self, now: float) -> None:
        while self._times and now - self._times[0] >= self.window_s:
            self._times.popleft()

    def allow(self) -> bool:
        """Record a restart and return True, or return False if the budget is spent."""
        now = self._clock()
        self._prune(now)
        if len(self._times) >= self.max_restarts:
            return False
        self._times.append(now)
        self.total += 1
        return True

    @property
    def remaining(self) -> int:
        """Restarts still allowed in the current window."""
        self._prune(self._clock())
        return self.max_restarts - len(self._times)


class SupervisedThread:
    """Runs ``target(stop)`` on a thread and restarts it when it raises, within a budget.

    The target should return when ``stop`` is set. Returning on its own ends the worker
    (no restart). Raising restarts it after ``backoff_s`` while the budget allows; then
    the worker stays down, ``gave_up`` is set and ``on_give_up(name, error)`` is called so
    the app can show and report it.

    Args:
        name: Thread name (also used in logs).
        target: The worker body.
        budget: Its restart budget.
        stop: The app's stop event, passed to the target.
        on_give_up: Called once on the worker thread when the budget is exhausted.
        backoff_s: Pause before each restart.
    """

    def __init__(
        self,
        name: str,
        target: Callable[[threading.Event], None],
        budget: RestartBudget,
        stop: threading.Event,
        *,
        on_give_up: Callable[[str, BaseException], None] | None = None,
        backoff_s: float = 0.5,
    ) -> None:
        self.name = name
        self.target = target
        self.budget = budget
        self.stop = stop
        self.on_give_up = on_give_up
        self.backoff_s = backoff_s
        self.restarts = 0
        self.gave_up = False
        self.last_error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> SupervisedThread:
        """Start the worker thread; returns self."""
        self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the worker to finish; returns True if it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        """True while the worker thread runs (including between restarts)."""
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                self.target(self.stop)
                return
            except Exception as exc:
                self.last_error = exc
                log.exception("worker %s failed", self.name)
            if self.stop.is_set():
                return
            if not self.budget.allow():
                self.gave_up = True
                log.error(
                    "worker %s failed %d times within %.0f s; not restarting it again",
                    self.name,
                    self.budget.max_restarts + 1,
                    self.budget.window_s,
                )
                if self.on_give_up is not None and self.last_error is not None:
                    try:
                        self.on_give_up(self.name, self.last_error)
                    except Exception:
                        log.exception("on_give_up callback for %s failed", self.name)
                return
            self.restarts += 1
            log.warning("restarting worker %s (restart %d)", self.name, self.restarts)
            self.stop.wait(self.backoff_s)
