"""The frame loop: queue -> pose -> exercise -> events, on the inference thread."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from edge_trainer.bus import EventBus
from edge_trainer.camera.base import Frame
from edge_trainer.camera.queue import FrameQueue
from edge_trainer.events import Event
from edge_trainer.exercise.base import ExerciseAnalyzer
from edge_trainer.pose.base import Pose, PoseEstimator

log = logging.getLogger(__name__)

AnalyzerCall = Callable[[ExerciseAnalyzer, float], list[Event]]


@dataclass
class PipelineStats:
    """Counters of the frame loop, read by the status line and benchmarks."""

    frames: int = 0
    poses: int = 0
    last_t: float = 0.0
    pose_ms_total: float = 0.0
    started_wall: float = field(default_factory=time.monotonic)

    @property
    def pose_ms_per_frame(self) -> float | None:
        return self.pose_ms_total / self.frames if self.frames else None

    @property
    def fps(self) -> float:
        elapsed = time.monotonic() - self.started_wall
        return self.frames / elapsed if elapsed > 0 else 0.0


class Pipeline:
    """Pulls frames, estimates the pose, feeds the analyzer and publishes its events.

    Requests to the analyzer (end a set, fix the exercise) are queued with ``call`` and
    applied between frames.

    Args:
        frames: Where capture puts frames.
        pose: The pose estimator.
        analyzer: Turns poses into events.
        bus: Receives every event.
        on_frame: Called after each frame with its source time (watchdog pings, ticks).
        tap: Also sees each frame after it is processed (the card reader), and must
            return at once.
    """

    def __init__(
        self,
        frames: FrameQueue,
        pose: PoseEstimator,
        analyzer: ExerciseAnalyzer,
        bus: EventBus,
        on_frame: Callable[[float, Pose | None], None] | None = None,
        *,
        tap: Callable[[Frame], None] | None = None,
    ) -> None:
        self.frames = frames
        self.pose = pose
        self.analyzer = analyzer
        self.bus = bus
        self.on_frame = on_frame
        self.tap = tap
        self.stats = PipelineStats()
        self._calls: queue.SimpleQueue[AnalyzerCall] = queue.SimpleQueue()

    def call(self, fn: AnalyzerCall) -> None:
        """Queue ``fn(analyzer, t) -> events`` from any thread; run before the next frame.

        Buttons and the session ask the analyzer to end a set or change exercise this way,
        so the analyzer is only ever touched by this loop's thread, and a handler on the
        bus never re-enters the bus.
        """
        self._calls.put(fn)

    def swap_pose(self, pose: PoseEstimator) -> None:
        """Replace the pose estimator between frames (a model reload); the old one is closed."""
        self._calls.put(lambda analyzer, t: self._swap(pose))

    def run(self, stop: threading.Event, idle_timeout: float = 0.25) -> None:
        """Process frames until the queue is closed and empty, or ``stop`` is set."""
        while not stop.is_set():
            self._apply_calls()
            frame = self.frames.get(timeout=idle_timeout)
            if frame is None:
                if self.frames.closed and len(self.frames) == 0:
                    break
                continue
            started = time.perf_counter()
            pose = self.pose.estimate(frame.image, frame.t)
            self.stats.pose_ms_total += (time.perf_counter() - started) * 1000.0
            self.stats.frames += 1
            self.stats.last_t = frame.t
            if pose is not None:
                self.stats.poses += 1
            self.bus.publish_all(self.analyzer.update(pose, frame.t))
            if self.on_frame is not None:
                self.on_frame(frame.t, pose)
            if self.tap is not None:
                self.tap(frame)
        self._apply_calls()

    def finish(self, cut_short: bool = False, t: float | None = None) -> None:
        """End of stream (or shutdown, ``cut_short``): let the analyzer close its set.

        ``t`` is when the stream ended: by default its last frame's time.
        """
        end = self.stats.last_t if t is None else t
        self.bus.publish_all(self.analyzer.finish(end, cut_short))
        self._apply_calls()  # what the last set's end asked for (a personal best)

    def _apply_calls(self) -> None:
        while True:
            try:
                fn = self._calls.get_nowait()
            except queue.Empty:
                return
            self.bus.publish_all(fn(self.analyzer, self.stats.last_t))

    def _swap(self, pose: PoseEstimator) -> list[Event]:
        old, self.pose = self.pose, pose
        old.close()
        return []
