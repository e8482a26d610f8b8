"""The history database schema as an ordered list of migrations keyed by PRAGMA user_version."""

from __future__ import annotations

import logging
import secrets
import sqlite3
from collections.abc import Callable

log = logging.getLogger(__name__)

Migration = Callable[[sqlite3.Connection], None]


def _v1(conn: sqlite3.Connection) -> None:
    """Sessions, sets and reps: the layout of the first release."""
    # One statement at a time: executescript() would commit the migration's transaction.
    script = """
        CREATE TABLE sessions (
            id          INTEGER PRIMARY KEY,
            started_s   REAL NOT NULL,
            ended_s     REAL,
            wall_start  REAL NOT NULL,
            wall_end    REAL,
            end_reason  TEXT
        );
        CREATE TABLE sets (
            id                INTEGER PRIMARY KEY,
            session_id        INTEGER NOT NULL REFERENCES sessions(id),
            exercise          TEXT NOT NULL,
            status            TEXT NOT NULL CHECK (status IN ('open', 'done', 'interrupted')),
            started_s         REAL NOT NULL,
            ended_s           REAL,
            wall_start        REAL NOT NULL,
            wall_end          REAL,
            rep_count         INTEGER NOT NULL DEFAULT 0,
            partial_count     INTEGER NOT NULL DEFAULT 0,
            concentric_avg_s  REAL,
            eccentric_avg_s   REAL,
            pause_avg_s       REAL,
            velocity_loss_pct REAL,
            tut_s             REAL NOT NULL DEFAULT 0,
            faults_json       TEXT NOT NULL DEFAULT '{}',
            summary           TEXT
        );
        CREATE TABLE reps (
            id            INTEGER PRIMARY KEY,
            set_id        INTEGER NOT NULL REFERENCES sets(id),
            session_id    INTEGER NOT NULL REFERENCES sessions(id),
            idx           INTEGER NOT NULL,
            partial       INTEGER NOT NULL DEFAULT 0,
            start_s       REAL NOT NULL,
            end_s         REAL NOT NULL,
            concentric_s  REAL NOT NULL,
            eccentric_s   REAL NOT NULL,
            pause_s       REAL NOT NULL DEFAULT 0,
            velocity      REAL,
            faults_json   TEXT NOT NULL DEFAULT '[]',
            wall_time     REAL NOT NULL,
            UNIQUE (set_id, partial, idx)
        );
        CREATE INDEX reps_by_set ON reps(set_id);
        CREATE INDEX sets_by_session ON sets(session_id);
    """
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _v2(conn: sqlite3.Connection) -> None:
    """Record where a summary came from, and find earlier sets of an exercise quickly."""
    conn.execute("ALTER TABLE sets ADD COLUMN summary_source TEXT")
    conn.execute("UPDATE sets SET summary_source = 'unknown' WHERE summary IS NOT NULL")
    conn.execute("CREATE INDEX sets_by_exercise ON sets(exercise, id)")


def _v3(conn: sqlite3.Connection) -> None:
    """Keep every announced rep: a rep the end-of-set pass did not confirm is discounted.

    The reps table is rebuilt because its unique key gains ``discounted``: a discounted
    live rep keeps the number it was announced with, which a confirmed rep may now carry.
    """
    conn.execute(
        """CREATE TABLE reps_v3 (
            id              INTEGER PRIMARY KEY,
            set_id          INTEGER NOT NULL REFERENCES sets(id),
            session_id      INTEGER NOT NULL REFERENCES sessions(id),
            idx             INTEGER NOT NULL,
            partial         INTEGER NOT NULL DEFAULT 0,
            start_s         REAL NOT NULL,
            end_s           REAL NOT NULL,
            concentric_s    REAL NOT NULL,
            eccentric_s     REAL NOT NULL,
            pause_s         REAL NOT NULL DEFAULT 0,
            velocity        REAL,
            faults_json     TEXT NOT NULL DEFAULT '[]',
            wall_time       REAL NOT NULL,
            discounted      INTEGER NOT NULL DEFAULT 0,
            discount_reason TEXT,
            UNIQUE (set_id, partial, discounted, idx)
        )"""
    )
    conn.execute(
        "INSERT INTO reps_v3 (id, set_id, session_id, idx, partial, start_s, end_s, "
        "concentric_s, eccentric_s, pause_s, velocity, faults_json, wall_time) "
        "SELECT id, set_id, session_id, idx, partial, start_s, end_s, concentric_s, "
        "eccentric_s, pause_s, velocity, faults_json, wall_time FROM reps"
    )
    conn.execute("DROP TABLE reps")
    conn.execute("ALTER TABLE reps_v3 RENAME TO reps")
    conn.execute("CREATE INDEX reps_by_set ON reps(set_id)")
    conn.execute("ALTER TABLE sets ADD COLUMN discounted_count INTEGER NOT NULL DEFAULT 0")
    # Full reps the set needs to count (exercise.min_set_reps; 1 for a chosen exercise),
    # so a set closed after a crash follows the same rule as one that ended normally.
    conn.execute("ALTER TABLE sets ADD COLUMN min_reps INTEGER NOT NULL DEFAULT 1")


def _v4(conn: sqlite3.Connection) -> None:
    """Members and a fleet: each set's member, this file's box id, and where merged rows
    came from (their box and their id there), so a second merge adds nothing."""
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO meta (key, value) VALUES ('box_id', ?)", (secrets.token_hex(8),))
    conn.execute("ALTER TABLE sets ADD COLUMN member_id TEXT")
    for table in ("sessions", "sets"):
        conn.execute(f"ALTER TABLE {table} ADD COLUMN origin_box TEXT")
        conn.execute(f"ALTER TABLE {table} ADD COLUMN origin_id INTEGER")
        conn.execute(
            f"CREATE UNIQUE INDEX {table}_by_origin ON {table}(origin_box, origin_id) "
            "WHERE origin_box IS NOT NULL"
        )
    conn.execute("CREATE INDEX sets_by_member ON sets(member_id, exercise, id)")


# Append only: a released migration is never edited, so every older file upgrades the
# same way. The database's user_version is the number of migrations applied.
MIGRATIONS: tuple[Migration, ...] = (_v1, _v2, _v3, _v4)
LATEST = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the file (0 for a new, empty database)."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Apply the missing migrations up to ``target``, each in its own transaction.

    Returns:
        The version the file had before.

    Raises:
        ValueError: the file comes from a newer edge-trainer (version above ``LATEST``).
    """
    start = user_version(conn)
    if start > LATEST:
        raise ValueError(
            f"database schema version {start} is newer than this edge-trainer "
            f"understands ({LATEST}); upgrade edge-trainer"
        )
    for version in range(start, target):
        # DDL is transactional in SQLite: a crash mid-migration leaves the old version.
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        log.info("history database migrated to schema version %d", version + 1)
    return start
