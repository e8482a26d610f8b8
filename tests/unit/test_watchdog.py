"""The LLM worker's watchdog on real processes: a stopped one is hung, a busy one is slow."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge_trainer.coach.watchdog import WorkerWatch

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")

SPIN = "while True: pass"


@pytest.fixture
def spinner() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-c", SPIN])
    yield proc
    proc.kill()
    proc.wait()


def _burn(proc: subprocess.Popen[bytes], watch: WorkerWatch, now: float) -> str:
    """The verdict after 0.3 s, long enough for a running process's CPU ticks to move."""
    time.sleep(0.3)
    return watch.verdict(proc.pid, now)


def test_within_its_deadline_a_worker_is_ok(spinner: subprocess.Popen[bytes]) -> None:
    watch = WorkerWatch(budget_s=10.0, grace_s=1.0)
    watch.busy(1, spinner.pid, now=100.0)
    assert watch.verdict(spinner.pid, now=110.5) == "ok"
    assert watch.wait_s(loading=False, now=110.5) == pytest.approx(0.5)


def test_a_worker_still_using_cpu_is_slow_and_gets_more_time(
    spinner: subprocess.Popen[bytes],
) -> None:
    watch = WorkerWatch(budget_s=1.0, grace_s=1.0)
    watch.busy(1, spinner.pid, now=100.0)
    assert _burn(spinner, watch, now=102.5) == "slow"
    # Its deadline moved on by the grace period.
    assert watch.verdict(spinner.pid, now=103.0) == "ok"
    assert _burn(spinner, watch, now=104.0) == "slow"


def test_a_stopped_worker_is_hung(spinner: subprocess.Popen[bytes]) -> None:
    spinner.send_signal(signal.SIGSTOP)
    time.sleep(0.1)
    watch = WorkerWatch(budget_s=1.0, grace_s=1.0)
    watch.busy(1, spinner.pid, now=100.0)
    assert _burn(spinner, watch, now=102.5) == "hung"


def test_a_worker_busy_for_three_budgets_is_hung_whatever_its_cpu(
    spinner: subprocess.Popen[bytes],
) -> None:
    watch = WorkerWatch(budget_s=1.0, grace_s=1.0)
    watch.busy(1, spinner.pid, now=100.0)
    assert _burn(spinner, watch, now=106.5) == "hung"


def test_a_finished_request_has_no_deadline(spinner: subprocess.Popen[bytes]) -> None:
    watch = WorkerWatch(budget_s=1.0, grace_s=1.0)
    watch.busy(1, spinner.pid, now=100.0)
    watch.done(1)
    assert watch.verdict(spinner.pid, now=200.0) == "ok"
    assert watch.wait_s(loading=False, now=200.0) == 1.0


def test_loading_has_its_own_deadline() -> None:
    watch = WorkerWatch(budget_s=1.0)
    watch.loading(30.0, now=0.0)
    assert not watch.load_overdue(29.0)
    assert watch.load_overdue(30.5)
    assert watch.wait_s(loading=True, now=29.5) == pytest.approx(0.5)


def test_a_gone_worker_is_hung() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    watch = WorkerWatch(budget_s=1.0, grace_s=1.0)
    watch.busy(1, proc.pid, now=100.0)
    proc.wait()
    assert watch.verdict(proc.pid, now=103.0) == "hung"
