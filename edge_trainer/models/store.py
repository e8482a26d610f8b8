"""The on-disk model store: versioned model sets and a ``current`` symlink.

Layout under the models directory::

    versions/<id>/manifest.json + model files
    current -> versions/<id>        (swapped atomically by renaming a new symlink)

A new version is built in a hidden staging folder and only renamed into ``versions/``
once complete, so a crash never leaves a half-written set that ``current`` could point to.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from edge_trainer.errors import ModelError
from edge_trainer.models.manifest import (
    Manifest,
    ModelEntry,
    read_manifest,
    sha256_file,
    verify_entry,
    write_manifest,
)

log = logging.getLogger(__name__)

VERSIONS = "versions"
CURRENT = "current"


def new_version_id(label: str) -> str:
    """A sortable, unique-enough version id such as ``20261121T103000Z-pose``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{label}" if label else stamp


def current_dir(root: Path) -> Path:
    """The folder ``current`` points to.

    Raises:
        ModelError: no model set is installed.
    """
    link = root / CURRENT
    if not link.exists():
        raise ModelError(
            f"no models installed in '{root}'; run 'edge-trainer models fetch-pose' "
            "(or 'make models')"
        )
    return link.resolve()


def current_manifest(root: Path) -> Manifest | None:
    """The live set's manifest, or None when nothing is installed."""
    if not (root / CURRENT).exists():
        return None
    return read_manifest(current_dir(root))


def resolve(root: Path, role: str, verify: bool = True) -> tuple[Path, ModelEntry]:
    """Path and manifest entry of the live model for ``role``, its hash verified.

    Raises:
        ModelError: nothing installed, no model for that role, or the file is corrupt.
    """
    folder = current_dir(root)
    manifest = read_manifest(folder)
    entry = manifest.models.get(role)
    if entry is None:
        raise ModelError(f"model set '{manifest.id}' in '{root}' has no {role} model")
    path = verify_entry(folder, entry) if verify else folder / entry.file
    return path, entry


def entry_for(path: Path, role: str, **fields: object) -> ModelEntry:
    """A ModelEntry for a file, with its hash and size measured now."""
    return ModelEntry(
        role=role,
        file=path.name,
        sha256=sha256_file(path),
        size=path.stat().st_size,
        **fields,  # type: ignore[arg-type]
    )


def _link_or_copy(src: Path, dst: Path) -> None:
    # A hard link shares the bytes of a large unchanged model (a GGUF) between versions.
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def add_set(
    root: Path,
    files: dict[str, tuple[Path, ModelEntry]],
    label: str,
    provenance: str = "",
    activate: bool = True,
) -> Path:
    """Build a new version from the live set plus ``files`` (role -> source, entry).

    Roles given replace those of the live set; other roles are carried over. Each new file
    is hashed after copying and must match its entry.

    Returns:
        The new version folder.
    """
    root.mkdir(parents=True, exist_ok=True)
    versions = root / VERSIONS
    versions.mkdir(exist_ok=True)
    vid = new_version_id(label)
    staging = versions / f".staging-{vid}"
    staging.mkdir()
    try:
        models: dict[str, ModelEntry] = {}
        previous = current_manifest(root)
        if previous is not None:
            prev_dir = current_dir(root)
            for role, entry in previous.models.items():
                if role not in files:
                    _link_or_copy(prev_dir / entry.file, staging / entry.file)
                    models[role] = entry
        for role, (src, entry) in files.items():
            dst = staging / entry.file
            if dst.exists():
                dst.unlink()
            shutil.copyfile(src, dst)
            models[role] = replace(entry, role=role)
            verify_entry(staging, models[role])
        manifest = Manifest(
            id=vid,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            models=models,
            provenance=provenance,
        )
        write_manifest(staging, manifest)
        final = versions / vid
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if activate:
        activate_version(root, final)
    return final


def activate_version(root: Path, folder: Path) -> None:
    """Point ``current`` at ``folder`` atomically (rename of a new symlink over the old)."""
    tmp = root / f".{CURRENT}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path(VERSIONS) / folder.name)
    tmp.replace(root / CURRENT)
    log.info("model set %s is now current", folder.name)
