"""Safe model installs: copy, verify, trial-load in a subprocess, swap, reload, roll back.

An install never leaves the box broken. The new set is built in a folder of its own and
checked (hashes, then every model loaded and run once in a separate process, so a model
that crashes the runtime only kills that process). Only then is ``current`` swapped, the
daemon asked to reload, and the swap undone if the daemon does not report healthy in time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from edge_trainer.errors import ModelError
from edge_trainer.models import health, store
from edge_trainer.models.manifest import read_manifest, write_manifest
from edge_trainer.models.trial import TrialResult, check_contract, trial_run

log = logging.getLogger(__name__)

SERVICE = "edge-trainer"
ReloadMode = Literal["auto", "pidfile", "systemd", "none"]


class RolledBackError(ModelError):
    """The new set went live but the daemon did not report healthy; the old set is back."""


@dataclass
class InstallResult:
    """What an install did."""

    version: str
    previous: str | None
    reload: str
    pruned: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@contextlib.contextmanager
def store_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on the store so two installs never interleave."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ModelError(f"another model install is running in '{root}'") from exc
        yield


def request_reload(state_dir: Path, mode: ReloadMode = "auto") -> str | None:
    """Ask the running daemon to reload its models.

    Returns:
        How it was asked (for the log and the owner), or None when no daemon is running.

    Raises:
        ModelError: ``mode`` names a way that is not available.
    """
    if mode == "none":
        return None
    if mode in ("auto", "pidfile"):
        pid = health.read_pid(state_dir)
        if pid is not None:
            os.kill(pid, signal.SIGHUP)
            return f"SIGHUP to pid {pid}"
        if mode == "pidfile":
            raise ModelError(f"no running daemon: no live pid in '{state_dir / health.PID_FILE}'")
    systemctl = shutil.which("systemctl")
    if systemctl is None:
        if mode == "systemd":
            raise ModelError("systemctl is not available to reload the service")
        return None
    active = subprocess.run(
        [systemctl, "is-active", "--quiet", SERVICE], check=False, capture_output=True
    )
    if active.returncode != 0:
        if mode == "systemd":
            raise ModelError(f"the {SERVICE} service is not running")
        return None
    done = subprocess.run(
        [systemctl, "reload", SERVICE], check=False, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise ModelError(f"systemctl reload {SERVICE} failed: {done.stderr.strip()}")
    return f"systemctl reload {SERVICE}"


def activate_and_confirm(
    root: Path,
    state_dir: Path,
    version: str,
    previous: str | None,
    *,
    reload: ReloadMode,
    health_timeout_s: float,
) -> str:
    """Make ``version`` live, have the daemon reload it, and undo the swap if it does not.

    Returns:
        How the daemon was asked to reload, or a note that none is running.

    Raises:
        RolledBackError: the daemon did not report healthy in time; ``previous`` is live.
    """
    since = time.time()
    store.activate_version(root, store.version_dir(root, version))
    how = request_reload(state_dir, reload)
    if how is None:
        return "no daemon running; the new set loads at the next start"
    ok, reason = health.wait_healthy(state_dir, version, since, health_timeout_s)
    if ok:
        return how
    log.error("model set %s: %s; rolling back", version, reason)
    if previous is not None:
        store.activate_version(root, store.version_dir(root, previous))
    else:
        store.clear_current(root)
    back = time.time()
    again = request_reload(state_dir, reload)
    if again is not None and previous is not None:
        ok_back, why = health.wait_healthy(state_dir, previous, back, health_timeout_s)
        if not ok_back:
            log.error("after rollback to %s: %s", previous, why)
    shutil.rmtree(store.version_dir(root, version), ignore_errors=True)
    raise RolledBackError(
        f"{reason}; rolled back to {previous or 'no models'} (new set {version} removed)"
    )


def install_set(
    root: Path,
    src: Path,
    state_dir: Path,
    *,
    reload: ReloadMode = "auto",
    health_timeout_s: float = 60.0,
    keep: int = 3,
    label: str = "",
    trial_timeout_s: float = 300.0,
) -> InstallResult:
    """Install the model set in folder ``src`` (manifest + files) into the store at ``root``.

    Raises:
        ModelError: rejected before the swap (``current`` unchanged), or
            RolledBackError after a failed reload.
    """
    src_manifest = read_manifest(src)
    check_contract(src_manifest, str(src / "manifest.json"))
    with store_lock(root):
        store.clear_staging(root)
        previous = store.current_version(root)
        new = store.import_set(root, src, label)
        try:
            trial = trial_run(new, trial_timeout_s)
            record_references(new, trial)
        except ModelError as exc:
            shutil.rmtree(new, ignore_errors=True)
            raise ModelError(f"rejected, trial load failed: {exc}") from exc
        notes = trial.notes
        for note in notes:
            log.warning("trial load: %s", note)
        how = activate_and_confirm(
            root, state_dir, new.name, previous, reload=reload, health_timeout_s=health_timeout_s
        )
        pruned = store.prune(root, keep)
    log.info("installed model set %s (was %s): %s", new.name, previous, how)
    return InstallResult(new.name, previous, how, pruned, notes)


def record_references(folder: Path, trial: TrialResult) -> None:
    """Keep what the trial load computed as the reference outputs of the models whose
    manifest had none, so later verifications compare against this first good run."""
    manifest = read_manifest(folder)
    missing = {
        role: dataclasses.replace(entry, reference=trial.fingerprints[role])
        for role, entry in manifest.models.items()
        if not entry.reference and trial.fingerprints.get(role)
    }
    if missing:
        write_manifest(folder, dataclasses.replace(manifest, models={**manifest.models, **missing}))


def rollback_live(
    root: Path,
    state_dir: Path,
    to: str | None = None,
    *,
    reload: ReloadMode = "auto",
    health_timeout_s: float = 60.0,
) -> tuple[str, str]:
    """Roll the live set back and have the daemon load it.

    Returns:
        ``(version now live, how the daemon was asked)``.
    """
    with store_lock(root):
        live = store.current_version(root)
        target = to or store.previous_version(root)
        if target is None:
            raise ModelError(f"no older model version in '{root}' to roll back to")
        store.verify_version(store.version_dir(root, target))
        how = activate_and_confirm(
            root, state_dir, target, live, reload=reload, health_timeout_s=health_timeout_s
        )
    return target, how
