"""The composition root: builds real or emulated adapters from config, owns shutdown."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from edge_trainer.bus import EventBus
from edge_trainer.camera.base import FrameSource
from edge_trainer.camera.capture import CaptureWorker
from edge_trainer.camera.queue import FrameQueue
from edge_trainer.config import CameraConfig, Config
from edge_trainer.eventlog import EventLog
from edge_trainer.events import CameraLost, CameraRestored, Event
from edge_trainer.exercise.base import ExerciseAnalyzer
from edge_trainer.pipeline import Pipeline
from edge_trainer.pose.base import Pose, PoseEstimator
from edge_trainer.status import StatusLine

log = logging.getLogger(__name__)

Mode = Literal["run", "demo"]


def build_source(cam: CameraConfig, state_dir: Path, video: Path | None = None) -> FrameSource:
    """The frame source the config asks for; ``video`` overrides the configured path."""
    if video is not None or cam.source == "video":
        from edge_trainer.camera.video import VideoFileSource

        path = video or (Path(cam.path) if cam.path else None)
        if path is None:
            from edge_trainer.sim import demo_clip

            path = demo_clip(state_dir / "cache")
        return VideoFileSource(path)
    if cam.source == "usb":
        from edge_trainer.camera.usb import UsbCameraSource

        return UsbCameraSource(cam.device, cam.width, cam.height, cam.fps)
    if cam.source == "picamera2":
        from edge_trainer.camera.picam import PiCameraSource

        return PiCameraSource(cam.width, cam.height, cam.fps)
    from edge_trainer.sim import demo_source

    return demo_source(cam.fps)


@dataclass
class Closer:
    """Runs cleanup callbacks once, newest first, logging (not raising) failures."""

    steps: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    done: bool = False

    def add(self, name: str, fn: Callable[[], None]) -> None:
        self.steps.append((name, fn))

    def close(self) -> None:
        if self.done:
            return
        self.done = True
        for name, fn in reversed(self.steps):
            try:
                fn()
            except Exception:
                log.exception("closing %s failed", name)


class App:
    """The appliance: the same program for the Pi daemon and the emulator.

    Args:
        cfg: The configuration.
        mode: ``run`` (a live box: file input paced as a camera, frames dropped when late)
            or ``demo`` (the emulator on a clip: every frame processed, outputs to files).
        output_dir: Where emulated devices write; defaults to ``cfg.paths.output_dir``.
        video: A video file to play instead of the configured source.
    """

    def __init__(
        self,
        cfg: Config,
        mode: Mode = "run",
        *,
        output_dir: Path | None = None,
        video: Path | None = None,
        config_path: Path | None = None,
        status: StatusLine | None = None,
    ) -> None:
        self.cfg = cfg
        self.config_path = config_path
        self.mode = mode
        self.output_dir = Path(output_dir or cfg.paths.output_dir)
        self.state_dir = Path(cfg.paths.state_dir)
        self.models_dir = Path(cfg.paths.models_dir)
        self.video = video
        self.status = status or StatusLine(interval_s=cfg.service.status_interval_s)
        self.stop_event = threading.Event()
        self.bus = EventBus()
        self._closer = Closer()
        self.capture: CaptureWorker | None = None
        self.pipeline: Pipeline | None = None
        self.frames: FrameQueue | None = None
        self.event_log: EventLog | None = None
        self.events_seen = 0
        self.reps = 0

    # -- building ---------------------------------------------------------------------

    def build(self) -> None:
        """Create every component; raises EdgeTrainerError naming what is wrong."""
        cfg = self.cfg
        self.state_dir.mkdir(parents=True, exist_ok=True)
        source = build_source(cfg.camera, self.state_dir, self.video)
        live_run = self.mode == "run"
        self.frames = FrameQueue(cfg.camera.queue_size, lossless=not live_run)
        self.capture = CaptureWorker(
            source,
            self.frames,
            realtime=live_run and cfg.camera.realtime,
            backoff_s=cfg.camera.reopen_backoff_s,
            on_lost=lambda reason: self.bus.publish(CameraLost(t=self._now(), reason=reason)),
            on_restored=lambda: self.bus.publish(CameraRestored(t=self._now())),
        )
        self._closer.add("capture", self._stop_capture)

        pose = self._build_pose()
        self._closer.add("pose", pose.close)
        analyzer = self._build_analyzer()

        if self.mode == "demo":
            self.output_dir.mkdir(parents=True, exist_ok=True)
        log_path = (self.output_dir if self.mode == "demo" else self.state_dir) / "session.jsonl"
        self.event_log = EventLog(log_path)
        self._closer.add("event log", self.event_log.close)
        self.bus.subscribe(self.event_log, "event log")
        self.bus.subscribe(self._count, "counters")

        self.pipeline = Pipeline(self.frames, pose, analyzer, self.bus, on_frame=self._on_frame)

    def _build_pose(self) -> PoseEstimator:
        from edge_trainer.pose.blazepose import BlazePoseEstimator

        return BlazePoseEstimator.from_store(self.models_dir, self.cfg.pose)

    def _build_analyzer(self) -> ExerciseAnalyzer:
        from edge_trainer.exercise.analyzer import build_analyzer

        return build_analyzer(self.cfg.exercise, self.models_dir)

    # -- running ----------------------------------------------------------------------

    def run(self) -> int:
        """Build, run until the source ends or a stop is requested, shut down in order."""
        try:
            self.build()
            assert self.capture is not None and self.pipeline is not None
            self.capture.start()
            worker = threading.Thread(target=self._inference, name="inference", daemon=True)
            worker.start()
            while worker.is_alive():
                worker.join(timeout=0.2)
                self._tick()
            self.status.done()
            if self.capture.error is not None:
                raise self.capture.error
            return 0
        finally:
            self.close()

    def _inference(self) -> None:
        assert self.pipeline is not None
        try:
            self.pipeline.run(self.stop_event)
            self.pipeline.finish()
        except Exception:
            log.exception("inference loop failed")
            self.stop_event.set()
            raise

    def request_stop(self) -> None:
        """Ask the app to stop after the current frame (signal handlers call this)."""
        self.stop_event.set()
        if self.capture is not None:
            self.capture.stop()

    def close(self) -> None:
        """Ordered shutdown; safe to call more than once."""
        self.stop_event.set()
        self._closer.close()

    def _stop_capture(self) -> None:
        if self.capture is not None:
            self.capture.stop()
            self.capture.join(timeout=5.0)

    def report(self) -> list[str]:
        """What the run produced and where it is, for the end of ``demo``."""
        lines = [f"Output folder: {self.output_dir.resolve()}"]
        if self.event_log is not None:
            lines.append(f"  session log:  {self.event_log.path} ({self.event_log.count} events)")
        if self.pipeline is not None:
            s = self.pipeline.stats
            ms = s.pose_ms_per_frame
            lines.append(
                f"  frames: {s.frames}, person found in {s.poses}, "
                f"pose {'-' if ms is None else f'{ms:.1f} ms'}/frame, reps: {self.reps}"
            )
        return lines

    # -- callbacks --------------------------------------------------------------------

    def _now(self) -> float:
        return self.pipeline.stats.last_t if self.pipeline else 0.0

    def _count(self, event: Event) -> None:
        from edge_trainer.events import RepCompleted

        self.events_seen += 1
        if isinstance(event, RepCompleted):
            self.reps += 1

    def _on_frame(self, t: float, pose: Pose | None) -> None:
        pass

    def _tick(self) -> None:
        if self.pipeline is None or self.frames is None:
            return
        s = self.pipeline.stats
        ms = s.pose_ms_per_frame
        self.status.update(
            f"t={s.last_t:6.1f}s frames={s.frames} fps={s.fps:4.1f} "
            f"pose={'-' if ms is None else f'{ms:.0f}ms'} dropped={self.frames.dropped} "
            f"person={'yes' if s.poses and s.frames else 'no'} reps={self.reps}"
        )
