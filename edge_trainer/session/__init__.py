"""The workout session: state machine, durable SQLite history, and the history command."""

from edge_trainer.session.machine import (
    Request,
    SessionBegan,
    SessionFinished,
    SessionMachine,
    SessionOutput,
    SessionState,
    SessionView,
    StateChanged,
)
from edge_trainer.session.records import SessionRow, StoredSet
from edge_trainer.session.store import HistoryReader, HistoryStore, StoreError, database_path
from edge_trainer.session.workout import WorkoutSession
from edge_trainer.session.writer import QueuedHistory

__all__ = [
    "HistoryReader",
    "HistoryStore",
    "QueuedHistory",
    "Request",
    "SessionBegan",
    "SessionFinished",
    "SessionMachine",
    "SessionOutput",
    "SessionRow",
    "SessionState",
    "SessionView",
    "StateChanged",
    "StoreError",
    "StoredSet",
    "WorkoutSession",
    "database_path",
]
