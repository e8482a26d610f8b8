"""The summary service with a real llama.cpp worker process on a tiny random-weight GGUF."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from edge_trainer.coach import watchdog
from edge_trainer.coach.facts import build_facts
from edge_trainer.coach.summary import Summary, coach_lines, deterministic_summary
from edge_trainer.coach.verify import check_sentence
from edge_trainer.coach.worker import SummaryService
from edge_trainer.config import LlmConfig
from edge_trainer.events import RepRecord, SetRecord
from tests.llm_fixture import CHATTY_BIAS, COACHLIKE_BIAS, build_tiny_gguf

pytest.importorskip("llama_cpp", reason="llama-cpp-python (the 'llm' extra) is not installed")
pytestmark = pytest.mark.llm

REPS = tuple(
    RepRecord(
        i, 3.0 * i, 3.0 * i + 2.6, 1.1, 1.5, faults=("squat_knee_valgus",) if i in (3, 5) else ()
    )
    for i in range(1, 9)
)
SQUATS = SetRecord("squat", 0.0, 30.0, REPS, velocity_loss_pct=23.0)  # no 7 in its facts
FALLBACK = deterministic_summary(build_facts(SQUATS))
LINES = tuple(line.text for line in coach_lines(build_facts(SQUATS)))


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("llm")
    return {
        "chatty": build_tiny_gguf(d / "chatty.gguf", bias=COACHLIKE_BIAS),
        # Gibberish full of the digit 7, which these facts never contain.
        "sevens": build_tiny_gguf(d / "sevens.gguf", bias={**CHATTY_BIAS, "7": 3.0}),
        # Gibberish that never ends a sentence: each line runs to its token budget.
        "rambling": build_tiny_gguf(
            d / "rambling.gguf", bias={**COACHLIKE_BIAS, ".": -30.0}, eos_bias=-30.0
        ),
    }


@dataclass
class Listener:
    """Collects what the service hands off, in order."""

    events: list[tuple[str, object]] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    on_first: Callable[[], None] | None = None

    def sentence(self, text: str) -> None:
        first = not self.sentences
        self.events.append(("sentence", text))
        if first and self.on_first is not None:
            self.on_first()

    def finished(self, summary: Summary) -> None:
        self.events.append(("done", summary))
        self.done.set()

    @property
    def sentences(self) -> list[str]:
        return [str(v) for k, v in self.events if k == "sentence"]

    def wait(self, timeout: float = 30.0) -> Summary:
        assert self.done.wait(timeout), "no summary delivered"
        kind, summary = self.events[-1]
        assert kind == "done" and isinstance(summary, Summary)
        return summary


def ask(svc: SummaryService, record: SetRecord = SQUATS, **kw: object) -> Listener:
    listener = Listener(**kw)  # type: ignore[arg-type]
    svc.request(record, None, listener.sentence, listener.finished)
    return listener


@pytest.fixture
def service() -> Iterator[Callable[..., SummaryService]]:
    made: list[SummaryService] = []

    def make(model: Path | str, **cfg: object) -> SummaryService:
        restarts = int(cfg.pop("restarts", 3))  # type: ignore[call-overload]
        settings = {"worker_priority": "normal", "threads": 1, **cfg}
        svc = SummaryService(LlmConfig(model_path=str(model), **settings), "/nonexistent", restarts)  # type: ignore[arg-type]
        made.append(svc)
        svc.start()
        return svc

    yield make
    for svc in made:
        svc.close()


def wait_for(cond: Callable[[], bool], timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "condition not reached"
        time.sleep(0.02)


def test_sentences_stream_then_done(
    models: dict[str, Path], service: Callable[..., SummaryService]
) -> None:
    svc = service(models["chatty"])
    assert svc.wait_ready(60)
    summary = ask(svc).wait()
    assert summary.source == "llm" and summary.reason == ""
    assert len(summary.sentences) == 2
    facts = build_facts(SQUATS)
    assert check_sentence(summary.sentences[0], facts).ok
    assert summary.sentences[1].startswith("Next set, knees out,")
    assert check_sentence(summary.sentences[1], facts, cue="Knees out").ok
    # Generation in the worker reused the fixed prompt llama.cpp already held.
    assert 0 < summary.stats["evaluated_prompt_tokens"] < summary.stats["prompt_tokens"] / 5
    assert summary.stats["first_sentence_s"] < summary.stats["wall_s"]


def test_each_line_is_handed_off_before_the_summary_is_done(
    models: dict[str, Path], service: Callable[..., SummaryService]
) -> None:
    svc = service(models["chatty"])
    assert svc.wait_ready(60)
    listener = ask(svc)
    summary = listener.wait()
    assert [k for k, _ in listener.events] == ["sentence", "sentence", "done"]
    assert listener.sentences == list(summary.sentences)


def test_a_rejected_sentence_is_replaced_by_its_deterministic_line(
    models: dict[str, Path],
    service: Callable[..., SummaryService],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="edge_trainer.coach.job")
    svc = service(models["sevens"])
    assert svc.wait_ready(60)
    listener = ask(svc)
    summary = listener.wait()
    assert summary.source in ("deterministic", "mixed")
    assert summary.reason.startswith("rejected: ")
    assert tuple(listener.sentences) == summary.sentences and len(summary.sentences) == 2
    facts = build_facts(SQUATS)
    for line, (said, cue) in zip(
        LINES, zip(summary.sentences, ("", "Knees out"), strict=True), strict=True
    ):
        assert said == line or check_sentence(said, facts, cue=cue).ok
    assert LINES[0] in summary.sentences  # the model's first line had sevens
    assert "7" not in summary.text
    assert "LLM sentence rejected (" in caplog.text


def test_token_budget_gives_the_deterministic_lines(
    models: dict[str, Path], service: Callable[..., SummaryService]
) -> None:
    svc = service(models["rambling"], max_tokens=4)
    assert svc.wait_ready(60)
    summary = ask(svc).wait()
    assert summary.source == "deterministic" and "no words" in summary.reason
    assert summary.sentences == LINES


def test_time_budget_finishes_with_deterministic_text(
    models: dict[str, Path], service: Callable[..., SummaryService]
) -> None:
    svc = service(models["chatty"], max_seconds=0.001)
    assert svc.wait_ready(60)
    summary = ask(svc).wait()
    assert summary.source == "deterministic"
    assert summary.reason == "budget reached (seconds)"
    assert summary.sentences == FALLBACK.sentences


def test_missing_model_file(
    tmp_path: Path, service: Callable[..., SummaryService], caplog: pytest.LogCaptureFixture
) -> None:
    svc = service(tmp_path / "TinyLlama.gguf")
    assert not svc.wait_ready(10)
    assert svc.state == "unavailable" and svc.worker_pid is None
    assert f"LLM model file not found: {tmp_path / 'TinyLlama.gguf'}" in caplog.text
    for _ in range(2):  # the service keeps answering
        summary = ask(svc).wait(5)
        assert (summary.source, summary.sentences) == ("deterministic", FALLBACK.sentences)
        assert "not found" in summary.reason


def test_corrupt_model_file(
    models: dict[str, Path],
    tmp_path: Path,
    service: Callable[..., SummaryService],
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = models["chatty"].read_bytes()
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(data[: len(data) // 3])
    svc = service(cut)
    assert not svc.wait_ready(60)
    assert svc.state == "unavailable"
    assert "LLM model cannot be loaded: llama.cpp cannot load" in caplog.text
    assert ask(svc).wait(5).sentences == FALLBACK.sentences
    assert svc.worker_pid is None and svc.restarts == []


def test_worker_killed_mid_generation_is_restarted(
    models: dict[str, Path], service: Callable[..., SummaryService]
) -> None:
    # Lines that never end a sentence, so the worker is still on the second when killed.
    svc = service(models["rambling"], max_tokens=400, context_tokens=2048)
    assert svc.wait_ready(60)
    pid = svc.worker_pid
    assert pid is not None
    listener = ask(svc, on_first=lambda: os.kill(pid, signal.SIGKILL))
    summary = listener.wait()
    assert summary.reason == f"worker exited with code {-signal.SIGKILL}"
    # The first line was handed on before the kill; the second is its deterministic line.
    assert summary.sentences == LINES == tuple(listener.sentences)
    wait_for(lambda: svc.state == "ready" and svc.worker_pid not in (None, pid))
    again = ask(svc).wait()
    assert again.sentences and "exited" not in again.reason


def test_hung_worker_is_killed_and_restarted(
    models: dict[str, Path], service: Callable[..., SummaryService], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watchdog, "HANG_GRACE_S", 0.3)
    svc = service(models["chatty"], max_seconds=0.5)
    assert svc.wait_ready(60)
    pid = svc.worker_pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    summary = ask(svc).wait()
    assert (summary.source, summary.reason) == ("deterministic", "worker hung")
    wait_for(lambda: svc.state == "ready" and svc.worker_pid not in (None, pid))


def test_restart_budget_then_stays_down(
    models: dict[str, Path],
    service: Callable[..., SummaryService],
    caplog: pytest.LogCaptureFixture,
) -> None:
    svc = service(models["chatty"], restarts=1)
    assert svc.wait_ready(60)
    first = svc.worker_pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: svc.state == "ready" and svc.worker_pid not in (None, first))
    second = svc.worker_pid
    assert second is not None
    os.kill(second, signal.SIGKILL)
    wait_for(lambda: svc.state == "unavailable")
    assert "restarted too often" in svc.reason
    assert "not restarting" in caplog.text
    assert ask(svc).wait(5).source == "deterministic"


def test_cancel_when_a_set_starts(
    models: dict[str, Path], service: Callable[..., SummaryService]
) -> None:
    svc = service(models["rambling"], max_tokens=400, context_tokens=2048)
    assert svc.wait_ready(60)
    pid = svc.worker_pid
    listener = ask(svc, on_first=svc.cancel)
    summary = listener.wait()
    assert summary.cancelled
    assert listener.sentences == [summary.sentences[0]]  # nothing spoken after the cancel
    # The worker stopped generating and serves the next set; it was not restarted.
    second = ask(svc).wait()
    assert not second.cancelled and second.sentences
    assert svc.worker_pid == pid and svc.restarts == []


def test_disabled_llm_never_starts_a_worker(service: Callable[..., SummaryService]) -> None:
    svc = service("", enabled=False)
    assert not svc.wait_ready(5)
    assert svc.state == "off" and svc.worker_pid is None
    assert ask(svc).wait(5).sentences == FALLBACK.sentences


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="no SCHED_IDLE on this platform")
def test_worker_runs_at_lowest_priority(
    models: dict[str, Path], service: Callable[..., SummaryService]
) -> None:
    svc = service(models["chatty"], worker_priority="idle")
    wait_for(lambda: svc.worker_pid is not None, 10)
    pid = svc.worker_pid
    assert pid is not None
    wait_for(lambda: os.sched_getscheduler(pid) == os.SCHED_IDLE, 30)
    assert os.getpriority(os.PRIO_PROCESS, pid) == 19


def test_model_from_the_store_is_hash_checked_by_the_worker(
    models: dict[str, Path],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from edge_trainer.models.store import add_set, current_dir, entry_for

    caplog.set_level(logging.INFO, logger="edge_trainer.coach.worker")
    root = tmp_path / "models"
    entry = entry_for(models["chatty"], "llm", format="gguf")
    add_set(root, {"llm": (models["chatty"], entry)}, label="llm")
    cfg = LlmConfig(worker_priority="normal", threads=1)
    svc = SummaryService(cfg, root)
    try:
        svc.start()
        assert svc.wait_ready(60)
        assert svc.info["sha256"] == entry.sha256
        assert f"sha256 {entry.sha256[:12]}" in caplog.text
    finally:
        svc.close()
    # Same size, different bytes: the manifest hash no longer matches.
    live = current_dir(root) / entry.file
    data = bytearray(live.read_bytes())
    data[-100] ^= 0xFF
    live.unlink()  # the store may hard-link files between versions
    live.write_bytes(bytes(data))
    svc = SummaryService(cfg, root)
    try:
        svc.start()
        assert not svc.wait_ready(60)
        assert svc.state == "unavailable" and "sha256" in svc.reason
        assert ask(svc).wait(5).sentences == FALLBACK.sentences
    finally:
        svc.close()
