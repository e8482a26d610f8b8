"""The cues waiting to be said: the most urgent first, a newer one replacing its older
namesake, none said after its expiry, none queued while muted.

Pure: no threads and no clock. Times come in as arguments, on whichever clock the
speaker keeps (wall seconds on the live box, source seconds when a clip is replayed), so
both speakers drive the same rules.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

from edge_trainer.coach.cues import Cue

# More cues than this waiting means they are stale anyway.
MAX_QUEUED = 16

Outcome = Literal["superseded", "overflow", "muted", "stale"]


@dataclass(frozen=True, slots=True)
class Queued:
    """A cue in the queue.

    Attributes:
        cue: What to say.
        origin: When the event behind it happened, on the queue's clock; its expiry and
            its latency count from here.
        seq: Its number, in order of arrival (0: dropped before it was numbered).
    """

    cue: Cue
    origin: float
    seq: int

    @property
    def expires(self) -> float:
        """The latest time it may still start."""
        return self.origin + self.cue.expiry_s


@dataclass(frozen=True, slots=True)
class Dropped:
    """A cue the queue let go without saying it, and why.

    Attributes:
        item: The cue.
        outcome: ``superseded`` (a newer cue with its key came), ``overflow`` (the queue
            was full and it was the least urgent), ``muted``, or ``stale`` (its expiry
            passed before it could start).
        late_s: For ``stale``: how far past its expiry it was.
    """

    item: Queued
    outcome: Outcome
    late_s: float = 0.0


class CueQueue:
    """Priority, supersession, staleness and mute for the cues of one speaker.

    Args:
        max_queued: Cues held at most; a full queue drops the least urgent (of equals
            the oldest, the first to go stale).
    """

    def __init__(self, max_queued: int = MAX_QUEUED) -> None:
        self.max_queued = max_queued
        self._items: list[Queued] = []
        self._seq = itertools.count(1)
        self._muted = False

    @property
    def muted(self) -> bool:
        """True while cues are dropped instead of queued."""
        return self._muted

    def __len__(self) -> int:
        return len(self._items)

    def set_muted(self, muted: bool) -> list[Dropped]:
        """Mute or unmute; muting also drops the cues already queued."""
        self._muted = muted
        if not muted:
            return []
        dropped = [Dropped(item, "muted") for item in self._items]
        self._items.clear()
        return dropped

    def clear(self) -> None:
        """Forget every queued cue (the speaker is closing)."""
        self._items.clear()

    def push(self, cue: Cue, origin: float) -> list[Dropped]:
        """Queue ``cue`` for the event at ``origin``; returns the cues this dropped."""
        if self._muted:
            return [Dropped(Queued(cue, origin, 0), "muted")]
        dropped = []
        if cue.key:
            dropped = [Dropped(i, "superseded") for i in self._items if i.cue.key == cue.key]
            self._items = [i for i in self._items if i.cue.key != cue.key]
        item = Queued(cue, origin, next(self._seq))
        if len(self._items) >= self.max_queued:
            low = min(i.cue.priority for i in self._items)
            victim = item
            if cue.priority >= low:
                victim = min((i for i in self._items if i.cue.priority == low), key=_urgency)
                self._items.remove(victim)
            dropped.append(Dropped(victim, "overflow"))
            if victim is item:
                return dropped
        self._items.append(item)
        return dropped

    def next_arrival(self) -> float | None:
        """The earliest event time among the queued cues (None when empty)."""
        return min((i.origin for i in self._items), default=None)

    def pop(self, now: float) -> tuple[Queued | None, list[Dropped]]:
        """The most urgent cue whose event has happened by ``now`` and that may still
        start at ``now``, taken off the queue (None if there is none), and the stale
        cues dropped on the way."""
        dropped: list[Dropped] = []
        while True:
            ready = [i for i in self._items if i.origin <= now]
            if not ready:
                return None, dropped
            item = min(ready, key=_urgency)
            self._items.remove(item)
            late = now - item.expires
            if late <= 0:
                return item, dropped
            dropped.append(Dropped(item, "stale", late))


def _urgency(item: Queued) -> tuple[int, int]:
    """Sort key: higher priority first, then the earlier arrival."""
    return (-item.cue.priority, item.seq)
