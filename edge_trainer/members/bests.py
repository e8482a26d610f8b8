"""Personal bests and "last time": a member's new set against their earlier sets (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from edge_trainer.session.records import StoredSet

# Exercise labels that are no exercise: nobody holds a record in them.
_NOT_EXERCISES = frozenset({"", "unknown", "rest", "none"})
# Faster must be clearly faster: the tempo of the same set measured twice varies this much.
MIN_FASTER_S = 0.05


@dataclass(frozen=True, slots=True)
class Best:
    """A new personal best.

    Attributes:
        reps: Full reps of the set.
        faster: The best is the fastest mean lifting time at these reps, not more reps.
        previous_reps: The most reps before (0 for the first set of the exercise).
    """

    reps: int
    faster: bool = False
    previous_reps: int = 0


def new_best(
    exercise: str, reps: int, concentric_avg_s: float | None, earlier: Sequence[StoredSet]
) -> Best | None:
    """The personal best a set of ``reps`` sets against ``earlier`` sets, or None.

    A best is the most full reps of the exercise, or, at the most reps, the shortest
    mean lifting (concentric) time by at least ``MIN_FASTER_S``. The first set of an
    exercise is the first best: it is the most the member has done at this box.
    """
    if reps < 1 or exercise in _NOT_EXERCISES:
        return None
    counted = [s for s in earlier if s.rep_count > 0 and s.exercise == exercise]
    most = max((s.rep_count for s in counted), default=0)
    if reps > most:
        return Best(reps, previous_reps=most)
    if reps == most and concentric_avg_s is not None:
        times = [
            s.concentric_avg_s
            for s in counted
            if s.rep_count == reps and s.concentric_avg_s is not None
        ]
        if times and concentric_avg_s <= min(times) - MIN_FASTER_S:
            return Best(reps, faster=True, previous_reps=most)
    return None


def last_time(earlier: Sequence[StoredSet], session_id: int | None) -> StoredSet | None:
    """The member's latest set of the exercise in an earlier session, or None."""
    before = [s for s in earlier if s.session_id != session_id and s.rep_count > 0]
    return max(before, key=lambda s: (s.wall_start, s.id), default=None)


def bests(sets: Sequence[StoredSet]) -> dict[str, StoredSet]:
    """Each exercise's record set among ``sets``: most reps, then the fastest lifting."""
    out: dict[str, StoredSet] = {}
    for s in sets:
        if s.rep_count < 1 or s.exercise in _NOT_EXERCISES:
            continue
        held = out.get(s.exercise)
        if held is None or _rank(s) > _rank(held):
            out[s.exercise] = s
    return out


def _rank(s: StoredSet) -> tuple[int, float]:
    up = s.concentric_avg_s
    return (s.rep_count, -up if up is not None else float("-inf"))
