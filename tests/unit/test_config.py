"""Config loading: defaults, unknown keys, wrong types, range checks, check-config."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge_trainer import config
from edge_trainer.cli import main
from edge_trainer.errors import ConfigError


def test_defaults_need_no_file() -> None:
    cfg = config.load(None)
    assert cfg.camera.source == "video"
    assert cfg.display.kind == "emulator"


def test_every_field_is_documented() -> None:
    rows = config.describe()
    assert len(rows) > 30
    undocumented = [key for key, _, doc in rows if not doc]
    assert undocumented == []


def test_values_are_converted_and_frozen(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text('[camera]\nfps = 25\nreopen_backoff_s = [1, 2]\n[display]\nkind = "sh1106"\n')
    cfg = config.load(f)
    assert cfg.camera.fps == 25.0 and isinstance(cfg.camera.fps, float)
    assert cfg.camera.reopen_backoff_s == (1.0, 2.0)
    assert cfg.display.kind == "sh1106"
    with pytest.raises(AttributeError):
        cfg.camera.fps = 10.0  # type: ignore[misc]


def test_unknown_keys_and_bad_types_are_all_reported(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text(
        '[camera]\nfsp = 30\nqueue_size = "two"\n[display]\nkind = "lcd"\n[nonsense]\nx = 1\n'
    )
    with pytest.raises(ConfigError) as err:
        config.load(f)
    paths = dict(err.value.problems)
    assert paths["camera.fsp"] == "unknown key"
    assert "expected an integer" in paths["camera.queue_size"]
    assert "must be one of" in paths["display.kind"]
    assert paths["nonsense"].startswith("unknown key") or "expected" in paths["nonsense"]


def test_range_checks(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text("[camera]\nqueue_size = 5\n[buttons]\nscript = ['x:start_stop_set', '3:fly']\n")
    with pytest.raises(ConfigError) as err:
        config.load(f)
    paths = dict(err.value.problems)
    assert "camera.queue_size" in paths
    assert "buttons.script[0]" in paths and "buttons.script[1]" in paths


def test_not_toml(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text("[camera\nfps=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.load(f)


def test_check_config_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.toml"
    good.write_text("[speech]\nrate = 150\n")
    assert main(["check-config", str(good)]) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text("[speech]\nrate = 'fast'\nvoices = 1\n")
    assert main(["check-config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "speech.rate: expected an integer, got str" in err
    assert "speech.voices: unknown key" in err
    assert "Traceback" not in err
    assert main(["check-config", str(tmp_path / "missing.toml")]) == 2


def test_config_reference_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config-reference"]) == 0
    text = capsys.readouterr().out
    f = tmp_path / "ref.toml"
    f.write_text(text)
    assert config.load(f) == config.Config()


def test_every_number_has_limits() -> None:
    import dataclasses
    import typing

    missing = []
    for section in dataclasses.fields(config.Config):
        cls = section.default_factory  # type: ignore[misc]
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            hint = hints[f.name]
            numeric = hint in (int, float) or typing.get_args(hint)[:1] in ((int,), (float,))
            if numeric and "limits" not in f.metadata:
                missing.append(f"{section.name}.{f.name}")
    assert missing == []


BAD_VALUES = [
    ("[exercise]\nset_end_pause_s = -6\n", "exercise.set_end_pause_s", "between 1 and 120"),
    ("[session]\nrest_target_s = -5\n", "session.rest_target_s", "between 5 and 3600"),
    ("[service]\nstatus_interval_s = -5\n", "service.status_interval_s", "between 0.1 and 3600"),
    ("[pose]\nthreads = 100000\n", "pose.threads", "between 1 and 16"),
    ("[camera]\nfps = inf\n", "camera.fps", "finite"),
    ("[speech]\nvolume = nan\n", "speech.volume", "finite"),
    ("[speech]\nrest_calls_s = [60, -1]\n", "speech.rest_calls_s[1]", "between 0 and 3600"),
    ('[exercise]\nexercise = "bogus"\n', "exercise.exercise", "unknown exercise 'bogus'"),
    ('[session]\ndatabase = "../../../tmp/x.sqlite3"\n', "session.database", "inside"),
    ('[paths]\nstate_dir = "/proc/edge"\n', "paths.state_dir", "under /proc"),
    ('[paths]\nstate_dir = "/dev/null"\n', "paths.state_dir", "under /dev"),
    ('[paths]\nstate_dir = "/tmp/' + "x" * 300 + '"\n', "paths.state_dir", "longer than 255"),
    ('[speech]\nvoice = "en; rm -rf"\n', "speech.voice", "voice name"),
    ("[buttons]\nscript = ['-3:start_stop_set']\n", "buttons.script[0]", "0 or more"),
]


@pytest.mark.parametrize(("text", "key", "why"), BAD_VALUES)
def test_check_config_and_run_refuse_the_same_values_with_the_same_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, key: str, why: str
) -> None:
    f = tmp_path / "c.toml"
    f.write_text(text)
    assert main(["check-config", str(f)]) == 2
    checked = capsys.readouterr().err
    assert f"{f}: {key}: " in checked and why in checked, checked
    assert main(["run", "--config", str(f)]) == 2
    assert capsys.readouterr().err == checked


def test_a_file_that_is_not_text_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    bad = tmp_path / "latin1.toml"
    bad.write_bytes('[speech]\nvoice = "fran\xe7ais"\n'.encode("latin-1"))
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    for f, why in ((bad, "not UTF-8"), (fifo, "fifo"), (tmp_path, "directory")):
        for argv in (["check-config", str(f)], ["run", "--config", str(f)]):
            assert main(argv) == 2
            err = capsys.readouterr().err
            assert err.count("\n") == 1 and why in err, err
