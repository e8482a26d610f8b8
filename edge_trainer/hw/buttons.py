"""Push buttons: gpiozero ``Button``s, or a scripted command list in the emulator.

Both sources have one interface: the app calls ``poll(t)`` from its own thread (once
per frame is plenty) and gets the commands that arrived since, as ``Command`` events
stamped with source time. GPIO callbacks run on gpiozero's threads and only put a
command name on a ``queue.SimpleQueue``, which is safe from any thread.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from typing import Any, Protocol

from edge_trainer.config import ButtonsConfig
from edge_trainer.errors import ConfigError, DeviceError, missing_dependency
from edge_trainer.events import COMMANDS, Command

log = logging.getLogger(__name__)

# Button -> (short press, long press). Printed on the box's label; see hardware/.
BUTTON_COMMANDS: dict[str, tuple[str, str]] = {
    "a": ("start_stop_set", "end_session"),
    "b": ("next_exercise", "auto_exercise"),
    "c": ("repeat_summary", "mute"),
}


class CommandSource(Protocol):
    """Where user commands come from."""

    def poll(self, t: float) -> list[Command]:
        """Commands that arrived by source time ``t``, oldest first."""
        ...

    def close(self) -> None:
        """Release pins. Safe to call more than once."""
        ...


class _PressTracker:
    """Turns one button's pressed/held/released callbacks into one command per press."""

    def __init__(self, label: str, emit: Callable[[str], None]) -> None:
        self.label = label
        self.short, self.long = BUTTON_COMMANDS[label]
        self._emit = emit
        self._held = False

    def pressed(self) -> None:
        self._held = False

    def held(self) -> None:
        # Fires once, while the button is still down, so a long press acts at once.
        self._held = True
        self._emit(self.long)

    def released(self) -> None:
        if not self._held:
            self._emit(self.short)
        self._held = False


class GpioButtons:
    """Buttons A, B and (optionally) C on GPIO pins, through gpiozero."""

    def __init__(
        self,
        cfg: ButtonsConfig,
        pin_factory: Any = None,
        on_command: Callable[[str], None] | None = None,
    ) -> None:
        """Claim the pins.

        Args:
            cfg: Pins, pull-up and hold time.
            pin_factory: gpiozero pin factory; None uses gpiozero's default (lgpio on
                the Pi). Tests pass ``gpiozero.pins.mock.MockFactory()``.
            on_command: Also called with each command name, on gpiozero's thread (for
                waking a sleeping loop); it must be thread-safe and quick.

        Raises:
            DependencyError: gpiozero is not installed.
            DeviceError: there is no GPIO access or a pin is taken.
        """
        try:
            from gpiozero import Button
            from gpiozero.exc import GPIOZeroError
        except ImportError as exc:
            raise missing_dependency("gpiozero", extra="pi") from exc
        self._queue: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._on_command = on_command
        self._buttons: list[Any] = []
        self._trackers: list[_PressTracker] = []
        pins = {"a": cfg.pin_a, "b": cfg.pin_b, "c": cfg.pin_c}
        for label, pin in pins.items():
            if pin < 0:
                continue
            try:
                button = Button(
                    pin, pull_up=cfg.pull_up, hold_time=cfg.hold_s, pin_factory=pin_factory
                )
            except (GPIOZeroError, OSError) as exc:
                self.close()
                raise DeviceError(f"button {label.upper()} on GPIO{pin} unusable: {exc}") from exc
            tracker = _PressTracker(label, self._emit)
            button.when_pressed = tracker.pressed
            button.when_held = tracker.held
            button.when_released = tracker.released
            self._buttons.append(button)
            self._trackers.append(tracker)
        log.info(
            "buttons on %s", ", ".join(f"{k.upper()}=GPIO{v}" for k, v in pins.items() if v >= 0)
        )

    def _emit(self, name: str) -> None:
        self._queue.put(name)
        if self._on_command is not None:
            try:
                self._on_command(name)
            except Exception:
                log.exception("button command listener failed")

    def poll(self, t: float) -> list[Command]:
        """Commands pressed since the last poll, stamped with source time ``t``."""
        out: list[Command] = []
        while True:
            try:
                name = self._queue.get_nowait()
            except queue.Empty:
                return out
            log.info("button command %s", name)
            out.append(Command(t=t, name=name))

    def close(self) -> None:
        """Release the pins. Idempotent."""
        for button in self._buttons:
            button.close()
        self._buttons.clear()


def parse_script(entries: tuple[str, ...] | list[str]) -> list[tuple[float, str]]:
    """``("12.5:start_stop_set", ...)`` -> ``[(12.5, "start_stop_set"), ...]``, by time.

    Raises:
        ConfigError: an entry is not ``SECONDS:COMMAND`` or names an unknown command.
    """
    problems: list[tuple[str, str]] = []
    script: list[tuple[float, str]] = []
    for i, entry in enumerate(entries):
        when, sep, name = entry.partition(":")
        try:
            seconds = float(when)
        except ValueError:
            seconds = -1.0
        if not sep or seconds < 0:
            problems.append((f"buttons.script[{i}]", f"expected 'SECONDS:COMMAND', got {entry!r}"))
        elif name not in COMMANDS:
            problems.append((f"buttons.script[{i}]", f"unknown command {name!r}"))
        else:
            script.append((seconds, name))
    if problems:
        raise ConfigError(problems)
    return sorted(script, key=lambda item: item[0])


class ScriptedButtons:
    """The emulator's buttons: a command list played by source time.

    A command scripted at 12.5 s is delivered by the first ``poll`` with ``t >= 12.5``
    and stamped 12.5, so a replayed clip gets the same commands at the same moments.
    """

    def __init__(self, script: tuple[str, ...] | list[str] = ()) -> None:
        """Parse ``script`` (``SECONDS:COMMAND`` entries); raises ConfigError if bad."""
        self._script = parse_script(script)
        self._next = 0

    @property
    def pending(self) -> int:
        """Commands not delivered yet."""
        return len(self._script) - self._next

    def poll(self, t: float) -> list[Command]:
        """Scripted commands due by source time ``t``."""
        out = []
        while self._next < len(self._script) and self._script[self._next][0] <= t:
            when, name = self._script[self._next]
            out.append(Command(t=when, name=name))
            self._next += 1
        return out

    def close(self) -> None:
        """Nothing to release."""


def build_buttons(cfg: ButtonsConfig, pin_factory: Any = None) -> CommandSource:
    """The command source the config asks for (GPIO, a script, or nothing)."""
    if cfg.kind == "gpio":
        return GpioButtons(cfg, pin_factory=pin_factory)
    if cfg.kind == "emulator":
        return ScriptedButtons(cfg.script)
    return ScriptedButtons(())
