"""Fleet history: export a box's history, and fold exports into one database idempotently.

Every history file has a box id (made with the file). A merged set is keyed by the box
it was recorded on and its id there, so merging the same export twice adds nothing, an
export taken later brings only what is new (and the final state of a set that was still
open), and a merged file can itself be merged further. Two different sets under one key
(a box whose SD card was copied from another's) are a conflict: the first is kept and
the other reported, never mixed in.
"""

from __future__ import annotations

import logging
import shutil
import socket
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from edge_trainer.errors import InputError
from edge_trainer.session import db, schema
from edge_trainer.session.store import HistoryStore, StoreError

log = logging.getLogger(__name__)

# How far a set's state has come: a later export of the same set wins only if further.
_STATUS_RANK = {"open": 0, "interrupted": 1, "done": 2}
# A set is the same one when it started at the same wall time (to the millisecond).
_SAME_START_S = 1e-3


@dataclass
class MergeReport:
    """What a merge did.

    Attributes:
        sessions: Sessions added.
        sets: Sets added.
        updated: Sets replaced by a further state of the same set.
        unchanged: Sets already merged as they are.
        conflicts: One line for each set kept out because another set has its key.
    """

    sessions: int = 0
    sets: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)


def export(source: Path, out: Path) -> str:
    """Copy a history file consistently (safe while the daemon writes to it).

    The copy records where and when it was made. Returns the box id.

    Raises:
        StoreError: the history cannot be read, or ``out`` cannot be written.
    """
    if out.exists():
        raise InputError(f"{out} exists; choose another output file")
    with db.HistoryReader(source) as reader:
        box = reader.box_id()
        try:
            dst = sqlite3.connect(out)
            try:
                reader.backup(dst)
                # One self-contained file: no -wal or -shm beside it, wherever it is read.
                dst.execute("PRAGMA journal_mode = DELETE")
                dst.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('exported_from', ?), "
                    "('exported_at', ?)",
                    (socket.gethostname(), str(time.time())),
                )
                dst.commit()
            finally:
                dst.close()
        except sqlite3.Error as exc:
            out.unlink(missing_ok=True)
            raise StoreError(f"exporting {source} to {out} failed: {exc}") from exc
    return box


def merge(target: Path, exports: list[Path]) -> MergeReport:
    """Fold history exports into ``target`` (created if missing), in one transaction each.

    Raises:
        StoreError: the target is in use or an export cannot be read.
        InputError: an export is the target itself.
    """
    report = MergeReport()
    with HistoryStore(target) as store:
        own = store.box_id()
        for path in exports:
            if path.resolve() == target.resolve():
                raise InputError(f"{path} is the merge target itself")
            with _Readable(path) as conn, store.transaction() as out:
                _merge_one(conn, out, own, path, report)
    return report


class _Readable:
    """An export opened read-only, migrated in a temporary copy if it is older."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection:
        try:
            conn = db.connect(self.path, readonly=True)
            version = schema.user_version(conn)
        except (sqlite3.Error, StoreError) as exc:
            raise StoreError(f"{self.path} is not a history export: {exc}") from exc
        if version < schema.LATEST:
            conn.close()
            self._tmp = tempfile.TemporaryDirectory(prefix="edge-trainer-merge-")
            copy = Path(self._tmp.name) / "export.sqlite3"
            shutil.copyfile(self.path, copy)
            conn = sqlite3.connect(copy, isolation_level=None)
            db.migrate(conn, self.path)
            conn.row_factory = sqlite3.Row
        self._conn = conn
        return conn

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._tmp is not None:
            self._tmp.cleanup()


def _merge_one(
    src: sqlite3.Connection, out: sqlite3.Connection, own: str, path: Path, report: MergeReport
) -> None:
    box = db.box_id(src)
    if not box:
        raise StoreError(f"{path} has no box id")
    sessions: dict[int, int] = {}
    for row in src.execute("SELECT * FROM sessions ORDER BY id"):
        key = _key(row, box)
        sessions[row["id"]] = _session(out, row, key, own, report)
    for row in src.execute("SELECT * FROM sets ORDER BY id"):
        key = _key(row, box)
        if key[0] == own:
            report.unchanged += 1  # this file's own set, merged back: nothing new
            continue
        existing = out.execute(
            "SELECT id, status, wall_start, wall_end, summary FROM sets "
            "WHERE origin_box = ? AND origin_id = ?",
            key,
        ).fetchone()
        if existing is None:
            _copy_set(src, out, row, key, sessions[row["session_id"]])
            report.sets += 1
        elif abs(existing["wall_start"] - row["wall_start"]) > _SAME_START_S:
            report.conflicts.append(
                f"{path}: set {row['id']} of box {key[0]} is not the set merged before under "
                f"that key (started {_when(row['wall_start'])}, not "
                f"{_when(existing['wall_start'])}): kept the first; was this box's history "
                "copied from another box?"
            )
        elif _further(row, existing):
            out.execute("DELETE FROM reps WHERE set_id = ?", (existing["id"],))
            out.execute("DELETE FROM sets WHERE id = ?", (existing["id"],))
            _copy_set(src, out, row, key, sessions[row["session_id"]], set_id=existing["id"])
            report.updated += 1
        else:
            report.unchanged += 1


def _key(row: sqlite3.Row, box: str) -> tuple[str, int]:
    """Where a row was first recorded: its own origin if it was merged, else this box."""
    if row["origin_box"] is not None:
        return str(row["origin_box"]), int(row["origin_id"])
    return box, int(row["id"])


def _session(
    out: sqlite3.Connection, row: sqlite3.Row, key: tuple[str, int], own: str, report: MergeReport
) -> int:
    if key[0] == own:
        return key[1]
    found = out.execute(
        "SELECT id FROM sessions WHERE origin_box = ? AND origin_id = ?", key
    ).fetchone()
    if found is not None:
        out.execute(
            "UPDATE sessions SET ended_s = ?, wall_end = ?, end_reason = ? "
            "WHERE id = ? AND ? IS NOT NULL AND (ended_s IS NULL OR end_reason = 'interrupted')",
            (row["ended_s"], row["wall_end"], row["end_reason"], found["id"], row["ended_s"]),
        )
        return int(found["id"])
    cur = out.execute(
        "INSERT INTO sessions (started_s, ended_s, wall_start, wall_end, end_reason, "
        "origin_box, origin_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (row["started_s"], row["ended_s"], row["wall_start"], row["wall_end"],
         row["end_reason"], *key),
    )  # fmt: skip
    report.sessions += 1
    return int(cur.lastrowid or 0)


def _further(new: sqlite3.Row, old: sqlite3.Row) -> bool:
    """True when ``new`` is a later state of the set ``old`` holds."""

    def rank(r: sqlite3.Row) -> tuple[int, float, bool]:
        status = "interrupted" if r["status"] == "open" else r["status"]
        return (_STATUS_RANK.get(status, 0), r["wall_end"] or 0.0, r["summary"] is not None)

    return rank(new) > rank(old)


_SET_COLUMNS = (
    "exercise", "status", "started_s", "ended_s", "wall_start", "wall_end", "rep_count",
    "partial_count", "concentric_avg_s", "eccentric_avg_s", "pause_avg_s",
    "velocity_loss_pct", "tut_s", "faults_json", "summary", "summary_source",
    "discounted_count", "min_reps", "member_id",
)  # fmt: skip
_REP_COLUMNS = (
    "idx", "partial", "start_s", "end_s", "concentric_s", "eccentric_s", "pause_s",
    "velocity", "faults_json", "wall_time", "discounted", "discount_reason",
)  # fmt: skip


def _copy_set(
    src: sqlite3.Connection,
    out: sqlite3.Connection,
    row: sqlite3.Row,
    key: tuple[str, int],
    session_id: int,
    *,
    set_id: int | None = None,
) -> None:
    cols = ", ".join(_SET_COLUMNS)
    marks = ", ".join("?" for _ in range(len(_SET_COLUMNS) + 4))
    values = {c: row[c] for c in _SET_COLUMNS}
    if values["status"] == "open":
        # Still running on its box: here it is as far as it got (a later export brings
        # the rest); as 'open' this file's own crash recovery would close it as its own.
        values["status"] = "interrupted"
    cur = out.execute(
        f"INSERT INTO sets (id, session_id, {cols}, origin_box, origin_id) VALUES ({marks})",
        (set_id, session_id, *values.values(), *key),
    )
    new_id = cur.lastrowid
    rep_cols = ", ".join(_REP_COLUMNS)
    rep_marks = ", ".join("?" for _ in range(len(_REP_COLUMNS) + 2))
    for rep in src.execute("SELECT * FROM reps WHERE set_id = ? ORDER BY id", (row["id"],)):
        out.execute(
            f"INSERT INTO reps (set_id, session_id, {rep_cols}) VALUES ({rep_marks})",
            (new_id, session_id, *(rep[c] for c in _REP_COLUMNS)),
        )


def _when(wall: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(wall))
