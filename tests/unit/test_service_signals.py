"""Signals: SIGTERM/SIGINT stop, SIGHUP reload, SIGUSR1 stack dump, with real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator

import pytest

from edge_trainer.service.signals import SignalHandlers


@pytest.fixture
def handlers() -> Iterator[SignalHandlers]:
    h = SignalHandlers(dump_file=sys.__stderr__).install()
    yield h
    h.restore()


def test_sigterm_sets_stop(handlers: SignalHandlers) -> None:
    assert not handlers.stop.is_set()
    os.kill(os.getpid(), signal.SIGTERM)
    assert handlers.stop.wait(2.0)
    assert handlers.stop_signal == "SIGTERM"
    assert handlers.wait(0.0) is True


def test_sigint_stops_once_then_interrupts(handlers: SignalHandlers) -> None:
    os.kill(os.getpid(), signal.SIGINT)
    assert handlers.stop.wait(2.0)
    assert handlers.stop_signal == "SIGINT"
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
        threading.Event().wait(1.0)  # the handler runs here, in the main thread


def test_sighup_requests_one_reload(handlers: SignalHandlers) -> None:
    assert not handlers.take_reload()
    os.kill(os.getpid(), signal.SIGHUP)
    os.kill(os.getpid(), signal.SIGHUP)
    assert handlers.wait(2.0) is False  # woken by the signal, not stopping
    assert handlers.take_reload()
    assert not handlers.take_reload()
    assert not handlers.stop.is_set()


def test_restore_puts_back_the_previous_handlers() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with SignalHandlers(dump_file=sys.__stderr__):
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_install_outside_the_main_thread_is_refused() -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            SignalHandlers().install()
        except RuntimeError as exc:
            errors.append(exc)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert len(errors) == 1


DAEMON = textwrap.dedent(
    """
    import sys, threading
    from edge_trainer.service.signals import SignalHandlers

    def worker_loop_for_dump(stop):
        stop.wait()

    sig = SignalHandlers().install()
    t = threading.Thread(target=worker_loop_for_dump, args=(sig.stop,), name="worker")
    t.start()
    print("ready", flush=True)
    while not sig.wait(10.0):
        pass
    t.join()
    print("stopped by", sig.stop_signal, flush=True)
    """
)


def test_sigusr1_dumps_every_thread_and_sigterm_exits_cleanly() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", DAEMON],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        assert proc.stdout.readline() == "ready\n"
        proc.send_signal(signal.SIGUSR1)
        dump = ""
        while "worker_loop_for_dump" not in dump:
            line = proc.stderr.readline()
            assert line, f"no stack dump on SIGUSR1: {dump!r}"
            dump += line
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert out == "stopped by SIGTERM\n"
    assert "Thread 0x" in dump
