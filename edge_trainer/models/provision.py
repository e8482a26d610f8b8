"""Bringing a box's model store up to date: shipped models, and a GGUF LLM from a file or URL."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from edge_trainer.errors import InputError, ModelError
from edge_trainer.models import store
from edge_trainer.models.install import InstallResult, install_set
from edge_trainer.models.manifest import (
    MANIFEST_NAME,
    Manifest,
    ModelEntry,
    read_manifest,
    sha256_file,
    write_manifest,
)
from edge_trainer.models.trial import check_gguf_header

log = logging.getLogger(__name__)

POSE_ROLES = ("pose_detector", "pose_landmarks")


def shipped_models_dir() -> Path | None:
    """The project's own model sets (the exercise classifier), as the package carries them.

    ``shipped/`` beside this module holds them: in a wheel, a copy of the checkout's
    ``models/`` made when it was built; in a checkout (or an editable install), links to it.

    Returns:
        The first of ``shipped/`` and ``<checkout>/models`` that holds a set, else None.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "shipped", here.parents[1] / "models"):
        if candidate.is_dir() and shipped_sets(candidate):
            return candidate
    return None


def shipped_sets(folder: Path) -> list[Path]:
    """Sub-folders of ``folder`` holding a model set (a ``manifest.json``), sorted."""
    return sorted(p for p in folder.iterdir() if (p / MANIFEST_NAME).is_file())


SHIPPED_RECORD = ".shipped.json"


def _read_record(root: Path) -> dict[str, str]:
    try:
        data = json.loads((root / SHIPPED_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_record(root: Path, record: dict[str, str]) -> None:
    tmp = root / f"{SHIPPED_RECORD}.tmp"
    tmp.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(root / SHIPPED_RECORD)


def outdated_roles(root: Path, manifest: Manifest) -> list[str]:
    """Roles of a shipped ``manifest`` that provisioning should install.

    A role is installed when the live set lacks it, or holds an older shipped model (the
    hash provisioning installed last time). A model the owner installed by hand, with a
    hash provisioning never shipped, is left alone.
    """
    live = store.current_manifest(root)
    have = live.models if live is not None else {}
    record = _read_record(root)
    roles = []
    for role, entry in manifest.models.items():
        current = have.get(role)
        if current is None:
            roles.append(role)
        elif current.sha256 == entry.sha256:
            continue
        elif record.get(role) == current.sha256:
            roles.append(role)
        else:
            log.warning(
                "keeping the live %s model %s: it was installed by hand, not shipped",
                role,
                current.file,
            )
    return roles


def _subset(folder: Path, manifest: Manifest, roles: list[str], dest: Path) -> Path:
    """A model-set folder with only ``roles`` of the set in ``folder``."""
    models = {r: manifest.models[r] for r in roles}
    for entry in models.values():
        shutil.copyfile(folder / entry.file, dest / entry.file)
    write_manifest(dest, replace(manifest, models=models))
    return dest


def provision(
    root: Path,
    state_dir: Path,
    shipped: Path | None,
    fetch_pose: Callable[[], None] | None = None,
    fetch_llm: Callable[[], None] | None = None,
    **install_kw: object,
) -> list[str]:
    """Make sure the live set has the pose models, an LLM and the project's shipped models.

    Args:
        root: The model store.
        state_dir: The daemon's state folder (for reload and health).
        shipped: The project's ``models/`` folder, or None when there is none.
        fetch_pose: Called when the live set lacks a pose model.
        fetch_llm: Called when the live set has no ``llm`` model once the shipped sets are
            in (None: no LLM step).
        **install_kw: Passed to ``install_set``.

    Returns:
        One line per action taken (empty when everything was up to date).
    """
    done = []
    live = store.current_manifest(root)
    missing_pose = [r for r in POSE_ROLES if live is None or r not in live.models]
    if missing_pose:
        if fetch_pose is None:
            raise ModelError(f"the live set lacks {', '.join(missing_pose)}; no way to fetch them")
        fetch_pose()
        done.append(f"fetched pose models ({', '.join(missing_pose)})")
    if shipped is None or not shipped.is_dir():
        log.warning("no shipped models folder (%s); only pose and LLM models checked", shipped)
    else:
        done += _install_shipped(root, state_dir, shipped, **install_kw)
    live = store.current_manifest(root)
    if fetch_llm is not None and (live is None or "llm" not in live.models):
        fetch_llm()
        done.append("fetched the summary model (llm)")
    return done


def _install_shipped(root: Path, state_dir: Path, shipped: Path, **install_kw: object) -> list[str]:
    done = []
    root.mkdir(parents=True, exist_ok=True)
    record = _read_record(root)
    for folder in shipped_sets(shipped):
        manifest = read_manifest(folder)
        roles = outdated_roles(root, manifest)
        if roles:
            src = folder
            with tempfile.TemporaryDirectory(prefix=".provision-", dir=root) as tmp:
                if len(roles) < len(manifest.models):
                    src = _subset(folder, manifest, roles, Path(tmp))
                result = install_set(root, src, state_dir, label=folder.name, **install_kw)  # type: ignore[arg-type]
            done.append(f"installed {folder.name} ({', '.join(roles)}) as {result.version}")
        else:
            log.info("shipped set %s is live (or replaced by hand)", folder.name)
        record.update({role: e.sha256 for role, e in manifest.models.items()})
        _write_record(root, record)
    return done


def _download(url: str, dest: Path, progress: Callable[[int], None] | None = None) -> None:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != "https":
        raise InputError(f"refusing to download over {parsed.scheme or 'no scheme'}: use https")
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, dest.open("wb") as out:
            got = 0
            while block := resp.read(1 << 20):
                out.write(block)
                got += len(block)
                if progress is not None:
                    progress(got)
    except OSError as exc:
        raise ModelError(f"download of {url} failed: {exc}") from exc


def fetch_llm(
    root: Path,
    state_dir: Path,
    source: str,
    sha256: str | None = None,
    name: str | None = None,
    **install_kw: object,
) -> InstallResult:
    """Install a GGUF chat model, from a local file or an https URL, as the ``llm`` role.

    The file is checked (GGUF header, optional sha256) before it goes near the store, then
    installed like any set: trial load, swap, reload, roll back on failure.

    Raises:
        InputError: a bad source or hash argument.
        ModelError: not a GGUF file, hash mismatch, or the install was rejected.
    """
    if sha256 is not None and (
        len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256.lower())
    ):
        raise InputError(f"--sha256 must be 64 hex digits, got {sha256!r}")
    is_url = "://" in source
    filename = name or Path(urllib.parse.urlparse(source).path if is_url else source).name
    if not filename.endswith(".gguf"):
        filename += ".gguf"
    root.mkdir(parents=True, exist_ok=True)
    # Download next to the store so the copy into a version folder stays on one disk.
    with tempfile.TemporaryDirectory(prefix=".fetch-llm-", dir=root) as tmp:
        staged = Path(tmp) / filename
        if is_url:
            log.info("downloading %s", source)
            _download(source, staged)
        else:
            src = Path(source)
            if not src.is_file():
                raise InputError(f"no such GGUF file: '{src}'")
            shutil.copyfile(src, staged)
        digest = sha256_file(staged)
        if sha256 is not None and digest != sha256.lower():
            raise ModelError(
                f"'{filename}' has sha256 {digest}, expected {sha256.lower()}; not installed"
            )
        header = check_gguf_header(staged)
        log.info("%s: %s", filename, header)
        entry = ModelEntry(
            role="llm",
            file=filename,
            sha256=digest,
            size=staged.stat().st_size,
            format="gguf",
            provenance=source if is_url else f"file {Path(source).resolve()}",
        )
        manifest = Manifest(
            id=f"llm-{digest[:12]}",
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            models={"llm": entry},
            provenance=entry.provenance,
        )
        write_manifest(Path(tmp), manifest)
        return install_set(root, Path(tmp), state_dir, label="llm", **install_kw)  # type: ignore[arg-type]
