"""The frame watchdog pings systemd only while frames are processed."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from edge_trainer.service.notify import Notifier
from edge_trainer.service.watchdog import FrameWatchdog


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def open_socket(tmp_path: Path) -> tuple[str, socket.socket]:
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.setblocking(False)
    return path, sock


def drain(sock: socket.socket) -> list[str]:
    out = []
    while True:
        try:
            out.append(sock.recv(4096).decode())
        except BlockingIOError:
            return out


def test_pings_at_half_the_watchdog_timeout_while_frames_flow(tmp_path: Path) -> None:
    path, sock = open_socket(tmp_path)
    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "2000000"}
    clock = Clock()
    wd = FrameWatchdog(Notifier(environ=env), clock=clock)
    assert wd.enabled and wd.ping_every_s == 1.0
    for _ in range(300):  # 10 s of frames at 30 fps
        wd.frame()
        clock.now += 1 / 30
    assert drain(sock) == ["WATCHDOG=1"] * 10
    assert abs(wd.fps() - 30.0) < 0.5
    clock.now += 5.0  # the loop stalls: nobody calls frame(), nothing is sent
    assert drain(sock) == []
    assert wd.fps() == 0.0
    wd.keepalive("camera reopening")
    assert drain(sock) == ["WATCHDOG=1"]
    sock.close()


def test_disabled_without_a_watchdog() -> None:
    wd = FrameWatchdog(Notifier(environ={}))
    assert not wd.enabled
    wd.frame()
    assert wd.pings == 0 and wd.frames == 1


def test_a_stalled_frame_thread_stops_the_pings(tmp_path: Path) -> None:
    """A real loop on a real clock: pings while it runs, silence while it is blocked."""
    path, sock = open_socket(tmp_path)
    wd = FrameWatchdog(Notifier(environ={"NOTIFY_SOCKET": path}), ping_every_s=0.02)
    flowing = threading.Event()
    stop = threading.Event()

    def frame_loop() -> None:
        while not stop.is_set():
            flowing.wait()  # a stalled pipeline blocks here
            wd.frame()
            time.sleep(0.005)

    worker = threading.Thread(target=frame_loop, daemon=True)
    flowing.set()
    worker.start()
    time.sleep(0.3)
    assert len(drain(sock)) >= 3
    flowing.clear()
    time.sleep(0.05)  # let the loop reach the stall
    drain(sock)
    time.sleep(0.3)
    assert drain(sock) == []
    flowing.set()
    time.sleep(0.3)
    assert len(drain(sock)) >= 3
    stop.set()
    worker.join(2.0)
    sock.close()
