"""The cue queue both speakers drive: priority, supersession, staleness, mute, overflow."""

from __future__ import annotations

from edge_trainer.coach.cue_queue import MAX_QUEUED, CueQueue
from edge_trainer.coach.cues import Cue, Priority


def cue(text: str, prio: Priority = Priority.REP, t: float = 0.0, key: str = "") -> Cue:
    return Cue(text, int(prio), "rep", t, expiry_s=2.0, key=key)


def test_the_most_urgent_cue_goes_first_and_equals_in_arrival_order() -> None:
    q = CueQueue()
    for c in (cue("1"), cue("Hips up", Priority.FAULT), cue("2"), cue("Rest", Priority.REST)):
        assert q.push(c, 0.0) == []
    said = []
    while (item := q.pop(0.5)[0]) is not None:
        said.append(item.cue.text)
    assert said == ["Hips up", "1", "2", "Rest"]


def test_a_newer_cue_with_the_same_key_replaces_the_queued_one() -> None:
    q = CueQueue()
    q.push(cue("5", key="rep"), 0.0)
    dropped = q.push(cue("6", key="rep"), 0.4)
    assert [(d.item.cue.text, d.outcome) for d in dropped] == [("5", "superseded")]
    item, _ = q.pop(0.5)
    assert item is not None and item.cue.text == "6" and item.seq == 2


def test_a_cue_past_its_expiry_is_dropped_with_how_late_it_was() -> None:
    q = CueQueue()
    q.push(cue("old", Priority.FAULT), 0.0)
    q.push(cue("new"), 2.0)
    item, dropped = q.pop(2.5)
    assert item is not None and item.cue.text == "new"
    assert [(d.item.cue.text, d.outcome, round(d.late_s, 3)) for d in dropped] == [
        ("old", "stale", 0.5)
    ]


def test_a_cue_whose_event_has_not_happened_yet_waits() -> None:
    q = CueQueue()
    q.push(cue("later", Priority.FAULT), 3.0)
    q.push(cue("now"), 1.0)
    assert q.next_arrival() == 1.0
    item, _ = q.pop(1.5)
    assert item is not None and item.cue.text == "now"
    assert q.pop(2.0) == (None, [])
    item, _ = q.pop(3.0)
    assert item is not None and item.cue.text == "later"


def test_muting_drops_the_queue_and_every_cue_until_unmuted() -> None:
    q = CueQueue()
    q.push(cue("1"), 0.0)
    assert [d.outcome for d in q.set_muted(True)] == ["muted"]
    dropped = q.push(cue("2"), 0.1)
    assert [(d.outcome, d.item.seq) for d in dropped] == [("muted", 0)]
    assert len(q) == 0 and q.muted
    q.set_muted(False)
    q.push(cue("3"), 0.2)
    item, _ = q.pop(0.3)
    assert item is not None and item.cue.text == "3"


def test_a_full_queue_drops_the_least_urgent_and_oldest() -> None:
    q = CueQueue()
    for i in range(MAX_QUEUED):
        q.push(cue(str(i), Priority.REST if i < 2 else Priority.REP), float(i))
    dropped = q.push(cue("fault", Priority.FAULT), 20.0)
    assert [(d.item.cue.text, d.outcome) for d in dropped] == [("0", "overflow")]
    dropped = q.push(cue("info", Priority.INFO), 21.0)
    assert [(d.item.cue.text, d.outcome) for d in dropped] == [("info", "overflow")]
    assert len(q) == MAX_QUEUED
