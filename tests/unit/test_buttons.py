"""Buttons through gpiozero's MockFactory (real gpiozero, mock pins) and the scripted emulator."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from edge_trainer.config import ButtonsConfig, from_dict
from edge_trainer.errors import ConfigError, DeviceError
from edge_trainer.events import COMMANDS, Command
from edge_trainer.hw.buttons import (
    BUTTON_COMMANDS,
    GpioButtons,
    ScriptedButtons,
    build_buttons,
    parse_script,
)

gpiozero = pytest.importorskip("gpiozero", reason="gpiozero is not installed")
from gpiozero.pins.mock import MockFactory  # noqa: E402

HOLD_S = 0.15


@pytest.fixture
def factory() -> Iterator[MockFactory]:
    f = MockFactory()
    yield f
    f.reset()


def make(factory: MockFactory, **changes: object) -> GpioButtons:
    cfg = ButtonsConfig(kind="gpio", hold_s=HOLD_S, **changes)  # type: ignore[arg-type]
    return GpioButtons(cfg, pin_factory=factory)


def press(factory: MockFactory, pin: int, seconds: float = 0.0, active_low: bool = True) -> None:
    p = factory.pin(pin)
    if active_low:
        p.drive_low()
    else:
        p.drive_high()
    time.sleep(seconds)
    if active_low:
        p.drive_high()
    else:
        p.drive_low()


def names(commands: list[Command]) -> list[str]:
    return [c.name for c in commands]


def wait_for(buttons: GpioButtons, n: int, t: float = 0.0) -> list[Command]:
    got: list[Command] = []
    deadline = time.monotonic() + 5.0
    while len(got) < n and time.monotonic() < deadline:
        got += buttons.poll(t)
        time.sleep(0.01)
    return got


def test_every_command_is_a_known_one() -> None:
    mapped = {c for pair in BUTTON_COMMANDS.values() for c in pair}
    assert mapped <= set(COMMANDS)
    assert len(mapped) == 6


def test_short_presses_map_to_short_commands(factory: MockFactory) -> None:
    buttons = make(factory)
    try:
        press(factory, 17)
        press(factory, 27)
        press(factory, 22)
        got = wait_for(buttons, 3, t=12.5)
    finally:
        buttons.close()
    assert names(got) == ["start_stop_set", "next_exercise", "repeat_summary"]
    assert {c.t for c in got} == {12.5}


def test_long_presses_map_to_long_commands_once(factory: MockFactory) -> None:
    buttons = make(factory)
    try:
        press(factory, 17, seconds=HOLD_S * 2)
        press(factory, 27, seconds=HOLD_S * 2)
        press(factory, 22, seconds=HOLD_S * 2)
        got = wait_for(buttons, 3)
        time.sleep(HOLD_S)
        got += buttons.poll(0.0)
    finally:
        buttons.close()
    assert names(got) == ["end_session", "auto_exercise", "mute"]


def test_long_press_acts_while_still_held(factory: MockFactory) -> None:
    buttons = make(factory)
    try:
        factory.pin(17).drive_low()
        got = wait_for(buttons, 1)
        assert names(got) == ["end_session"]
        factory.pin(17).drive_high()
        time.sleep(0.05)
        assert buttons.poll(0.0) == []  # the release after a hold is not a short press
    finally:
        buttons.close()


def test_pull_down_wiring_and_absent_button_c(factory: MockFactory) -> None:
    buttons = make(factory, pull_up=False, pin_c=-1, pin_a=5, pin_b=6)
    try:
        press(factory, 5, active_low=False)
        got = wait_for(buttons, 1)
        assert names(got) == ["start_stop_set"]
        press(factory, 22)  # not claimed: nothing happens
        time.sleep(0.05)
        assert buttons.poll(0.0) == []
    finally:
        buttons.close()


def test_listener_runs_and_commands_are_safe_across_threads(factory: MockFactory) -> None:
    heard: list[str] = []
    buttons = GpioButtons(
        ButtonsConfig(kind="gpio", hold_s=HOLD_S), pin_factory=factory, on_command=heard.append
    )
    try:
        pressers = [threading.Thread(target=press, args=(factory, pin)) for pin in (17, 27, 22)]
        for th in pressers:
            th.start()
        for th in pressers:
            th.join()
        got = wait_for(buttons, 3)
    finally:
        buttons.close()
    assert sorted(names(got)) == ["next_exercise", "repeat_summary", "start_stop_set"]
    assert sorted(heard) == sorted(names(got))


def test_pin_in_use_is_a_device_error(factory: MockFactory) -> None:
    first = make(factory)
    try:
        with pytest.raises(DeviceError, match="GPIO17"):
            make(factory)
    finally:
        first.close()
    make(factory).close()  # the failed attempt released what it had claimed


def test_close_is_idempotent(factory: MockFactory) -> None:
    buttons = make(factory)
    buttons.close()
    buttons.close()


def test_script_is_delivered_by_source_time() -> None:
    buttons = ScriptedButtons(("30:end_session", "2.5:start_stop_set", "10:next_exercise"))
    assert buttons.poll(2.4) == []
    assert buttons.poll(2.5) == [Command(t=2.5, name="start_stop_set")]
    assert buttons.poll(29.0) == [Command(t=10.0, name="next_exercise")]
    assert buttons.pending == 1
    assert buttons.poll(100.0) == [Command(t=30.0, name="end_session")]
    assert buttons.poll(200.0) == []


def test_script_after_a_jump_in_time_delivers_everything_in_order() -> None:
    buttons = ScriptedButtons(("1:mute", "2:mute", "3:repeat_summary"))
    assert names(buttons.poll(10.0)) == ["mute", "mute", "repeat_summary"]


def test_bad_script_entries_name_each_problem() -> None:
    with pytest.raises(ConfigError) as err:
        parse_script(["x:mute", "5:dance", "7", "-1:mute"])
    paths = [p for p, _ in err.value.problems]
    assert paths == [f"buttons.script[{i}]" for i in range(4)]
    assert "unknown command 'dance'" in str(err.value)


def test_build_buttons_from_config() -> None:
    cfg = from_dict({"buttons": {"script": ["1.5:start_stop_set"]}})
    source = build_buttons(cfg.buttons)
    assert names(source.poll(2.0)) == ["start_stop_set"]
    assert build_buttons(ButtonsConfig(kind="none")).poll(1e9) == []
