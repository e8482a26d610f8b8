"""sd_notify over a real unix datagram socket, as systemd's NOTIFY_SOCKET receives it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge_trainer.service.notify import Notifier


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5.0)
    yield path, sock
    sock.close()


def recv(sock: socket.socket) -> dict[str, str]:
    data = sock.recv(4096).decode()
    return dict(line.split("=", 1) for line in data.split("\n"))


def test_without_notify_socket_everything_is_a_no_op() -> None:
    n = Notifier(environ={})
    assert not n.enabled
    assert n.watchdog_interval() is None
    assert not any([n.ready(), n.status("x"), n.watchdog(), n.stopping(), n.reloading()])
    assert n.sent == 0
    n.close()


def test_messages_arrive_on_the_socket(notify_socket: tuple[str, socket.socket]) -> None:
    path, sock = notify_socket
    n = Notifier(environ={"NOTIFY_SOCKET": path})
    assert n.enabled
    assert n.ready("camera and models up")
    assert recv(sock) == {"READY": "1", "STATUS": "camera and models up"}
    assert n.status("12.5 fps, set active\nsecond line")
    assert recv(sock) == {"STATUS": "12.5 fps, set active second line"}
    assert n.watchdog()
    assert recv(sock) == {"WATCHDOG": "1"}
    assert n.reloading()
    msg = recv(sock)
    assert msg["RELOADING"] == "1" and int(msg["MONOTONIC_USEC"]) > 0
    assert n.extend_timeout(2.5)
    assert recv(sock) == {"EXTEND_TIMEOUT_USEC": "2500000"}
    assert n.stopping()
    assert recv(sock) == {"STOPPING": "1"}
    assert n.sent == 6
    n.close()
    n.close()


def test_abstract_namespace_socket() -> None:
    name = f"edge-trainer-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(5.0)
    try:
        n = Notifier(environ={"NOTIFY_SOCKET": "@" + name})
        assert n.ready()
        assert recv(sock) == {"READY": "1"}
    finally:
        sock.close()


def test_watchdog_settings_from_the_environment() -> None:
    me = str(os.getpid())
    n = Notifier(environ={"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": me})
    assert n.watchdog_interval() == 30.0
    other = Notifier(environ={"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"})
    assert other.watchdog_interval() is None, "the pings are meant for another process"
    assert Notifier(environ={"WATCHDOG_USEC": "junk"}).watchdog_interval() is None


def test_unusable_addresses_do_not_raise(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert not Notifier(environ={"NOTIFY_SOCKET": "vsock:2:1"}).enabled
    gone = Notifier(environ={"NOTIFY_SOCKET": str(tmp_path / "nobody-listens")})
    assert not gone.ready()
    assert not gone.watchdog()
    assert caplog.text.count("systemd notify") == 1, "a failing socket is logged once"


def test_a_child_process_reads_notify_socket_from_its_environment(
    notify_socket: tuple[str, socket.socket],
) -> None:
    path, sock = notify_socket
    code = "from edge_trainer.service import Notifier; Notifier().ready('from child')"
    env = {**os.environ, "NOTIFY_SOCKET": path}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert recv(sock) == {"READY": "1", "STATUS": "from child"}
