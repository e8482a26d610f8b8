"""One typed, immutable configuration, loaded from TOML with every unknown key rejected.

Each section is a frozen dataclass; each field is declared with ``setting(default, doc)``
so its meaning lives where it is defined. With no file at all the defaults run the
emulated appliance (video file in, PNG/WAV out), so ``edge-trainer demo`` needs nothing.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

from edge_trainer.errors import ConfigError, InputError
from edge_trainer.inputs import regular_file

T = TypeVar("T")

DEFAULT_CONFIG_PATH = Path("/etc/edge-trainer/config.toml")
CONFIG_ENV = "EDGE_TRAINER_CONFIG"


MAX_CONFIG_BYTES = 1 << 20  # a config file is a few kB; anything this big is not one
# Where the box's state may never go: kernel and device file systems.
FORBIDDEN_ROOTS = (Path("/proc"), Path("/sys"), Path("/dev"))
NAME_MAX = 255
_VOICE = re.compile(r"[A-Za-z0-9_+./-]{1,64}")
_ALSA_DEVICE = re.compile(r"[A-Za-z0-9_:,.=-]{0,64}")


_PACKAGE_PARENT = Path(__file__).resolve().parents[1]


def default_state_dir(checkout: Path = _PACKAGE_PARENT) -> Path:
    """The state folder (database, logs, model store) when the config names none.

    Under systemd, the service's own (``$STATE_DIRECTORY``: /var/lib/edge-trainer). Run
    from a source checkout (``make``, its ``.venv``), the checkout's ``var/``, wherever the
    command is started, so each checkout keeps its own models. Otherwise the user's data
    folder (platformdirs: ``~/.local/share/edge-trainer`` on Linux).

    Args:
        checkout: The folder above the package: a checkout when it holds pyproject.toml
            and models/ (an installed package sits in site-packages instead).
    """
    service = os.environ.get("STATE_DIRECTORY", "")
    if service:
        return Path(service.split(":")[0])
    if (checkout / "pyproject.toml").is_file() and (checkout / "models").is_dir():
        return checkout / "var"
    import platformdirs

    return Path(platformdirs.user_data_dir("edge-trainer", appauthor=False))


_STATE_DIR = default_state_dir()


def setting(default: Any, doc: str, *, limits: tuple[float, float] | None = None) -> Any:
    """Declare a config field with its default, its one-line documentation and, for a
    number (or a list of numbers), the lowest and highest value it may take."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("use tuples for sequence defaults so the config stays immutable")
    metadata: dict[str, Any] = {"doc": doc}
    if limits is not None:
        metadata["limits"] = limits
    return field(default=default, metadata=metadata)


@dataclass(frozen=True, slots=True)
class CameraConfig:
    """Where frames come from."""

    source: Literal["video", "usb", "picamera2", "synthetic"] = setting(
        "video", "frame source: a video file, a USB camera, the Pi camera, or synthetic frames"
    )
    path: str = setting("", "video file for source='video'; empty means the built-in demo clip")
    device: int = setting(0, "USB camera index for source='usb' (/dev/videoN)", limits=(0, 63))
    width: int = setting(640, "capture width in pixels (live cameras)", limits=(16, 4096))
    height: int = setting(480, "capture height in pixels (live cameras)", limits=(16, 4096))
    fps: float = setting(
        30.0, "capture rate for live cameras and synthetic frames", limits=(1, 240)
    )
    queue_size: int = setting(
        2,
        "frames held between capture and inference; older frames are dropped (1-2)",
        limits=(1, 2),
    )
    realtime: bool = setting(
        True, "play video files at their own frame rate, as a live camera would (run mode)"
    )
    reopen_backoff_s: tuple[float, ...] = setting(
        (0.5, 1.0, 2.0, 5.0),
        "waits between attempts to reopen a lost camera; the last repeats",
        limits=(0.01, 600),
    )


@dataclass(frozen=True, slots=True)
class PoseConfig:
    """The pose stage (BlazePose on LiteRT)."""

    threads: int = setting(2, "LiteRT interpreter threads for the pose models", limits=(1, 16))
    min_detection_score: float = setting(
        0.5, "detector score needed to start tracking a person", limits=(0, 1)
    )
    min_presence: float = setting(
        0.5, "landmark-model presence below which tracking is dropped", limits=(0, 1)
    )
    smoothing: bool = setting(True, "smooth landmarks with a One Euro filter")
    smoothing_min_cutoff: float = setting(
        0.05, "One Euro cut-off (Hz) when still; lower: smoother", limits=(0.001, 100)
    )
    smoothing_beta: float = setting(
        80.0, "One Euro speed coefficient; higher: less lag in motion", limits=(0, 10000)
    )
    identity_timeout_s: float = setting(
        3.0,
        "seconds a lost person is waited for before someone else in view may be followed",
        limits=(0, 600),
    )


@dataclass(frozen=True, slots=True)
class ExerciseConfig:
    """Recognition, counting and form checks."""

    exercise: str = setting("auto", "fixed exercise name, or 'auto' to recognise it")
    set_end_pause_s: float = setting(6.0, "seconds without a rep that end a set", limits=(1, 120))
    person_lost_s: float = setting(
        2.0,
        "seconds without a pose before the person counts as gone (ends the set)",
        limits=(0.2, 60),
    )
    min_set_reps: int = setting(
        2,
        "full reps a recognised set needs to be kept (a chosen exercise keeps any): one "
        "slow movement is more often someone getting into position than a one-rep set",
        limits=(1, 20),
    )
    live_recount_s: float = setting(
        0.25,
        "seconds between live rep counts: lower speaks each rep sooner and costs CPU "
        "(0.25 s keeps the rep-to-voice latency near 200 ms)",
        limits=(0.05, 5),
    )
    min_visibility: float = setting(
        0.5, "landmarks seen less clearly than this are ignored by the form rules", limits=(0, 1)
    )


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """The workout session state machine."""

    absence_end_s: float = setting(
        120.0, "seconds with nobody in view that end the session", limits=(5, 3600)
    )
    rest_target_s: float = setting(
        90.0, "rest period the rest timer counts down from", limits=(5, 3600)
    )
    database: str = setting(
        "history.sqlite3", "history database file under paths.state_dir (or an absolute path)"
    )


@dataclass(frozen=True, slots=True)
class MembersConfig:
    """Member cards shown to the camera between sets."""

    enabled: bool = setting(True, "look for member cards while nobody is in a set")
    file: str = setting("members.json", "member list under paths.state_dir (or an absolute path)")
    scan_every: int = setting(
        10,
        "frames between two looks for a card (never during a set); a look costs a few ms",
        limits=(1, 300),
    )


@dataclass(frozen=True, slots=True)
class DisplayConfig:
    """The 128x64 OLED."""

    kind: Literal["emulator", "ssd1306", "sh1106", "none"] = setting(
        "emulator", "display driver; 'emulator' writes PNG frames to the output folder"
    )
    i2c_port: int = setting(1, "I2C bus number (/dev/i2c-N)", limits=(0, 31))
    i2c_address: int = setting(0x3C, "I2C address of the display (0x3C or 0x3D)", limits=(3, 119))
    rotate: int = setting(0, "rotation in quarter turns (0-3)", limits=(0, 3))
    emulator_backlog: int = setting(
        256,
        "emulator only: screens queued for PNG writing before the oldest is dropped",
        limits=(1, 100000),
    )


@dataclass(frozen=True, slots=True)
class ButtonsConfig:
    """The push buttons."""

    kind: Literal["emulator", "gpio", "none"] = setting(
        "emulator", "button driver; 'emulator' takes scripted commands instead of GPIO"
    )
    pin_a: int = setting(
        17, "BCM pin of button A (start/stop set; hold: end session)", limits=(0, 27)
    )
    pin_b: int = setting(27, "BCM pin of button B (next exercise; hold: auto)", limits=(0, 27))
    pin_c: int = setting(
        22, "BCM pin of button C (repeat summary; hold: mute); -1 if absent", limits=(-1, 27)
    )
    pull_up: bool = setting(True, "buttons connect the pin to ground, internal pull-up on")
    hold_s: float = setting(
        1.5, "seconds a press must last to count as a long press", limits=(0.2, 10)
    )
    script: tuple[str, ...] = setting(
        (), "emulator only: commands as 'SECONDS:COMMAND', played by source time"
    )


@dataclass(frozen=True, slots=True)
class SpeechConfig:
    """Spoken cues."""

    kind: Literal["wav", "speaker", "none"] = setting(
        "wav", "'speaker' speaks aloud with pyttsx3; 'wav' writes each cue to a WAV file"
    )
    voice: str = setting("en", "espeak-ng voice name")
    rate: int = setting(165, "words per minute", limits=(50, 500))
    volume: float = setting(1.0, "0.0-1.0", limits=(0, 1))
    max_cue_age_s: float = setting(
        2.0, "a cue not started within this many seconds is dropped", limits=(0.1, 60)
    )
    audio_device: str = setting(
        "", "'speaker' only: ALSA device for aplay -D (e.g. 'plughw:1,0'); empty: the default"
    )
    summary_max_age_s: float = setting(
        30.0, "expiry of set-end and summary cues, which are said between sets", limits=(1, 600)
    )
    count_reps: bool = setting(True, "speak each rep number")
    target_reps: int = setting(
        0, "reps per set aimed for ('two more' prompts); 0 means none", limits=(0, 200)
    )
    fault_cooldown_reps: int = setting(
        3, "a form fault is said again only after this many reps", limits=(0, 100)
    )
    fault_cooldown_s: float = setting(
        8.0,
        "a form fault is said again only after this many seconds (and the reps above)",
        limits=(0, 600),
    )
    encourage_velocity_loss_pct: tuple[float, ...] = setting(
        (20.0, 35.0),
        "rep velocity losses (percent of the set's fastest early rep) that prompt",
        limits=(0, 100),
    )
    rest_calls_s: tuple[int, ...] = setting(
        (60, 30, 10, 0),
        "rest seconds left at which the countdown speaks (0: rest over)",
        limits=(0, 3600),
    )


@dataclass(frozen=True, slots=True)
class LlmConfig:
    """The set summary written by a local GGUF model."""

    enabled: bool = setting(True, "write summaries with the LLM when its model file exists")
    model_path: str = setting("", "GGUF chat model; empty means the model store's LLM, if any")
    max_tokens: int = setting(40, "hard cap on generated tokens per sentence", limits=(1, 1024))
    max_seconds: float = setting(8.0, "hard cap on seconds per summary", limits=(0.5, 120))
    threads: int = setting(
        0,
        "llama.cpp threads; 0 = the cores the frame path leaves free (CPU cores minus "
        "pose.threads, at least 1): more threads than free cores stall llama.cpp",
        limits=(0, 16),
    )
    context_tokens: int = setting(
        1024, "llama.cpp context: instructions + note + answer", limits=(256, 32768)
    )
    temperature: float = setting(
        0.4, "sampling temperature (varied but plain wording)", limits=(0, 2)
    )
    max_sentences: int = setting(
        2, "sentences the model re-words (what went well, the fix)", limits=(1, 10)
    )
    max_chars: int = setting(
        280,
        "a model sentence that takes the summary past this is spoken in its plain wording",
        limits=(20, 2000),
    )
    load_timeout_s: float = setting(
        120.0, "seconds the worker may take to load the model", limits=(1, 3600)
    )
    worker_priority: Literal["idle", "nice", "normal"] = setting(
        "idle",
        "worker CPU priority: 'idle' = nice 19 + SCHED_IDLE, 'nice' = nice 19 only, "
        "'normal' = unchanged (benchmarks on a shared machine)",
    )


@dataclass(frozen=True, slots=True)
class PathsConfig:
    """Where the box keeps its state and finds its models."""

    state_dir: str = setting(
        str(_STATE_DIR),
        "database and logs; /var/lib/edge-trainer on the Pi (systemd StateDirectory); by "
        "default a checkout's var/, else ~/.local/share/edge-trainer",
    )
    models_dir: str = setting(
        str(_STATE_DIR / "models"),
        "model store (versions + 'current'); /var/lib/edge-trainer/models on the Pi",
    )
    output_dir: str = setting(
        "./demo-output", "emulator output: OLED PNG frames, WAV cues, session log"
    )


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """Daemon behaviour under systemd."""

    min_free_mb: int = setting(
        64,
        "free space (MB) under paths.state_dir below which the box reports itself degraded",
        limits=(0, 100_000),
    )
    emulator_keep_files: int = setting(
        500,
        "run mode with emulated devices: PNG/WAV files kept per folder, oldest removed "
        "first ('demo' keeps every file)",
        limits=(1, 1_000_000),
    )
    emulator_keep_mb: float = setting(
        50.0,
        "run mode with emulated devices: MB kept per output folder, oldest removed first",
        limits=(0.1, 100_000),
    )
    status_interval_s: float = setting(
        5.0, "seconds between STATUS updates and status lines", limits=(0.1, 3600)
    )
    max_worker_restarts_per_min: int = setting(
        3, "a worker that dies more often than this is reported and not restarted", limits=(0, 60)
    )


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration. Every section is optional in the TOML file."""

    camera: CameraConfig = field(default_factory=CameraConfig)
    pose: PoseConfig = field(default_factory=PoseConfig)
    exercise: ExerciseConfig = field(default_factory=ExerciseConfig)
    session: SessionConfig = field(default_factory=SessionConfig)
    members: MembersConfig = field(default_factory=MembersConfig)
    display: DisplayConfig = field(default_factory=DisplayConfig)
    buttons: ButtonsConfig = field(default_factory=ButtonsConfig)
    speech: SpeechConfig = field(default_factory=SpeechConfig)
    llm: LlmConfig = field(default_factory=LlmConfig)
    paths: PathsConfig = field(default_factory=PathsConfig)
    service: ServiceConfig = field(default_factory=ServiceConfig)


def _check_value(value: Any, hint: Any, path: str, problems: list[tuple[str, str]]) -> Any:
    """Convert a TOML value to ``hint`` or record why it cannot be."""
    origin = get_origin(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(value, dict):
            problems.append((path, f"expected a table, got {type(value).__name__}"))
            return None
        return _build(hint, value, path, problems)
    if origin is Literal:
        allowed = get_args(hint)
        if value not in allowed:
            choices = ", ".join(map(repr, allowed))
            problems.append((path, f"must be one of {choices}, got {value!r}"))
        return value
    if origin is tuple:
        item_hint = get_args(hint)[0]
        if not isinstance(value, list):
            problems.append((path, f"expected a list, got {type(value).__name__}"))
            return ()
        return tuple(
            _check_value(v, item_hint, f"{path}[{i}]", problems) for i, v in enumerate(value)
        )
    if origin in (types.UnionType, typing.Union):
        options = [a for a in get_args(hint) if a is not type(None)]
        return _check_value(value, options[0], path, problems)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append((path, f"expected a number, got {type(value).__name__}"))
            return value
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append((path, f"expected an integer, got {type(value).__name__}"))
        return value
    if hint is bool:
        if not isinstance(value, bool):
            problems.append((path, f"expected true or false, got {type(value).__name__}"))
        return value
    if hint is str:
        if not isinstance(value, str):
            problems.append((path, f"expected a string, got {type(value).__name__}"))
        return value
    raise TypeError(f"config field {path} has unsupported type {hint!r}")


def _build(cls: type[T], data: dict[str, Any], prefix: str, problems: list[tuple[str, str]]) -> T:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if key not in known:
            problems.append((path, "unknown key"))
            continue
        kwargs[key] = _check_value(value, hints[key], path, problems)
    if problems:
        return cls()
    return cls(**kwargs)


def _number_problem(value: Any, limits: tuple[float, float]) -> str | None:
    lo, hi = limits
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, got {value}"
    if not lo <= value <= hi:
        return f"must be between {lo:g} and {hi:g}, got {value!r}"
    return None


def _check_limits(section: Any, prefix: str, problems: list[tuple[str, str]]) -> None:
    """Every number (and every number in a list) within its declared limits."""
    for f in dataclasses.fields(section):
        limits = f.metadata.get("limits")
        if limits is None:
            continue
        value = getattr(section, f.name)
        path = f"{prefix}.{f.name}"
        if isinstance(value, tuple):
            for i, item in enumerate(value):
                why = _number_problem(item, limits)
                if why:
                    problems.append((f"{path}[{i}]", why))
        else:
            why = _number_problem(value, limits)
            if why:
                problems.append((path, why))


def path_problem(value: str) -> str | None:
    """Why ``value`` cannot be a folder or file of the box's state, or None."""
    if not value:
        return "must not be empty"
    if "\x00" in value:
        return "must not contain a NUL character"
    p = Path(value)
    if any(len(part.encode()) > NAME_MAX for part in p.parts):
        return f"has a name longer than {NAME_MAX} bytes"
    if len(value.encode()) > 1024:
        return "is longer than 1024 bytes"
    absolute = Path(os.path.abspath(p))
    for root in FORBIDDEN_ROOTS:
        if absolute == root or root in absolute.parents:
            return f"must not be under {root}"
    return None


def _folder_problem(value: str) -> str | None:
    why = path_problem(value)
    if why is None and Path(value).exists() and not Path(value).is_dir():
        why = "exists and is not a folder"
    return why


def _validate(cfg: Config, exercises: tuple[str, ...] | None) -> list[tuple[str, str]]:
    """Checks that span a value's range, not just its type."""
    from edge_trainer.events import COMMANDS

    problems: list[tuple[str, str]] = []
    for f in dataclasses.fields(cfg):
        _check_limits(getattr(cfg, f.name), f.name, problems)
    if not cfg.camera.reopen_backoff_s:
        problems.append(("camera.reopen_backoff_s", "must be a non-empty list of positive waits"))
    if exercises is not None and cfg.exercise.exercise not in (*exercises, "auto"):
        problems.append(
            (
                "exercise.exercise",
                f"unknown exercise {cfg.exercise.exercise!r}; one of: auto, {', '.join(exercises)}",
            )
        )
    for key in ("state_dir", "models_dir", "output_dir"):
        why = _folder_problem(getattr(cfg.paths, key))
        if why:
            problems.append((f"paths.{key}", why))
    db = Path(cfg.session.database)
    why = path_problem(cfg.session.database)
    if why is None and not db.is_absolute() and ".." in db.parts:
        why = "must stay inside paths.state_dir (no '..'), or be an absolute path"
    if why is None and cfg.session.database.endswith(("/", ".")):
        why = "must name a file"
    if why:
        problems.append(("session.database", why))
    why = path_problem(cfg.members.file)
    if (
        why is None
        and not Path(cfg.members.file).is_absolute()
        and ".." in Path(cfg.members.file).parts
    ):
        why = "must stay inside paths.state_dir (no '..'), or be an absolute path"
    if why:
        problems.append(("members.file", why))
    if not _VOICE.fullmatch(cfg.speech.voice):
        problems.append(
            ("speech.voice", "must be an espeak-ng voice name (letters, digits, -_+./)")
        )
    if not _ALSA_DEVICE.fullmatch(cfg.speech.audio_device):
        problems.append(("speech.audio_device", "must be an ALSA device name like 'plughw:1,0'"))
    for i, entry in enumerate(cfg.buttons.script):
        when, _, command = entry.partition(":")
        try:
            at = float(when)
        except ValueError:
            problems.append((f"buttons.script[{i}]", f"expected 'SECONDS:COMMAND', got {entry!r}"))
            continue
        if not math.isfinite(at) or at < 0:
            problems.append((f"buttons.script[{i}]", f"time must be 0 or more seconds, got {when}"))
        if command not in COMMANDS:
            problems.append((f"buttons.script[{i}]", f"unknown command {command!r}"))
    return problems


def from_dict(
    data: dict[str, Any], source: str = "config", exercises: tuple[str, ...] | None = None
) -> Config:
    """Build a Config from parsed TOML, raising ConfigError listing every problem.

    ``exercises`` are the exercise names ``exercise.exercise`` may take (besides
    ``auto``): the exercise catalogue's, which the app passes in; None leaves the name
    unchecked, for commands that do not count exercises.
    """
    problems: list[tuple[str, str]] = []
    cfg = _build(Config, data, "", problems)
    if not problems:
        problems = _validate(cfg, exercises)
    if problems:
        raise ConfigError(problems, source)
    return cfg


def find(arg: str | Path | None) -> Path | None:
    """The config file a command uses: the argument, ``$EDGE_TRAINER_CONFIG``, or
    ``/etc/edge-trainer/config.toml`` when it exists; None means the built-in defaults."""
    if arg is not None:
        return Path(arg)
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    return DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.is_file() else None


def load(path: str | Path | None, exercises: tuple[str, ...] | None = None) -> Config:
    """Load a TOML config file; ``None`` gives the defaults (``exercises``: see ``from_dict``).

    Raises:
        ConfigError: the file is missing, not TOML, or has unknown keys or bad values.
    """
    if path is None:
        return Config()
    p = Path(path)
    try:
        # A fifo would block the open (and the daemon's reload) until someone writes.
        regular_file(p, "config", MAX_CONFIG_BYTES)
        text = p.read_bytes().decode("utf-8")
    except InputError as exc:
        reason = str(exc).replace(f"config '{p}' ", "").replace(f"cannot read config '{p}': ", "")
        raise ConfigError([("(file)", reason)], str(p)) from exc
    except OSError as exc:
        raise ConfigError([("(file)", f"cannot read: {exc.strerror or exc}")], str(p)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [("(file)", f"not UTF-8 text (byte {exc.start}); save it as UTF-8")], str(p)
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([("(file)", f"not valid TOML: {exc}")], str(p)) from exc
    return from_dict(data, str(p), exercises)


def replace(cfg: T, **changes: Any) -> T:
    """Return a copy of a config section with some fields changed."""
    return dataclasses.replace(cfg, **changes)  # type: ignore[type-var]


def describe(cls: type[Any] = Config, prefix: str = "") -> list[tuple[str, Any, str]]:
    """List ``(key path, default, doc)`` for every field, for docs and ``--help``."""
    rows: list[tuple[str, Any, str]] = []
    for f in dataclasses.fields(cls):
        path = f"{prefix}.{f.name}" if prefix else f.name
        if f.default_factory is not dataclasses.MISSING:
            rows.extend(describe(f.default_factory, path))  # type: ignore[arg-type]
        else:
            doc = f.metadata.get("doc", "")
            limits = f.metadata.get("limits")
            if limits is not None:
                doc += f" [{limits[0]:g} to {limits[1]:g}]"
            rows.append((path, f.default, doc))
    return rows
