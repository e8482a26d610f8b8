"""Model-set manifests: what each file is, its hash and shapes, and where it came from.

A model set is one folder holding model files and ``manifest.json``. Each model has a
role that the runtime asks for (``ROLES``). The hash of every file is checked at load.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from edge_trainer.errors import ModelError

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1

ROLES = ("pose_detector", "pose_landmarks", "classifier", "llm")


@dataclass(frozen=True)
class TensorSpec:
    """Shape and dtype of one model input or output."""

    shape: tuple[int, ...]
    dtype: str
    name: str = ""


@dataclass(frozen=True)
class ModelEntry:
    """One model file in a set.

    ``reference`` holds, per output, the fingerprint of what the model computed on the
    recorded input when the set was built (``models.trial.fingerprint``): a trial load
    runs it again and compares, so weights damaged behind a matching hash are caught.
    """

    role: str
    file: str
    sha256: str
    size: int
    format: str = "tflite"
    inputs: tuple[TensorSpec, ...] = ()
    outputs: tuple[TensorSpec, ...] = ()
    labels: tuple[str, ...] = ()
    feature_version: int | None = None
    provenance: str = ""
    reference: tuple[tuple[float, ...], ...] = ()


@dataclass(frozen=True)
class Manifest:
    """The manifest of a model set."""

    id: str
    created: str
    models: dict[str, ModelEntry] = field(default_factory=dict)
    provenance: str = ""
    schema: int = SCHEMA_VERSION

    def to_json(self) -> str:
        data = asdict(self)
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "manifest") -> Manifest:
        try:
            if data.get("schema", SCHEMA_VERSION) > SCHEMA_VERSION:
                raise ModelError(
                    f"{where}: manifest schema {data['schema']} is newer than "
                    f"this edge-trainer understands ({SCHEMA_VERSION})"
                )
            models = {}
            for role, m in data.get("models", {}).items():
                if role not in ROLES:
                    raise ModelError(f"{where}: unknown model role {role!r}")
                models[role] = ModelEntry(
                    role=role,
                    file=str(m["file"]),
                    sha256=str(m["sha256"]),
                    size=int(m["size"]),
                    format=str(m.get("format", "tflite")),
                    inputs=tuple(_spec(s) for s in m.get("inputs", ())),
                    outputs=tuple(_spec(s) for s in m.get("outputs", ())),
                    labels=tuple(m.get("labels", ())),
                    feature_version=m.get("feature_version"),
                    provenance=str(m.get("provenance", "")),
                    reference=tuple(tuple(float(v) for v in out) for out in m.get("reference", ())),
                )
            return cls(
                id=str(data["id"]),
                created=str(data["created"]),
                models=models,
                provenance=str(data.get("provenance", "")),
                schema=int(data.get("schema", SCHEMA_VERSION)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ModelError):
                raise
            raise ModelError(f"{where}: malformed manifest ({exc!r})") from exc


def _spec(s: dict[str, Any]) -> TensorSpec:
    return TensorSpec(
        shape=tuple(int(d) for d in s["shape"]), dtype=str(s["dtype"]), name=str(s.get("name", ""))
    )


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks (GGUF files are hundreds of MB)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def read_manifest(folder: Path) -> Manifest:
    """Read ``folder/manifest.json``; raises ModelError if missing or malformed."""
    path = folder / MANIFEST_NAME
    if path.is_symlink() or (path.exists() and not path.is_file()):
        check_plain_file(path, "model manifest")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"no model manifest at '{path}'") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"cannot read model manifest '{path}': {exc}") from exc
    if not isinstance(data, dict):
        raise ModelError(f"model manifest '{path}' is not a JSON object")
    return Manifest.from_dict(data, str(path))


def check_plain_file(path: Path, what: str) -> None:
    """Refuse anything in a model set but a regular file: a symlink is never followed
    (it could point at any file the installing user may read), a fifo never opened.

    Raises:
        ModelError: missing, a symlink, or not a regular file.
    """
    from edge_trainer.errors import InputError
    from edge_trainer.inputs import regular_file

    try:
        regular_file(path, what, follow_symlinks=False)
    except InputError as exc:
        raise ModelError(f"{exc}; a model set holds regular files only") from None


def write_manifest(folder: Path, manifest: Manifest) -> Path:
    """Write ``folder/manifest.json`` atomically (temp file, fsync, rename)."""
    path = folder / MANIFEST_NAME
    tmp = path.with_suffix(".json.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(manifest.to_json())
        f.flush()
        import os

        os.fsync(f.fileno())
    tmp.replace(path)
    return path


def verify_entry(folder: Path, entry: ModelEntry) -> Path:
    """Check a model file's presence, size and sha256; return its path.

    Raises:
        ModelError: naming the file and what was expected.
    """
    path = folder / entry.file
    if not path.is_file():
        raise ModelError(f"model file '{path}' ({entry.role}) is missing")
    size = path.stat().st_size
    if size != entry.size:
        raise ModelError(
            f"model file '{path}' ({entry.role}) is {size} bytes, manifest says {entry.size}"
        )
    digest = sha256_file(path)
    if digest != entry.sha256:
        raise ModelError(
            f"model file '{path}' ({entry.role}) has sha256 {digest[:16]}..., "
            f"manifest expects {entry.sha256[:16]}..."
        )
    return path
