"""A small daemon built on ServiceRuntime, run as a process under a test NOTIFY_SOCKET.

It checks the systemd conversation end to end: READY, WATCHDOG pings while frames flow
and none while the frame loop is stalled, STATUS lines, RELOADING on SIGHUP, STOPPING
and exit code 0 on SIGTERM.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

DAEMON = textwrap.dedent(
    """
    import sys, threading, time
    from pathlib import Path
    from edge_trainer.config import ServiceConfig
    from edge_trainer.service import ServiceRuntime

    stall = Path(sys.argv[1])
    rt = ServiceRuntime(ServiceConfig(status_interval_s=0.1))
    rt.install_signals()

    def frame_loop():
        while not rt.signals.stop.is_set():
            while stall.exists() and not rt.signals.stop.is_set():
                time.sleep(0.01)          # a stuck pipeline: no frames processed
            time.sleep(0.01)              # "inference"
            rt.frame()

    worker = threading.Thread(target=frame_loop, name="inference")
    worker.start()
    rt.ready("camera and models up")
    while not rt.signals.wait(0.05):
        if rt.signals.take_reload():
            rt.reloading()
            rt.ready("reloaded")
        rt.status(f"fps={rt.watchdog.fps():.0f} frames={rt.watchdog.frames}")
    rt.stopping("finishing the set")
    worker.join()
    rt.close()
    """
)


class Listener:
    """Receives notify messages; keeps the ones not yet looked at."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.pending: list[dict[str, str]] = []

    def collect(self, seconds: float) -> list[dict[str, str]]:
        """Everything received within ``seconds`` (plus anything held back)."""
        out, self.pending = self.pending, []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096).decode()
            except TimeoutError:
                break
            out.append(dict(line.split("=", 1) for line in data.split("\n")))
        return out

    def wait_for(self, key: str, timeout: float = 30.0) -> dict[str, str]:
        """The first message with ``key``; later ones stay pending."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msgs = self.collect(0.1)
            for n, msg in enumerate(msgs):
                if key in msg:
                    self.pending = msgs[n + 1 :]
                    return msg
        raise AssertionError(f"no {key} message within {timeout} s")


def pings(msgs: list[dict[str, str]]) -> int:
    return sum("WATCHDOG" in m for m in msgs)


@pytest.mark.slow
def test_daemon_conversation_with_systemd(tmp_path: Path) -> None:
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    stall = tmp_path / "stall"
    env = {**os.environ, "NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"}
    proc = subprocess.Popen([sys.executable, "-c", DAEMON, str(stall)], env=env)
    listener = Listener(sock)
    wait_for, messages = listener.wait_for, listener.collect
    try:
        ready = wait_for("READY")
        assert ready["STATUS"] == "camera and models up"
        flowing = messages(1.0)
        assert pings(flowing) >= 5, "about one ping per 0.1 s while frames flow"
        assert any(m.get("STATUS", "").startswith("fps=") for m in flowing)

        stall.touch()
        messages(0.2)  # let the loop reach the stall
        stalled = messages(0.8)
        assert pings(stalled) == 0, "no pings while the pipeline is stalled"
        assert any("STATUS" in m for m in stalled), "the main loop is still alive"

        stall.unlink()
        assert pings(messages(1.0)) >= 5, "pings resume with the frames"

        proc.send_signal(signal.SIGHUP)
        assert wait_for("RELOADING")["RELOADING"] == "1"
        assert wait_for("READY")["STATUS"] == "reloaded"

        proc.send_signal(signal.SIGTERM)
        assert wait_for("STOPPING")["STATUS"] == "finishing the set"
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()
        sock.close()
