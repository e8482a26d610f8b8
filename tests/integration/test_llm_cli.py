"""``edge-trainer summarize`` on a set stored in a real history database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edge_trainer.cli import main
from edge_trainer.coach.facts import build_facts
from edge_trainer.coach.prompt import OPENERS
from edge_trainer.coach.summary import coach_lines, deterministic_summary
from edge_trainer.coach.verify import check_sentence
from edge_trainer.events import RepRecord, SetRecord
from edge_trainer.session.store import HistoryStore

pytest.importorskip("llama_cpp", reason="llama-cpp-python (the 'llm' extra) is not installed")
pytestmark = pytest.mark.llm


def reps(n: int) -> tuple[RepRecord, ...]:
    return tuple(RepRecord(i, 3.0 * i, 3.0 * i + 2.5, 1.0, 1.5) for i in range(1, n + 1))


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, Path, int]:
    db = tmp_path / "history.sqlite3"
    with HistoryStore(db) as store:
        session = store.start_session(0.0)
        for n, t in ((6, 0.0), (8, 60.0)):
            set_id = store.start_set(session, "squat", t)
            store.finish_set(set_id, SetRecord("squat", t, t + 25.0, reps(n)))
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[llm]\nworker_priority = "normal"\nthreads = 1\n[paths]\nstate_dir = "{tmp_path}"\n'
        f'models_dir = "{tmp_path / "models"}"\n'
    )
    return db, cfg, set_id


@pytest.mark.slow
def test_summarize_stored_set_with_the_real_model(
    history: tuple[Path, Path, int], smollm2: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, cfg, set_id = history
    code = main(["summarize", "--set", str(set_id), "--config", str(cfg), "--db", str(db),
                 "--model", str(smollm2), "--facts"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0
    # Compared with the earlier set of the same exercise.
    assert out.startswith("Exercise: squat\nReps: 8, 2 more than last set\n")
    said = out.split("\n\n", 1)[1].strip().splitlines()
    facts = build_facts(SetRecord("squat", 60, 85, reps(8)), SetRecord("squat", 0, 25, reps(6)))
    lines = [line.text for line in coach_lines(facts)]
    assert len(said) == 2
    # Each sentence is the model's, checked, or the deterministic line in its place.
    assert all(
        s == line or check_sentence(s, facts).ok for s, line in zip(said, lines, strict=True)
    )
    assert said[0] == lines[0] or said[0].startswith(OPENERS)
    # The model ran and its sentences went through the checker. Whether this one prompt's
    # sentences pass depends on the CPU's float rounding (CI's differs from ours); the
    # acceptance rate over many sets is measured by `make eval` (llm section), not here.
    assert re.search(r"generated_tokens=[1-9]", err)
    assert re.search(r"source: (llm|mixed \(rejected: |deterministic \(rejected: )", err)
    assert "evaluated_prompt_tokens=" in err


def test_summarize_without_a_model_prints_the_deterministic_summary(
    history: tuple[Path, Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    db, cfg, set_id = history
    code = main(["summarize", "--set", str(set_id), "--config", str(cfg), "--db", str(db)])
    out, err = capsys.readouterr()
    expected = deterministic_summary(
        build_facts(SetRecord("squat", 60, 85, reps(8)), SetRecord("squat", 0, 25, reps(6)))
    )
    assert code == 0
    assert out.splitlines() == list(expected.sentences)
    assert "source: deterministic (no LLM model installed: no models installed" in err


def test_bad_set_id_and_bad_model_are_one_line_errors(
    history: tuple[Path, Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, cfg, _ = history
    assert main(["summarize", "--set", "999", "--config", str(cfg), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "999" in err
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a model")
    assert (
        main(
            ["summarize", "--set", "1", "--config", str(cfg), "--db", str(db), "--model", str(bad)]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert (
        err.strip() == f"error: LLM model file {bad} is not a GGUF file (corrupt or wrong format)"
    )
