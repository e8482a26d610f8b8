"""A real OpenSSH server on loopback for deploy tests: temporary keys and config only."""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

SSHD = "/usr/sbin/sshd"
SFTP_SERVER = "/usr/lib/openssh/sftp-server"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LoopbackSshd:
    """``sshd -D -e`` on 127.0.0.1 with its own host key, authorized key and client config.

    Attributes:
        ssh_config: A client config with host ``box`` (this server) and ``deadbox``
            (a closed port), for ``ssh -F``.
        key: The client's private key.
    """

    def __init__(self, workdir: Path) -> None:
        for tool in (SSHD, "ssh", "scp", "ssh-keygen"):
            if shutil.which(tool) is None:
                pytest.skip(f"{tool} is not installed (apt install openssh-server openssh-client)")
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.user = getpass.getuser()
        host_key = self.dir / "host_ed25519"
        self.key = self.dir / "client_ed25519"
        for path in (host_key, self.key):
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True
            )
        (self.dir / "authorized_keys").write_text(self.key.with_suffix(".pub").read_text())
        host_pub = host_key.with_suffix(".pub").read_text().split()
        (self.dir / "known_hosts").write_text(
            f"[127.0.0.1]:{self.port} {host_pub[0]} {host_pub[1]}\n"
        )
        config = self.dir / "sshd_config"
        config.write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {host_key}\n"
            f"PidFile {self.dir / 'sshd.pid'}\nAuthorizedKeysFile {self.dir / 'authorized_keys'}\n"
            "StrictModes no\nUsePAM no\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
            "PermitRootLogin prohibit-password\nLogLevel ERROR\n"
            f"Subsystem sftp {SFTP_SERVER}\n"
        )
        self.ssh_config = self.dir / "ssh_config"
        common = (
            f"  User {self.user}\n  IdentityFile {self.key}\n  IdentitiesOnly yes\n"
            f"  UserKnownHostsFile {self.dir / 'known_hosts'}\n  GlobalKnownHostsFile /dev/null\n"
            "  StrictHostKeyChecking yes\n  LogLevel ERROR\n"
        )
        self.ssh_config.write_text(
            f"Host box\n  HostName 127.0.0.1\n  Port {self.port}\n{common}"
            f"Host deadbox\n  HostName 127.0.0.1\n  Port {free_port()}\n{common}"
        )
        if os.geteuid() == 0:
            # sshd running as root needs its privilege-separation directory, which the
            # openssh-server unit normally creates at boot; it is an empty runtime folder.
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        self.log = (self.dir / "sshd.log").open("wb")
        self.proc = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(config)], stdout=self.log, stderr=subprocess.STDOUT
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 20
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sshd exited: {(self.dir / 'sshd.log').read_text()}")
            done = subprocess.run(
                self.ssh_args("box", "true"), capture_output=True, timeout=20, check=False
            )
            if done.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"sshd not reachable: {done.stderr.decode()}")
            time.sleep(0.1)

    def ssh_args(self, host: str, *command: str) -> list[str]:
        """An ssh command line that runs ``command`` on ``host`` via this server."""
        return ["ssh", "-F", str(self.ssh_config), "-o", "BatchMode=yes", host, *command]

    def session_pids(self) -> list[int]:
        """Pids of the per-connection sshd processes this server forked."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return pids

    def drop_connections(self) -> int:
        """Kill every open connection (as a network drop would); returns how many."""
        pids = self.session_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return len(pids)

    def stop(self) -> None:
        self.drop_connections()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()
