"""Matching a set's announced (live) reps to its final record: which are kept, which discounted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from edge_trainer.events import RepRecord


@dataclass(frozen=True, slots=True)
class Reconciled:
    """A set's reps once its final record is in.

    Attributes:
        reps: The final full reps (the set's count).
        partials: The final partial reps.
        discounted: Announced reps the final record does not confirm, each with why.
    """

    reps: tuple[RepRecord, ...]
    partials: tuple[RepRecord, ...]
    discounted: tuple[tuple[RepRecord, str], ...]


def _overlap(a: RepRecord, b: RepRecord) -> float:
    return min(a.end_s, b.end_s) - max(a.start_s, b.start_s)


def reconcile(
    live: Sequence[RepRecord],
    final_reps: Sequence[RepRecord],
    final_partials: Sequence[RepRecord] = (),
    *,
    min_reps: int = 1,
) -> Reconciled:
    """Keep every announced rep: confirmed ones take the final measurement, others are
    discounted with a reason.

    A live rep is confirmed by the final rep whose time span overlaps it most (each final
    rep confirms at most one live rep), whether the final pass calls it full or partial.
    Matching by time, not by number, names the rep the final pass really dropped when it
    renumbered the others. A set with fewer than ``min_reps`` full reps is no set: its
    reps all go to ``discounted``.

    Args:
        live: Reps as they were stored while the set ran (full and partial).
        final_reps: The end-of-set pass's full reps.
        final_partials: Its partial reps.
        min_reps: Full reps a set needs to count (``exercise.min_set_reps``).
    """
    finals = [*final_reps, *final_partials]
    taken: set[int] = set()
    discounted: list[tuple[RepRecord, str]] = []
    for rep in sorted(live, key=lambda r: r.start_s):
        # Reps follow each other end to start, so spans that only touch are neighbours,
        # not the same rep; only a rep recorded as an instant matches by touching.
        instant = rep.end_s <= rep.start_s
        best, best_overlap = None, 0.0
        for i, fin in enumerate(finals):
            ov = _overlap(rep, fin)
            if i in taken or ov < 0.0 or (ov == 0.0 and not instant):
                continue
            if best is None or ov > best_overlap:
                best, best_overlap = i, ov
        if best is None:
            discounted.append((rep, f"not confirmed by the end-of-set pass ({len(final_reps)})"))
        else:
            taken.add(best)
    reps = tuple(r for r in final_reps if not r.partial)
    partials = tuple(final_partials) + tuple(r for r in final_reps if r.partial)
    if reps and len(reps) < min_reps:
        why = f"fewer than {min_reps} reps (exercise.min_set_reps): not counted as a set"
        discounted.extend((r, why) for r in reps)
        reps = ()
    elif not reps and sum(not r.partial for r in live) < min_reps:
        # The end-of-set pass applies the same rule: say so rather than "not confirmed".
        why = f"fewer than {min_reps} reps (exercise.min_set_reps): not counted as a set"
        discounted = [(r, why) for r, _ in discounted]
    return Reconciled(reps, partials, tuple(discounted))
