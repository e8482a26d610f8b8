"""The frame queue drops the oldest frame when live and loses none when lossless."""

from __future__ import annotations

import threading

import numpy as np

from edge_trainer.camera.base import Frame
from edge_trainer.camera.queue import FrameQueue


def frame(i: int) -> Frame:
    return Frame(image=np.zeros((2, 2, 3), np.uint8), t=i / 30, index=i)


def test_live_queue_drops_oldest_and_counts() -> None:
    q = FrameQueue(2)
    for i in range(5):
        q.put(frame(i))
    assert q.dropped == 3
    got = [q.get(0).index, q.get(0).index]  # type: ignore[union-attr]
    assert got == [3, 4]
    assert q.get(timeout=0.01) is None


def test_lossless_queue_waits_for_room() -> None:
    q = FrameQueue(1, lossless=True)
    received: list[int] = []

    def consume() -> None:
        while (f := q.get(timeout=2)) is not None:
            received.append(f.index)

    t = threading.Thread(target=consume)
    t.start()
    for i in range(50):
        q.put(frame(i))
    q.close()
    t.join(5)
    assert received == list(range(50))
    assert q.dropped == 0


def test_close_wakes_a_waiting_reader() -> None:
    q = FrameQueue(1)
    result: list[object] = []
    t = threading.Thread(target=lambda: result.append(q.get(timeout=5)))
    t.start()
    q.close()
    t.join(2)
    assert result == [None]
