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
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from edge_trainer.errors import ModelError
from edge_trainer.models.manifest import (
    Manifest,
    ModelEntry,
    check_plain_file,
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
        raise ModelError(f"no models installed in '{root}'; run 'edge-trainer models provision'")
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
        # The LLM is the owner's choice and never provisioned; every other role is.
        how = "models fetch-llm FILE-or-URL" if role == "llm" else "models provision"
        raise ModelError(
            f"model set '{manifest.id}' in '{root}' has no {role} model; run 'edge-trainer {how}'"
        )
    path = verify_entry(folder, entry) if verify else folder / entry.file
    return path, entry


def entry_for(path: Path, role: str, **fields: object) -> ModelEntry:
    """A ModelEntry for a file, with its hash and size measured now, and for a TFLite
    model its reference outputs on the recorded input (``models.reference``)."""
    if path.suffix == ".tflite" and "reference" not in fields:
        from edge_trainer.models.trial import run_tflite

        try:
            fields["reference"] = run_tflite(path)
        except Exception as exc:  # LiteRT raises ValueError/RuntimeError on a bad file
            # The trial load of any set holding it refuses it; say so now too.
            log.warning("%s does not run (%s): no reference outputs recorded", path.name, exc)
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


@dataclass(frozen=True)
class VersionInfo:
    """One version folder in the store, as ``models list`` shows it."""

    id: str
    path: Path
    current: bool
    manifest: Manifest | None
    error: str = ""


def _version_dirs(root: Path) -> list[Path]:
    versions = root / VERSIONS
    if not versions.is_dir():
        return []
    # Version ids start with a UTC timestamp, so name order is install order.
    return sorted(
        (p for p in versions.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )


def current_version(root: Path) -> str | None:
    """Id (folder name) of the live version, or None when nothing is installed."""
    link = root / CURRENT
    return link.resolve().name if link.exists() else None


def list_versions(root: Path) -> list[VersionInfo]:
    """Every installed version, oldest first, with its manifest (or why it is unreadable)."""
    live = current_version(root)
    out = []
    for folder in _version_dirs(root):
        try:
            out.append(VersionInfo(folder.name, folder, folder.name == live, read_manifest(folder)))
        except ModelError as exc:
            out.append(VersionInfo(folder.name, folder, folder.name == live, None, str(exc)))
    return out


def version_dir(root: Path, version: str) -> Path:
    """The folder of an installed version.

    Raises:
        ModelError: no such version.
    """
    folder = root / VERSIONS / version
    if version.startswith(".") or "/" in version or not folder.is_dir():
        raise ModelError(f"no model version '{version}' in '{root}'")
    return folder


def verify_version(folder: Path) -> Manifest:
    """Check every file of a version against its manifest (presence, size, sha256).

    Raises:
        ModelError: the first problem found.
    """
    manifest = read_manifest(folder)
    for entry in manifest.models.values():
        verify_entry(folder, entry)
    return manifest


def is_plain_name(name: str) -> bool:
    """True for a file name that stays in its folder: no path, not hidden, not too long."""
    return (
        bool(name)
        and name == Path(name).name
        and not name.startswith(".")
        and "\\" not in name
        and "\x00" not in name
        and len(name.encode()) <= 255
    )


def check_file_names(manifest: Manifest, where: str) -> None:
    """Reject manifest file names that are not plain names inside the set's folder.

    Raises:
        ModelError: a name is empty, hidden, has a path separator, or is used twice.
    """
    seen: set[str] = set()
    for entry in manifest.models.values():
        name = entry.file
        if not is_plain_name(name):
            raise ModelError(
                f"{where}: model file name {name!r} ({entry.role}) must be a "
                "plain file name in the set's folder"
            )
        if name in seen:
            raise ModelError(f"{where}: model file {name!r} is listed for two roles")
        seen.add(name)


def import_set(root: Path, src: Path, label: str = "") -> Path:
    """Copy the model set in folder ``src`` into a new, not yet live, version.

    Roles that ``src`` lacks are carried over from the live set. Every copied file must
    match the hash and size in ``src/manifest.json``.

    Returns:
        The new version folder (``current`` is not changed).

    Raises:
        ModelError: ``src`` has no valid manifest, or a file is missing or corrupt.
    """
    manifest = read_manifest(src)
    check_file_names(manifest, str(src / "manifest.json"))
    if not manifest.models:
        raise ModelError(f"model set '{src}' lists no models")
    files = {role: (src / e.file, e) for role, e in manifest.models.items()}
    for role, (path, _) in files.items():
        check_plain_file(path, f"model file ({role})")
    provenance = manifest.provenance or f"installed from {manifest.id}"
    return add_set(root, files, label or _label(manifest.id), provenance, activate=False)


def _label(manifest_id: str) -> str:
    # Keep the source id readable in the new folder name without nesting timestamps.
    tail = manifest_id.rsplit("Z-", 1)[-1]
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in tail)
    return safe.strip(".-")[:40] or "set"


def previous_version(root: Path) -> str | None:
    """The newest version older than the live one, or None."""
    live = current_version(root)
    older = [p.name for p in _version_dirs(root) if live is None or p.name < live]
    return older[-1] if older else None


def rollback(root: Path, to: str | None = None) -> str:
    """Make an older version live again: ``to``, or the one before the live version.

    The target is verified first, so a rollback never activates a corrupt set.

    Returns:
        The id of the version now live.

    Raises:
        ModelError: no older version, or the target does not verify.
    """
    target = to or previous_version(root)
    if target is None:
        raise ModelError(f"no older model version in '{root}' to roll back to")
    folder = version_dir(root, target)
    verify_version(folder)
    activate_version(root, folder)
    return target


def remove_version(root: Path, version: str) -> None:
    """Delete a version folder that is not live.

    Raises:
        ModelError: it is the live version.
    """
    if version == current_version(root):
        raise ModelError(f"model version '{version}' is live; roll back before removing it")
    shutil.rmtree(version_dir(root, version))


def prune(root: Path, keep: int) -> list[str]:
    """Delete all but the ``keep`` newest versions; the live one is always kept.

    Returns:
        The ids removed.
    """
    keep = max(1, keep)
    live = current_version(root)
    dirs = _version_dirs(root)
    removed = []
    for folder in dirs[: max(0, len(dirs) - keep)]:
        if folder.name == live:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder.name)
    if removed:
        log.info("pruned old model versions: %s", ", ".join(removed))
    return removed


def clear_current(root: Path) -> None:
    """Remove the ``current`` link (used when the first install ever is rolled back)."""
    link = root / CURRENT
    if link.is_symlink():
        link.unlink()


def clear_staging(root: Path) -> list[str]:
    """Remove staging folders an interrupted install left; call only under the store lock.

    Returns:
        The names removed.
    """
    versions = root / VERSIONS
    stale = sorted(versions.glob(".staging-*")) if versions.is_dir() else []
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    if stale:
        log.warning("removed %d staging folder(s) left by an interrupted install", len(stale))
    return [p.name for p in stale]
