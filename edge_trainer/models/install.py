"""Safe model installs: copy, verify, trial-load in a subprocess, swap, reload, roll back.

An install never leaves the box broken. The new set is built in a folder of its own and
checked (hashes, then every model loaded and run once in a separate process, so a model
that crashes the runtime only kills that process). Only then is ``current`` swapped, the
daemon asked to reload, and the swap undone if the daemon does not report healthy in time.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from edge_trainer.errors import ModelError
from edge_trainer.exercise.features import FEATURE_VERSION
from edge_trainer.models import health, store
from edge_trainer.models.manifest import Manifest, ModelEntry, read_manifest, verify_entry

log = logging.getLogger(__name__)

SERVICE = "edge-trainer"
ReloadMode = Literal["auto", "pidfile", "systemd", "none"]

# What the code that consumes each role feeds it; a set whose manifest declares another
# input shape for these roles is the wrong model in the wrong place.
EXPECTED_INPUTS: dict[str, tuple[int, ...]] = {
    "pose_detector": (1, 224, 224, 3),
    "pose_landmarks": (1, 256, 256, 3),
}


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


def check_contract(manifest: Manifest, where: str) -> None:
    """Check declared shapes and labels against what the runtime expects of each role.

    Raises:
        ModelError: a declared input shape, format or label count does not fit the role.
    """
    for role, entry in manifest.models.items():
        expected_format = "gguf" if role == "llm" else "tflite"
        if entry.format != expected_format:
            raise ModelError(
                f"{where}: {role} model must be {expected_format}, manifest says {entry.format}"
            )
        want = EXPECTED_INPUTS.get(role)
        if want is not None and entry.inputs and tuple(entry.inputs[0].shape) != want:
            raise ModelError(
                f"{where}: {role} model takes input {list(entry.inputs[0].shape)}, "
                f"the {role} stage feeds {list(want)}"
            )
        if role == "classifier" and entry.feature_version != FEATURE_VERSION:
            raise ModelError(
                f"{where}: classifier was trained on feature version {entry.feature_version}; "
                f"this edge-trainer computes version {FEATURE_VERSION}"
            )
        if role == "classifier" and entry.labels and entry.outputs:
            classes = entry.outputs[0].shape[-1]
            if classes != len(entry.labels):
                raise ModelError(
                    f"{where}: classifier outputs {classes} classes but lists "
                    f"{len(entry.labels)} labels"
                )


def trial_load(folder: Path, timeout_s: float = 300.0) -> list[str]:
    """Load and run every model of a version in a child process.

    Returns:
        Notes worth showing (such as a GGUF checked by header only).

    Raises:
        ModelError: a model failed to load or run, or the child crashed or timed out.
    """
    cmd = [sys.executable, "-m", "edge_trainer.models.install", "trial-load", str(folder)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ModelError(f"trial load of '{folder.name}' took longer than {timeout_s:g}s") from exc
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode < 0:
        raise ModelError(
            f"trial load of '{folder.name}' crashed (signal {-proc.returncode}); "
            "a model file is not loadable"
        )
    if not lines:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        raise ModelError(f"trial load of '{folder.name}' failed: {tail[0]}")
    report = json.loads(lines[-1])
    failed = [r for r in report["results"] if not r["ok"]]
    if failed:
        raise ModelError("; ".join(f"{r['role']}: {r['detail']}" for r in failed))
    return [f"{r['role']}: {r['note']}" for r in report["results"] if r.get("note")]


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
            notes = trial_load(new, trial_timeout_s)
        except ModelError as exc:
            shutil.rmtree(new, ignore_errors=True)
            raise ModelError(f"rejected, trial load failed: {exc}") from exc
        for note in notes:
            log.warning("trial load: %s", note)
        how = activate_and_confirm(
            root, state_dir, new.name, previous, reload=reload, health_timeout_s=health_timeout_s
        )
        pruned = store.prune(root, keep)
    log.info("installed model set %s (was %s): %s", new.name, previous, how)
    return InstallResult(new.name, previous, how, pruned, notes)


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


# ---------------------------------------------------------------------------------------
# The child process: ``python -m edge_trainer.models.install trial-load FOLDER``.


def _load_tflite(path: Path, entry: ModelEntry) -> str:
    import numpy as np

    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        try:
            from tflite_runtime.interpreter import Interpreter
        except ImportError:
            from edge_trainer.errors import missing_dependency

            raise missing_dependency("ai_edge_litert") from None
    interp = Interpreter(model_path=str(path), num_threads=1)
    interp.allocate_tensors()
    inputs = interp.get_input_details()
    outputs = interp.get_output_details()
    want = EXPECTED_INPUTS.get(entry.role)
    if want is not None and tuple(int(x) for x in inputs[0]["shape"]) != want:
        raise ModelError(
            f"takes input {[int(x) for x in inputs[0]['shape']]}, "
            f"the {entry.role} stage feeds {list(want)}"
        )
    _compare(entry.role, "input", inputs, entry.inputs)
    _compare(entry.role, "output", outputs, entry.outputs)
    for d in inputs:
        interp.set_tensor(d["index"], np.zeros(d["shape"], dtype=d["dtype"]))
    interp.invoke()
    for d in outputs:
        interp.get_tensor(d["index"])
    return ""


def _compare(role: str, kind: str, actual: list[dict[str, Any]], declared: tuple[Any, ...]) -> None:
    if not declared:
        return
    if len(actual) != len(declared):
        raise ModelError(f"has {len(actual)} {kind}s, manifest declares {len(declared)}")
    import numpy as np

    for i, (a, d) in enumerate(zip(actual, declared, strict=True)):
        shape = tuple(int(x) for x in a["shape"])
        if shape != tuple(d.shape):
            raise ModelError(
                f"{kind} {i} has shape {list(shape)}, manifest declares {list(d.shape)}"
            )
        dtype = np.dtype(a["dtype"]).name
        if dtype != d.dtype:
            raise ModelError(f"{kind} {i} is {dtype}, manifest declares {d.dtype}")


def _load_gguf(path: Path) -> str:
    try:
        import llama_cpp
    except ImportError:
        return check_gguf_header(path) + " (llama_cpp not installed: GGUF header checked only)"
    else:
        llm = llama_cpp.Llama(model_path=str(path), n_ctx=64, n_threads=1, verbose=False)
        if not llm.tokenize(b"Good set."):
            raise ModelError("llama.cpp loaded the model but it tokenizes nothing")
        return ""


def check_gguf_header(path: Path) -> str:
    """Check a GGUF file's magic and metadata with the ``gguf`` reader.

    Returns:
        A short description (architecture and tensor count).

    Raises:
        ModelError: not a GGUF file, or a malformed one.
    """
    with path.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise ModelError(f"'{path.name}' is not a GGUF file (bad magic)")
    try:
        from gguf import GGUFReader
    except ImportError:
        return "GGUF magic ok (gguf package not installed)"
    try:
        reader = GGUFReader(str(path))
    except Exception as exc:  # the reader raises assorted errors on truncated files
        raise ModelError(f"'{path.name}' is not a readable GGUF file: {exc}") from exc
    arch_field = reader.fields.get("general.architecture")
    if arch_field is None:
        raise ModelError(f"'{path.name}' has no general.architecture in its GGUF header")
    arch = bytes(arch_field.parts[arch_field.data[0]]).decode("utf-8", "replace")
    return f"GGUF {arch}, {len(reader.tensors)} tensors"


def _trial_main(folder: Path) -> int:
    manifest = read_manifest(folder)
    results = []
    for role, entry in manifest.models.items():
        result: dict[str, Any] = {"role": role, "ok": True, "detail": "", "note": ""}
        try:
            path = verify_entry(folder, entry)
            if entry.format == "gguf":
                result["note"] = _load_gguf(path)
            else:
                _load_tflite(path, entry)
        except Exception as exc:  # report any load failure as data, not a traceback
            result.update(ok=False, detail=f"{entry.file}: {exc}")
        results.append(result)
    ok = all(r["ok"] for r in results)
    print(json.dumps({"ok": ok, "results": results}), flush=True)
    return 0 if ok else 1


def _load_gguf_main(path: Path) -> int:
    # For doctor: the LLM counts as loadable only when llama.cpp itself loads it.
    if importlib.util.find_spec("llama_cpp") is None:
        print("llama_cpp is not installed")
        return 1
    try:
        _load_gguf(path)
    except Exception as exc:  # report any load failure as one line
        print(f"{type(exc).__name__}: {exc}")
        return 1
    print(f"loaded by llama.cpp ({path.stat().st_size / 2**20:.0f} MB)")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    if len(sys.argv) == 3 and sys.argv[1] == "trial-load":
        sys.exit(_trial_main(Path(sys.argv[2])))
    if len(sys.argv) == 3 and sys.argv[1] == "load-gguf":
        sys.exit(_load_gguf_main(Path(sys.argv[2])))
    print(
        "usage: python -m edge_trainer.models.install trial-load FOLDER | load-gguf FILE",
        file=sys.stderr,
    )
    sys.exit(2)
