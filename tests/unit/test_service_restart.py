"""Restart budgets and supervised worker threads."""

from __future__ import annotations

import threading
import time

import pytest

from edge_trainer.service.restart import RestartBudget, SupervisedThread


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_budget_allows_n_per_window_and_refills() -> None:
    clock = Clock()
    budget = RestartBudget(3, window_s=60.0, clock=clock)
    assert [budget.allow() for _ in range(4)] == [True, True, True, False]
    assert budget.remaining == 0
    clock.now = 59.9
    assert not budget.allow()
    clock.now = 60.0
    assert budget.allow() and budget.remaining == 2
    assert budget.total == 4
    with pytest.raises(ValueError):
        RestartBudget(-1)


def test_a_worker_that_keeps_failing_is_given_up_and_reported() -> None:
    calls = []
    gave_up: list[tuple[str, BaseException]] = []

    def broken(stop: threading.Event) -> None:
        calls.append(1)
        raise OSError("speaker unplugged")

    w = SupervisedThread(
        "speech",
        broken,
        RestartBudget(3),
        threading.Event(),
        on_give_up=lambda name, exc: gave_up.append((name, exc)),
        backoff_s=0.0,
    ).start()
    assert w.join(5.0)
    assert (len(calls), w.restarts, w.gave_up) == (4, 3, True)
    assert [(n, str(e)) for n, e in gave_up] == [("speech", "speaker unplugged")]


def test_a_worker_that_recovers_keeps_running_until_stop() -> None:
    failures = [RuntimeError("glitch"), RuntimeError("glitch")]
    stop = threading.Event()
    running = threading.Event()

    def flaky(stop: threading.Event) -> None:
        if failures:
            raise failures.pop()
        running.set()
        stop.wait()

    w = SupervisedThread("display", flaky, RestartBudget(3), stop, backoff_s=0.0).start()
    assert running.wait(5.0)
    assert w.alive and w.restarts == 2 and not w.gave_up
    stop.set()
    assert w.join(5.0)
    assert not w.gave_up


def test_stop_during_backoff_ends_the_worker_quickly() -> None:
    stop = threading.Event()

    def broken(stop: threading.Event) -> None:
        raise RuntimeError("boom")

    w = SupervisedThread("llm", broken, RestartBudget(5), stop, backoff_s=30.0).start()
    deadline = time.monotonic() + 5.0
    while w.restarts == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert w.restarts == 1  # now waiting 30 s before the next attempt
    stop.set()
    assert w.join(5.0)
    assert w.restarts == 1 and not w.gave_up
