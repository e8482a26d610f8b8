"""Keeps the emulated devices' output folders bounded on a box that runs for months."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

# Each folder's media files and its JSON-lines index, as the emulators write them.
MEDIA = {"oled": ("oled_*.png", "index.jsonl"), "speech": ("cue_*.wav", "cues.jsonl")}


def prune(folder: Path, pattern: str, index: str, keep_files: int, keep_bytes: int) -> int:
    """Remove the oldest files matching ``pattern`` in ``folder`` beyond ``keep_files``
    or ``keep_bytes``; an index grown past a tenth of ``keep_bytes`` moves to
    ``INDEX.1`` (replacing the one before). Returns the number of files removed.
    """
    entries = []
    for path in folder.glob(pattern):
        try:
            st = path.stat()
        except OSError:
            continue  # removed meanwhile
        entries.append((st.st_mtime_ns, path.name, st.st_size, path))
    entries.sort()
    total = sum(e[2] for e in entries)
    removed = 0
    for _, _, size, path in entries:
        if len(entries) - removed <= keep_files and total <= keep_bytes:
            break
        try:
            path.unlink()
        except OSError as exc:
            log.warning("cannot remove old emulator output %s: %s", path, exc)
            break
        removed += 1
        total -= size
    index_path = folder / index
    try:
        if index_path.stat().st_size > max(keep_bytes // 10, 64 * 1024):
            # Writers append with open/close per line, so the next line starts a new file.
            os.replace(index_path, folder / f"{index}.1")
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("cannot rotate %s: %s", index_path, exc)
    return removed


def prune_outputs(out_dir: Path, keep_files: int, keep_mb: float) -> int:
    """``prune`` every emulated device's folder under ``out_dir``; returns files removed."""
    removed = 0
    for name, (pattern, index) in MEDIA.items():
        folder = out_dir / name
        if folder.is_dir():
            removed += prune(folder, pattern, index, keep_files, int(keep_mb * 2**20))
    if removed:
        log.debug("removed %d old emulator output file(s) under %s", removed, out_dir)
    return removed
