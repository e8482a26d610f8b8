"""The composition root: builds real or emulated adapters from config, owns shutdown."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from edge_trainer import config as config_mod
from edge_trainer.bus import EventBus
from edge_trainer.camera.base import Frame, FrameSource
from edge_trainer.camera.capture import CaptureWorker
from edge_trainer.camera.queue import FrameQueue
from edge_trainer.config import CameraConfig, Config, replace
from edge_trainer.errors import ConfigError, DependencyError, DeviceError, EdgeTrainerError
from edge_trainer.eventlog import EventLog
from edge_trainer.events import CameraLost, CameraRestored, Event, RepCompleted
from edge_trainer.exercise import catalogue
from edge_trainer.exercise.analyzer import Analyzer
from edge_trainer.exercise.base import ExerciseAnalyzer
from edge_trainer.lifecycle import Closer
from edge_trainer.members.registry import members_path
from edge_trainer.outputs import Outputs
from edge_trainer.pipeline import Pipeline
from edge_trainer.pose.base import Pose, PoseEstimator
from edge_trainer.service.health import HealthReporter
from edge_trainer.service.runtime import ServiceRuntime
from edge_trainer.session import Request, SessionState
from edge_trainer.status import StatusLine

if TYPE_CHECKING:
    from edge_trainer.members.signin import CardReader

log = logging.getLogger(__name__)

Mode = Literal["run", "demo"]
T = TypeVar("T")

HOUSEKEEPING_S = 10.0  # seconds between disk-space checks and emulator-output pruning


@dataclass(frozen=True)
class _Staged:
    """A reloaded config and its models, waiting for the set in progress to end."""

    cfg: Config
    pose: PoseEstimator
    analyzer: ExerciseAnalyzer
    manifest_id: str


def build_source(
    cam: CameraConfig, cache_dir: Path, video: Path | None = None, fps: float | None = None
) -> FrameSource:
    """The frame source the config asks for; ``video`` overrides the configured path, and
    ``fps`` the frame rate a video file states."""
    if video is not None or cam.source == "video":
        from edge_trainer.camera.video import VideoFileSource

        path = video or (Path(cam.path) if cam.path else None)
        if path is None:
            from edge_trainer.sim import demo_clip

            path = demo_clip(cache_dir)
        return VideoFileSource(path, fps_override=fps)
    if cam.source == "usb":
        from edge_trainer.camera.usb import UsbCameraSource

        return UsbCameraSource(cam.device, cam.width, cam.height, cam.fps)
    if cam.source == "picamera2":
        from edge_trainer.camera.picam import PiCameraSource

        return PiCameraSource(cam.width, cam.height, cam.fps)
    from edge_trainer.sim import demo_source

    return demo_source(cam.fps)


def build_pose(cfg: Config) -> PoseEstimator:
    """BlazePose on LiteRT from the model store, hashes verified."""
    from edge_trainer.pose.blazepose import BlazePoseEstimator

    return BlazePoseEstimator.from_store(Path(cfg.paths.models_dir), cfg.pose)


def build_analyzer(cfg: Config) -> Analyzer:
    """The exercise stage, with the classifier when the model store has one."""
    from edge_trainer.errors import ModelError
    from edge_trainer.exercise.recognition import ExerciseRecognizer

    recognizer = None
    if cfg.exercise.exercise == "auto":
        try:
            recognizer = ExerciseRecognizer.from_store(Path(cfg.paths.models_dir))
        except ModelError as exc:
            log.warning("exercise recognition is off (%s); sets are counted as 'unknown'", exc)
    return Analyzer(cfg.exercise, recognizer)


def run_recording(
    source: FrameSource,
    pose: PoseEstimator,
    analyzer: ExerciseAnalyzer,
    on_frame: Callable[[float, Pose | None], None] | None = None,
) -> tuple[Pipeline, list[Event]]:
    """Play a recorded clip through the frame loop to its end; every event it caused.

    The live box's capture thread, queue and pipeline, with the queue lossless: a
    recording is analysed whole, so no frame is dropped.

    Raises:
        EdgeTrainerError: the source failed (a truncated video), once its frames were used.
    """
    events: list[Event] = []
    bus = EventBus()
    bus.subscribe(events.append, "recording")
    frames = FrameQueue(lossless=True)
    capture = CaptureWorker(source, frames)
    pipeline = Pipeline(frames, pose, analyzer, bus, on_frame=on_frame)
    capture.start()
    try:
        pipeline.run(threading.Event())
    finally:
        capture.stop()
        capture.join()
    if capture.error is not None:
        raise capture.error
    # The clip ends when its last frame does, one frame time after that frame starts.
    pipeline.finish(t=pipeline.stats.last_t + 1.0 / source.fps)
    return pipeline, events


class App:
    """The appliance: the same program for the Pi daemon and the emulator.

    Args:
        cfg: The configuration.
        mode: ``run`` (a live box: a file is paced like a camera, late frames dropped,
            signals and systemd handled) or ``demo`` (the emulator on a clip: every frame
            processed, speech timed on the clip's clock, outputs written to files).
        output_dir: Where emulated devices write; defaults to ``cfg.paths.output_dir``.
        video: A video file to play instead of the configured source.
        config_path: The file ``cfg`` came from, re-read on SIGHUP.
        source: A frame source to use instead of building one from the config.
    """

    def __init__(
        self,
        cfg: Config,
        mode: Mode = "run",
        *,
        output_dir: Path | None = None,
        video: Path | None = None,
        config_path: Path | None = None,
        source: FrameSource | None = None,
        status: StatusLine | None = None,
    ) -> None:
        self.cfg = cfg
        self.mode = mode
        self.config_path = config_path
        self.output_dir = Path(output_dir or cfg.paths.output_dir)
        self.state_dir = Path(cfg.paths.state_dir)
        self.video = video
        self.source = source
        self.status = status or StatusLine(interval_s=cfg.service.status_interval_s)
        self.runtime = ServiceRuntime(cfg.service)
        self.stop_event = threading.Event()
        self.bus = EventBus()
        self._closer = Closer()
        self.capture: CaptureWorker | None = None
        self.pipeline: Pipeline | None = None
        self.frames: FrameQueue | None = None
        self.outputs: Outputs | None = None
        self.event_log: EventLog | None = None
        self.reps = 0
        self.card_reader: CardReader | None = None
        self.manifest_id = ""
        self.health = HealthReporter(
            self.state_dir,
            self._loaded_manifest_id,
            lambda text: self.runtime.status(text, force=True),
            enabled=mode == "run",
        )
        self._staged: _Staged | None = None
        self._staged_lock = threading.Lock()
        self._next_housekeeping = 0.0

    # -- building ---------------------------------------------------------------------

    def build(self) -> None:
        """Create every component; raises EdgeTrainerError naming what is wrong."""
        cfg = self.cfg
        out_dir = self.output_dir if self.mode == "demo" else self.state_dir
        for key, folder in (("paths.state_dir", self.state_dir), ("paths.output_dir", out_dir)):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    [(key, f"cannot create {folder}: {exc.strerror or exc}")], "config"
                ) from exc
        self.health.check_disk(self.cfg.service.min_free_mb)

        source = self.source or build_source(cfg.camera, self.state_dir / "cache", self.video)
        live = self.mode == "run"
        self.frames = FrameQueue(cfg.camera.queue_size, lossless=not live)
        self.capture = CaptureWorker(
            source,
            self.frames,
            realtime=live and cfg.camera.realtime,
            backoff_s=cfg.camera.reopen_backoff_s,
            on_lost=lambda reason: self._camera_event(CameraLost(t=self._now(), reason=reason)),
            on_restored=lambda: self._camera_event(CameraRestored(t=self._now())),
        )
        self._closer.add("capture", self._stop_capture)

        pose = build_pose(cfg)
        self._closer.add("pose", lambda: self.pipeline.pose.close() if self.pipeline else None)
        analyzer = build_analyzer(cfg)
        self.manifest_id = self._manifest_id()

        self.event_log = EventLog(out_dir / "session.jsonl")
        self._closer.add("event log", self.event_log.close)
        # Order matters: the session (and its history store) sees each event before the
        # outputs speak it, so an announced rep is already on disk.
        self.outputs = self._build_outputs(out_dir)
        self.bus.subscribe(self.outputs.on_event, "outputs")
        self.bus.subscribe(self.event_log, "event log")
        self.bus.subscribe(self._count, "counters")
        self.card_reader = self._build_card_reader(self.outputs)
        self.pipeline = Pipeline(
            self.frames, pose, analyzer, self.bus, on_frame=self._on_frame, tap=self._tap
        )

    def _build_outputs(self, out_dir: Path) -> Outputs:
        from edge_trainer.coach.cues import CuePolicy, CueSettings
        from edge_trainer.coach.summary import summarize_set
        from edge_trainer.coach.worker import SummaryService
        from edge_trainer.hw.buttons import build_buttons
        from edge_trainer.hw.display import build_display
        from edge_trainer.hw.speech import build_speech
        from edge_trainer.session import SessionMachine, WorkoutSession, database_path
        from edge_trainer.session.store import open_history

        cfg = self.cfg
        store, moved = open_history(database_path(self.state_dir, cfg.session.database))
        self._closer.add("history store", store.close)
        session = WorkoutSession(
            SessionMachine(
                cfg.session.absence_end_s,
                cfg.session.rest_target_s,
                catalogue.names(),
                summarize=summarize_set,
            ),
            store,
            min_set_reps=_min_set_reps(cfg),
            on_health=self._store_health,
        )
        self._closer.add("session", lambda: self._close_session(session))
        summaries = SummaryService(
            cfg.llm,
            cfg.paths.models_dir,
            cfg.service.max_worker_restarts_per_min,
            frame_threads=cfg.pose.threads,
        )
        outputs = Outputs(
            session=session,
            policy=CuePolicy(CueSettings.from_config(cfg)),
            speech=build_speech(
                cfg.speech, out_dir, clock="source" if self.mode == "demo" else "wall"
            ),
            display=self._optional(
                "display",
                lambda: build_display(cfg.display, out_dir),
                lambda: build_display(replace(cfg.display, kind="none"), out_dir),
            ),
            buttons=self._optional(
                "buttons",
                lambda: build_buttons(cfg.buttons),
                lambda: build_buttons(replace(cfg.buttons, kind="none")),
            ),
            summaries=summaries,
            rest_target_s=cfg.session.rest_target_s,
            publish=self.bus.publish,
            request=self._session_request,
            capture_time=self._capture_time,
            defer=self._defer,
        )
        self._closer.add("outputs", outputs.close)
        if moved is not None:
            outputs.notice("History reset", "Damaged file moved aside", 0.0)
        return outputs

    def _build_card_reader(self, outputs: Outputs) -> CardReader | None:
        """Member cards are looked for between sets, unless turned off."""
        if not self.cfg.members.enabled:
            return None
        from edge_trainer.members.signin import CardReader

        reader = CardReader(
            members_path(self.state_dir, self.cfg.members.file),
            self.cfg.members.scan_every,
            self._defer,
            inline=self.mode == "demo",
            on_removed=outputs.session.anonymise,
        )
        self._closer.add("card reader", reader.close)
        return reader

    def _optional(self, name: str, build: Callable[[], T], fallback: Callable[[], T]) -> T:
        """Build a device the box can work without; if it fails, say so and go on."""
        try:
            return build()
        except (DeviceError, DependencyError) as exc:
            log.error("%s unavailable, running without it: %s", name, exc)
            return fallback()

    # -- running ----------------------------------------------------------------------

    def run(self) -> int:
        """Build, run until the source ends or a stop is requested, shut down in order."""
        if self.mode == "run":
            self.runtime.install_signals()
        try:
            self.build()
            assert self.capture is not None and self.pipeline is not None
            assert self.outputs is not None
            if self.outputs.summaries is not None:
                self.outputs.summaries.start()
            self.capture.start()
            self._mark_healthy()
            self.runtime.ready(f"camera and models up; models {self.manifest_id or '-'}")
            worker = threading.Thread(target=self._inference, name="inference", daemon=True)
            worker.start()
            while worker.is_alive():
                if self.runtime.signals.wait(0.2):
                    self.request_stop()
                if self.runtime.signals.take_reload():
                    self.reload()
                self._tick()
            self.status.done()
            self.runtime.stopping()
            if self.mode == "demo":
                self.outputs.wait_for_summaries(self.cfg.llm.max_seconds + 5.0)
            if self.capture.error is not None and not self.stop_event.is_set():
                raise self.capture.error
            return 0
        finally:
            self.close()

    def _inference(self) -> None:
        assert self.pipeline is not None
        try:
            self.pipeline.run(self.stop_event)
        except Exception:
            log.exception("inference loop failed")
        finally:
            # The open set is closed and recorded even when the loop failed or was stopped.
            try:
                self.pipeline.finish(cut_short=self.stop_event.is_set())
            except Exception:
                log.exception("closing the last set failed")

    def request_stop(self) -> None:
        """Ask the app to stop after the current frame (signal handlers call this)."""
        self.stop_event.set()
        if self.capture is not None:
            self.capture.stop()

    def reload(self) -> None:
        """SIGHUP: re-read the config and the models; keep the old ones when they are bad.

        The new config and models are loaded here (main thread) and put to use between
        sets: a set in progress keeps its analyzer, so a reload never costs a rep. Any
        failure, of any kind, keeps what runs and says why (journal and health file).
        """
        self.runtime.reloading()
        from edge_trainer.models.health import write_health

        try:
            cfg = (
                config_mod.load(self.config_path, catalogue.names())
                if self.config_path
                else self.cfg
            )
            pose = build_pose(cfg)
            try:
                analyzer = build_analyzer(cfg)
            except BaseException:
                pose.close()
                raise
        except Exception as exc:  # any failure keeps the running config and models
            why = str(exc) if isinstance(exc, EdgeTrainerError) else f"{type(exc).__name__}: {exc}"
            log.error("reload failed, still running the previous config and models: %s", why)
            try:
                write_health(self.state_dir, self.manifest_id, "error", why)
            except OSError as err:
                log.error("cannot write the health file: %s", err)
            self.runtime.ready("reload failed; previous config kept")
            return
        staged = _Staged(cfg, pose, analyzer, self._manifest_id(cfg))
        with self._staged_lock:
            old, self._staged = self._staged, staged
        if old is not None:
            old.pose.close()  # a second reload before the first was used replaces it
        if self.pipeline is None:  # nothing runs yet: nothing to wait for
            with self._staged_lock:
                self._staged = None
            self._apply(staged)
        log.info("reloaded config and models %s; in use from the next set", staged.manifest_id)
        # Loaded and checked: that is what an install waits for, even if a set is still on.
        self.health.write()
        self.runtime.ready(f"reloaded; models {staged.manifest_id}")

    def _take_staged(self) -> None:
        """On the frame thread: put a staged reload to use if no set is in progress."""
        if self._staged is None or self.pipeline is None:
            return
        if self.outputs is not None and self.outputs.session.view.state is SessionState.SET_ACTIVE:
            return
        with self._staged_lock:
            staged, self._staged = self._staged, None
        if staged is not None:
            self.pipeline.call(lambda _analyzer, _t: self._apply(staged))

    def _apply(self, staged: _Staged) -> list[Event]:
        events: list[Event] = []
        if self.pipeline is not None:
            # Between sets; whatever the old analyzer still holds is closed normally.
            events = self.pipeline.analyzer.finish(self.pipeline.stats.last_t)
            old, self.pipeline.pose = self.pipeline.pose, staged.pose
            old.close()
            self.pipeline.analyzer = staged.analyzer
        if self.outputs is not None:
            self.outputs.session.min_set_reps = _min_set_reps(staged.cfg)
        self.cfg = staged.cfg
        self.manifest_id = staged.manifest_id
        log.info("now running config and models %s", staged.manifest_id)
        self.health.write()
        return events

    def close(self) -> None:
        """Ordered shutdown; safe to call more than once."""
        self.stop_event.set()
        with self._staged_lock:
            staged, self._staged = self._staged, None
        if staged is not None:
            staged.pose.close()
        closed_before = self._closer.done
        self._closer.close()
        if self.mode == "demo" and not closed_before and (self.output_dir / "oled").is_dir():
            from edge_trainer.hw.display import write_gif

            try:
                write_gif(self.output_dir / "oled", self.output_dir / "session.gif")
            except (OSError, ValueError) as exc:
                log.warning("could not write the OLED GIF: %s", exc)
        if self.mode == "run":
            from edge_trainer.models.health import remove_pid_file

            remove_pid_file(self.state_dir)
        self.runtime.close()

    def _stop_capture(self) -> None:
        if self.capture is not None:
            self.capture.stop()
            self.capture.join(timeout=5.0)

    def _close_session(self, session: object) -> None:
        from edge_trainer.session import WorkoutSession

        assert isinstance(session, WorkoutSession)
        session.close(self._now())

    # -- callbacks --------------------------------------------------------------------

    def _now(self) -> float:
        return self.pipeline.stats.last_t if self.pipeline else 0.0

    def _camera_event(self, event: Event) -> None:
        # Capture runs on its own thread; the session is touched only from the frame
        # thread, so camera events enter the pipeline like any other request.
        self._defer(event)

    def _defer(self, event: Event) -> None:
        """Publish ``event`` on the bus from the frame thread, before the next frame."""
        if self.pipeline is not None:
            self.pipeline.call(lambda _analyzer, _t: [event])

    def _tap(self, frame: Frame) -> None:
        if self.card_reader is not None and self.outputs is not None:
            self.card_reader.offer(frame, self.outputs.session.view.state)

    def _capture_time(self, t: float) -> float | None:
        return self.capture.wall_time(t) if self.capture is not None else None

    def _session_request(self, req: Request) -> None:
        if self.pipeline is None:
            return
        if req.action == "end_set":
            self.pipeline.call(lambda analyzer, t: analyzer.end_set(t))
        elif req.action == "set_exercise":
            self.pipeline.call(lambda analyzer, t: analyzer.set_exercise(req.exercise, t))

    def _count(self, event: Event) -> None:
        if isinstance(event, RepCompleted):
            self.reps += 1

    def _on_frame(self, t: float, pose: Pose | None) -> None:
        self.runtime.frame()
        if self.outputs is not None:
            self.outputs.on_frame(t)
        self._take_staged()

    def _tick(self) -> None:
        if time.monotonic() >= self._next_housekeeping:
            self._next_housekeeping = time.monotonic() + HOUSEKEEPING_S
            self.health.check_disk(self.cfg.service.min_free_mb)
            self._prune_emulator_output()
        if self.pipeline is None or self.frames is None:
            return
        s = self.pipeline.stats
        ms = s.pose_ms_per_frame
        state = self.outputs.session.view.state.value if self.outputs else "-"
        line = (
            f"t={s.last_t:6.1f}s fps={s.fps:4.1f} pose={'-' if ms is None else f'{ms:.0f}ms'} "
            f"dropped={self.frames.dropped} state={state} reps={self.reps}"
        )
        self.status.update(line)
        self.runtime.status(line)

    def _manifest_id(self, cfg: Config | None = None) -> str:
        from edge_trainer.models.store import current_manifest

        try:
            manifest = current_manifest(Path((cfg or self.cfg).paths.models_dir))
        except EdgeTrainerError:
            return ""
        if manifest is None:
            return ""
        hashes = ", ".join(f"{m.role}={m.sha256[:12]}" for m in manifest.models.values())
        log.info("models %s loaded: %s", manifest.id, hashes)
        return manifest.id

    # -- health -----------------------------------------------------------------------

    def _mark_healthy(self) -> None:
        if self.mode != "run":
            return
        from edge_trainer.models.health import write_pid_file

        write_pid_file(self.state_dir)
        self.health.write()

    def _loaded_manifest_id(self) -> str:
        # A reloaded set waiting for the set in progress to end counts as loaded, so an
        # install is not rolled back for a long set.
        staged = self._staged
        return staged.manifest_id if staged is not None else self.manifest_id

    def _store_health(self, ok: bool, detail: str) -> None:
        self.health.problem("history", None if ok else detail)

    def _prune_emulator_output(self) -> None:
        """In run mode, emulated devices keep a bounded window of files; demo keeps all."""
        if self.mode != "run":
            return
        from edge_trainer.hw.emulator_files import prune_outputs

        svc = self.cfg.service
        prune_outputs(self.state_dir, svc.emulator_keep_files, svc.emulator_keep_mb)


def _min_set_reps(cfg: Config) -> int:
    """Full reps a set needs: ``exercise.min_set_reps``, or one for a chosen exercise."""
    return cfg.exercise.min_set_reps if cfg.exercise.exercise == "auto" else 1
