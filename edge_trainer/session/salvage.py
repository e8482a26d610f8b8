"""``history --recover``: copy every row SQLite can still read from a damaged history file."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
from pathlib import Path

from edge_trainer.session import schema
from edge_trainer.session.damage import SIDE_FILES
from edge_trainer.session.db import StoreError

log = logging.getLogger(__name__)

TABLES = ("sessions", "sets", "reps")
# After an unreadable stretch, rowids probed one by one for the next readable row.
PROBE_AHEAD = 5000


def _readable_after(conn: sqlite3.Connection, table: str, start: int) -> int | None:
    """The first rowid at or after ``start`` that reads, within ``PROBE_AHEAD``."""
    for rowid in range(start, start + PROBE_AHEAD):
        try:
            if conn.execute(f"SELECT 1 FROM {table} WHERE rowid = ?", (rowid,)).fetchone():
                return rowid
        except sqlite3.DatabaseError:
            continue
    return None


def read_rows(conn: sqlite3.Connection, table: str) -> tuple[list[sqlite3.Row], int]:
    """Every row of ``table`` that reads, in rowid order, and the number of unreadable
    stretches skipped on the way."""
    rows: list[sqlite3.Row] = []
    start: int | None = -(2**63)
    skipped = 0
    while start is not None:
        try:
            cur = conn.execute(
                f"SELECT rowid AS _rowid_, * FROM {table} WHERE rowid >= ? ORDER BY rowid",
                (start,),
            )
            for row in cur:
                rows.append(row)
                start = int(row["_rowid_"]) + 1
            return rows, skipped
        except sqlite3.DatabaseError as exc:
            skipped += 1
            log.info("%s: unreadable after rowid %s (%s)", table, start, exc)
            # A range scan that fails has nowhere to resume from: probe past the damage.
            start = _readable_after(conn, table, max(start or 1, 1) + (1 if rows else 0))
    return rows, skipped


def salvage(src: Path, dst: Path) -> dict[str, int]:
    """Write what can be read from the damaged ``src`` into a new history file ``dst``.

    ``src`` is never written to: a copy of it (and its WAL) is read. ``dst`` gets the
    current schema; open sets in it are closed as ``interrupted`` the next time the box
    opens it.

    Returns:
        Rows recovered per table, and ``skipped``: unreadable stretches passed over.

    Raises:
        StoreError: ``src`` is not an SQLite file at all, or ``dst`` exists.
    """
    if dst.exists():
        raise StoreError(f"{dst} exists; choose another output file with -o")
    counts = {t: 0 for t in TABLES} | {"skipped": 0}
    with tempfile.TemporaryDirectory(prefix="edge-trainer-recover-") as tmp:
        copy = Path(tmp) / "damaged.sqlite3"
        try:
            shutil.copyfile(src, copy)
            for suffix in SIDE_FILES[:1]:
                side = src.with_name(src.name + suffix)
                if side.is_file():
                    shutil.copyfile(side, copy.with_name(copy.name + suffix))
        except OSError as exc:
            raise StoreError(f"cannot read {src}: {exc.strerror or exc}") from exc
        try:
            source = sqlite3.connect(copy, isolation_level=None)
            source.row_factory = sqlite3.Row
            source.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{src}: nothing readable, SQLite says: {exc}") from exc
        out = sqlite3.connect(dst, isolation_level=None)
        try:
            out.execute("PRAGMA journal_mode = WAL")
            schema.migrate(out)
            out.execute("BEGIN IMMEDIATE")
            for table in TABLES:
                wanted = [r[1] for r in out.execute(f"PRAGMA table_info({table})")]
                try:
                    rows, skipped = read_rows(source, table)
                except sqlite3.DatabaseError as exc:  # the table itself is unreadable
                    log.warning("%s: table %s unreadable: %s", src, table, exc)
                    counts["skipped"] += 1
                    continue
                counts["skipped"] += skipped
                have = set(rows[0].keys()) if rows else set()
                cols = [c for c in wanted if c in have]
                for row in rows:
                    marks = ", ".join("?" for _ in cols)
                    out.execute(
                        f"INSERT OR IGNORE INTO {table} ({', '.join(cols)}) VALUES ({marks})",
                        [row[c] for c in cols],
                    )
                counts[table] = len(rows)
            _keep_box_id(source, out)
            out.execute("COMMIT")
        finally:
            out.close()
            source.close()
    return counts


def _keep_box_id(source: sqlite3.Connection, out: sqlite3.Connection) -> None:
    """The recovered file is the same box's history: a fleet merge must see it as such."""
    try:
        row = source.execute("SELECT value FROM meta WHERE key = 'box_id'").fetchone()
    except sqlite3.DatabaseError as exc:  # an older file, or the table is unreadable
        log.info("no box id recovered (%s): the recovered history gets a new one", exc)
        return
    if row is not None:
        out.execute("UPDATE meta SET value = ? WHERE key = 'box_id'", (row[0],))
