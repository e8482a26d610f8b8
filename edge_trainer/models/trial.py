"""Trial loads: a model set's declared contract checked, then every model run once.

The loading happens in a child process (``python -m edge_trainer.models.trial``), so a
model file that crashes the runtime kills only that process, never the caller.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edge_trainer.errors import ModelError
from edge_trainer.models.litert import load_interpreter
from edge_trainer.models.manifest import Manifest, ModelEntry, read_manifest, verify_entry
from edge_trainer.models.reference import fingerprint, mismatch, recorded_input, sanity_problem
from edge_trainer.models.roles import EXPECTED_INPUTS, FEATURE_VERSION
from edge_trainer.models.template import render_template


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


@dataclass
class TrialResult:
    """What a trial load found.

    Attributes:
        notes: Things worth showing (a GGUF checked by header only, a model without
            reference outputs).
        fingerprints: Per role, the fingerprint of each output on the recorded input.
    """

    notes: list[str] = field(default_factory=list)
    fingerprints: dict[str, tuple[tuple[float, ...], ...]] = field(default_factory=dict)


def trial_load(folder: Path, timeout_s: float = 300.0) -> list[str]:
    """Load and run every model of a version in a child process; returns its notes.

    Raises:
        ModelError: a model failed to load or run, or the child crashed or timed out.
    """
    return trial_run(folder, timeout_s).notes


def trial_run(folder: Path, timeout_s: float = 300.0) -> TrialResult:
    """Load and run every model of a version in a child process.

    Each TFLite model runs on the recorded input and its outputs are compared with the
    manifest's reference outputs (``models.reference``); a GGUF model is loaded by
    llama.cpp and its chat template rendered within time and size limits.

    Raises:
        ModelError: a model failed to load or run, or the child crashed or timed out.
    """
    cmd = [sys.executable, "-m", "edge_trainer.models.trial", "trial-load", str(folder)]
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
    return TrialResult(
        notes=[f"{r['role']}: {r['note']}" for r in report["results"] if r.get("note")],
        fingerprints={
            r["role"]: tuple(tuple(float(v) for v in out) for out in r["fingerprint"])
            for r in report["results"]
            if r.get("fingerprint")
        },
    )


# ---------------------------------------------------------------------------------------
# The child process: ``python -m edge_trainer.models.trial trial-load FOLDER``.


def run_tflite(path: Path) -> tuple[tuple[float, ...], ...]:
    """Run a TFLite model once on the recorded input; each output's fingerprint."""
    interp = load_interpreter(path, threads=1)
    return _fingerprints(interp)


def _fingerprints(interp: Any) -> tuple[tuple[float, ...], ...]:
    for i, d in enumerate(interp.get_input_details()):
        interp.set_tensor(d["index"], recorded_input(d["shape"], d["dtype"], i))
    interp.invoke()
    return tuple(fingerprint(interp.get_tensor(d["index"])) for d in interp.get_output_details())


def _load_tflite(path: Path, entry: ModelEntry) -> tuple[str, tuple[tuple[float, ...], ...]]:
    interp = load_interpreter(path, threads=1)
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
    prints = _fingerprints(interp)
    if entry.reference:
        why = mismatch(prints, entry.reference)
        if why:
            raise ModelError(why)
        return "", prints
    why = sanity_problem(prints)
    if why:
        raise ModelError(why)
    return "no reference outputs in the manifest: recorded from this trial", prints


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
        template = llm.metadata.get("tokenizer.chat_template")
        if template:
            render_template(template)
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
                result["note"], result["fingerprint"] = _load_tflite(path, entry)
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
        "usage: python -m edge_trainer.models.trial trial-load FOLDER | load-gguf FILE",
        file=sys.stderr,
    )
    sys.exit(2)
