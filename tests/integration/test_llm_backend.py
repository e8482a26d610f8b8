"""The llama.cpp backend on a tiny random GGUF: template, cached prefix, streaming, budgets."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge_trainer.coach.facts import SetFacts, build_facts
from edge_trainer.coach.llm import SYSTEM_PROMPT, GenerationStats, LlamaSummarizer
from edge_trainer.errors import ModelError
from edge_trainer.events import RepRecord, SetRecord
from tests.llm_fixture import CHATTY_BIAS, build_tiny_gguf

pytest.importorskip("llama_cpp", reason="llama-cpp-python (the 'llm' extra) is not installed")
pytestmark = pytest.mark.llm


def squat_facts(n: int = 8, loss: float | None = 23.0) -> SetFacts:
    reps = tuple(
        RepRecord(
            i,
            3.0 * i,
            3.0 * i + 2.6,
            1.1,
            1.5,
            faults=("squat_knee_valgus",) if i in (3, 5) else (),
        )
        for i in range(1, n + 1)
    )
    return build_facts(SetRecord("squat", 0.0, 30.0, reps, velocity_loss_pct=loss))


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> LlamaSummarizer:
    path = build_tiny_gguf(tmp_path_factory.mktemp("llm") / "tiny.gguf", bias=CHATTY_BIAS)
    m = LlamaSummarizer(path, n_ctx=1024, threads=1)
    yield m  # type: ignore[misc]
    m.close()


def test_prompt_comes_from_the_gguf_chat_template(model: LlamaSummarizer) -> None:
    assert model.prefix_text == f"<s><|system|>\n{SYSTEM_PROMPT}</s>\n<|user|>\n"
    assert model.suffix_text == "</s>\n<|assistant|>\n"
    tokens = model.prompt_tokens(squat_facts().sheet())
    # The template writes the BOS itself; it must not be added twice.
    assert tokens[0] == 1 and tokens[1] != 1


def test_cached_prefix_means_fewer_prompt_tokens_per_set(model: LlamaSummarizer) -> None:
    sheet_a, sheet_b = squat_facts(8).sheet(), squat_facts(6, None).sheet()
    full = GenerationStats()
    list(
        model.sentences(
            sheet_a, max_tokens=8, max_seconds=10, max_sentences=2, use_cache=False, stats=full
        )
    )
    first, second = GenerationStats(), GenerationStats()
    list(model.sentences(sheet_a, max_tokens=8, max_seconds=10, max_sentences=2, stats=first))
    list(model.sentences(sheet_b, max_tokens=8, max_seconds=10, max_sentences=2, stats=second))
    # Counts read from llama.cpp's own performance counters.
    assert full.evaluated_prompt_tokens == full.prompt_tokens
    assert model.prefix_tokens > 50
    for st in (first, second):
        assert st.cached_tokens == model.prefix_tokens
        assert st.evaluated_prompt_tokens == st.prompt_tokens - model.prefix_tokens
        assert st.evaluated_prompt_tokens < full.evaluated_prompt_tokens / 2


def test_sentences_are_handed_off_while_generation_goes_on(model: LlamaSummarizer) -> None:
    st = GenerationStats()
    seen_at: list[int] = []
    for _sentence in model.sentences(
        squat_facts().sheet(), max_tokens=200, max_seconds=10, max_sentences=3, stats=st
    ):
        seen_at.append(model._llm.n_tokens)  # tokens llama.cpp has processed so far
    assert len(st.sentences) == 3 and st.stop == "sentences"
    assert seen_at == sorted(set(seen_at))
    assert seen_at[0] < seen_at[-1]
    assert st.first_sentence_s is not None and st.first_sentence_s < st.wall_s
    assert all(s.endswith((".", "!", "?")) for s in st.sentences)


def test_token_budget_drops_the_unfinished_sentence(model: LlamaSummarizer) -> None:
    st = GenerationStats()
    out = list(
        model.sentences(
            squat_facts().sheet(), max_tokens=2, max_seconds=10, max_sentences=3, stats=st
        )
    )
    assert (out, st.stop, st.generated_tokens) == ([], "tokens", 2)


def test_time_budget_stops_generation(model: LlamaSummarizer) -> None:
    st = GenerationStats()
    out = list(
        model.sentences(
            squat_facts().sheet(), max_tokens=500, max_seconds=0.0, max_sentences=3, stats=st
        )
    )
    assert (out, st.stop, st.generated_tokens) == ([], "seconds", 1)


def test_cancel_stops_after_one_token(model: LlamaSummarizer) -> None:
    st = GenerationStats()
    list(
        model.sentences(
            squat_facts().sheet(),
            max_tokens=500,
            max_seconds=10,
            max_sentences=3,
            should_stop=lambda: True,
            stats=st,
        )
    )
    assert (st.stop, st.generated_tokens) == ("cancelled", 1)


def test_template_without_system_role(tmp_path: Path) -> None:
    template = (
        "{% for m in messages %}{% if m['role'] == 'system' %}"
        "{{ raise_exception('System role not supported') }}{% endif %}"
        "{{ '[' + m['role'] + '] ' + m['content'] + '\\n' }}{% endfor %}[assistant] "
    )
    path = build_tiny_gguf(tmp_path / "nosys.gguf", bias=CHATTY_BIAS, chat_template=template)
    m = LlamaSummarizer(path, n_ctx=512, threads=1, system_prompt="Be brief.")
    try:
        assert m.prefix_text == "[user] Be brief.\n\n"
        assert m.suffix_text == "\n[assistant] "
        st = GenerationStats()
        list(m.sentences("Reps: 8", max_tokens=4, max_seconds=10, max_sentences=1, stats=st))
        assert st.cached_tokens == m.prefix_tokens
    finally:
        m.close()


def test_missing_and_corrupt_files_raise_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        LlamaSummarizer(tmp_path / "nope.gguf")
    (tmp_path / "text.gguf").write_text("hello")
    with pytest.raises(ModelError, match="not a GGUF file"):
        LlamaSummarizer(tmp_path / "text.gguf")
    good = build_tiny_gguf(tmp_path / "good.gguf").read_bytes()
    (tmp_path / "cut.gguf").write_bytes(good[: len(good) // 2])
    with pytest.raises(ModelError, match=r"llama\.cpp cannot load"):
        LlamaSummarizer(tmp_path / "cut.gguf")
