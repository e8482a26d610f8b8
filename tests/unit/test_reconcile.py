"""Matching announced reps to a set's final record: by time, each final rep once."""

from __future__ import annotations

import dataclasses

from edge_trainer.events import RepRecord
from edge_trainer.session.reconcile import reconcile


def rep(i: int, start: float, end: float, partial: bool = False) -> RepRecord:
    return RepRecord(i, start, end, 0.5, 0.5, partial=partial)


LIVE = [rep(1, 0, 2), rep(2, 2, 4), rep(3, 4, 6), rep(4, 6, 8)]


def test_all_confirmed_keeps_the_final_measurements() -> None:
    final = [dataclasses.replace(r, concentric_s=0.7) for r in LIVE]
    out = reconcile(LIVE, final)
    assert out.reps == tuple(final) and out.discounted == ()


def test_the_rep_dropped_is_found_by_time_not_by_number() -> None:
    final = [rep(1, 0.1, 2), rep(2, 4.1, 6), rep(3, 6, 7.9)]  # live rep 2 is gone
    out = reconcile(LIVE, final)
    assert [r.index for r in out.reps] == [1, 2, 3]
    assert [(r.index, r.start_s) for r, _ in out.discounted] == [(2, 2)]


def test_a_rep_made_partial_is_confirmed_as_a_partial() -> None:
    final = [rep(1, 0, 2), rep(2, 2, 4), rep(3, 6, 8)]
    out = reconcile(LIVE, final, [rep(1, 4, 6, partial=True)])
    assert out.discounted == () and [r.index for r in out.partials] == [1]


def test_fewer_than_min_reps_is_no_set_and_every_rep_says_why() -> None:
    out = reconcile(LIVE[:1], LIVE[:1], min_reps=2)
    assert out.reps == ()
    [(kept, why)] = out.discounted
    assert kept == LIVE[0] and "min_set_reps" in why
    out = reconcile(LIVE[:1], [], min_reps=2)
    assert [why for _, why in out.discounted] == [
        "fewer than 2 reps (exercise.min_set_reps): not counted as a set"
    ]
    out = reconcile(LIVE, [], min_reps=2)
    assert all("end-of-set pass" in why for _, why in out.discounted)


def test_an_instant_rep_inside_a_final_rep_is_confirmed() -> None:
    out = reconcile([rep(1, 3, 3)], [rep(1, 2, 4)])
    assert out.discounted == ()
