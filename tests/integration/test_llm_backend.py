"""The llama.cpp backend: template, reused prefix, one sentence a call, budgets (tiny random
GGUF), and what the real SmolLM2 model says."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from edge_trainer.coach.facts import SetFacts
from edge_trainer.coach.llm import GenerationStats, LlamaSummarizer
from edge_trainer.coach.prompt import EXAMPLES, SYSTEM_PROMPT
from edge_trainer.coach.summary import coach_lines
from edge_trainer.errors import ModelError
from tests.llm_fixture import CHATTY_BIAS, build_tiny_gguf, knees_in_facts

pytest.importorskip("llama_cpp", reason="llama-cpp-python (the 'llm' extra) is not installed")
pytestmark = pytest.mark.llm


def squat_facts(n: int = 8, loss: float | None = 23.0) -> SetFacts:
    return knees_in_facts(n, loss)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> LlamaSummarizer:
    path = build_tiny_gguf(tmp_path_factory.mktemp("llm") / "tiny.gguf", bias=CHATTY_BIAS)
    m = LlamaSummarizer(path, n_ctx=1024, threads=1)
    yield m  # type: ignore[misc]
    m.close()


def say(
    m: LlamaSummarizer, note: str, start: str = "", **kw: object
) -> tuple[str | None, GenerationStats]:
    st = kw.pop("stats", None) or GenerationStats()
    assert isinstance(st, GenerationStats)
    args: dict[str, object] = {"max_tokens": 40, "deadline": time.monotonic() + 10, **kw}
    return m.say(note, start, stats=st, **args), st  # type: ignore[arg-type]


def test_prompt_comes_from_the_gguf_chat_template(model: LlamaSummarizer) -> None:
    assert model.prefix_text.startswith(f"<s><|system|>\n{SYSTEM_PROMPT}</s>\n<|user|>\n")
    note, answer = EXAMPLES[0]
    assert f"{note}</s>\n<|assistant|>\n{answer}</s>\n" in model.prefix_text
    assert model.prefix_text.endswith("<|user|>\n")
    assert model.suffix_text == "</s>\n<|assistant|>\n"
    tokens = model.prompt_tokens("8 squats.", "Nice work, you")
    # The template writes the BOS itself; it must not be added twice.
    assert tokens[0] == 1 and tokens[1] != 1


def test_the_fixed_prompt_is_reused_by_llama_generate(model: LlamaSummarizer) -> None:
    _, full = say(model, "8 squats.", max_tokens=8, use_cache=False)
    _, first = say(model, "8 squats.", max_tokens=8)
    _, second = say(model, "6 squats, no form faults.", max_tokens=8)
    assert full.evaluated_prompt_tokens == full.prompt_tokens
    assert model.prefix_tokens > 150
    for st in (first, second):
        assert st.cached_tokens >= model.prefix_tokens
        assert st.evaluated_prompt_tokens == st.prompt_tokens - st.cached_tokens
        assert st.evaluated_prompt_tokens < full.evaluated_prompt_tokens / 5


def test_one_sentence_a_call_starting_with_the_given_words(model: LlamaSummarizer) -> None:
    sentence, st = say(model, "8 squats.", "Nice work, you")
    assert sentence is not None and sentence.startswith("Nice work, you")
    assert sentence.endswith((".", "!", "?")) and st.stop == "sentences"
    assert st.first_sentence_s is not None and st.first_sentence_s <= st.wall_s
    assert st.sentences == [sentence]


def test_token_budget_drops_the_unfinished_sentence(model: LlamaSummarizer) -> None:
    sentence, st = say(model, "8 squats.", max_tokens=2)
    assert (sentence, st.stop, st.generated_tokens) == (None, "tokens", 2)


def test_time_budget_stops_generation(model: LlamaSummarizer) -> None:
    sentence, st = say(model, "8 squats.", deadline=time.monotonic())
    assert (sentence, st.stop, st.generated_tokens) == (None, "seconds", 1)


def test_cancel_stops_after_one_token(model: LlamaSummarizer) -> None:
    _, st = say(model, "8 squats.", should_stop=lambda: True)
    assert (st.stop, st.generated_tokens) == ("cancelled", 1)


def test_template_without_system_role(tmp_path: Path) -> None:
    template = (
        "{% for m in messages %}{% if m['role'] == 'system' %}"
        "{{ raise_exception('System role not supported') }}{% endif %}"
        "{{ '[' + m['role'] + '] ' + m['content'] + '\\n' }}{% endfor %}[assistant] "
    )
    path = build_tiny_gguf(tmp_path / "nosys.gguf", bias=CHATTY_BIAS, chat_template=template)
    m = LlamaSummarizer(path, n_ctx=1024, threads=1)
    try:
        assert m.prefix_text.startswith(f"[user] {SYSTEM_PROMPT}\n\n{EXAMPLES[0][0]}\n")
        assert m.suffix_text == "\n[assistant] "
        _, st = say(m, "8 squats.", max_tokens=4)
        assert st.cached_tokens >= m.prefix_tokens
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


@pytest.mark.slow
def test_real_smollm2_coaches_the_top_fault(smollm2: Path) -> None:
    # The real default model on a faulted squat set: each line re-worded in one call.
    m = LlamaSummarizer(smollm2, threads=1)
    try:
        facts = squat_facts()
        well, fix = coach_lines(facts)
        assert fix.cue == "Knees out"
        said, st = say(m, well.text, "Nice work, you")
        assert said is not None and said.startswith("Nice work, you")
        fixed, _ = say(m, fix.text, "Next set, knees out,", stats=st)
        assert fixed is not None and fixed.startswith("Next set, knees out,")
        # The instructions and examples (a few hundred tokens) are processed once, at load.
        assert m.prefix_tokens > 200 and st.evaluated_prompt_tokens < 120
    finally:
        m.close()
