"""A GGUF chat model through llama-cpp-python that re-words a summary one sentence at a time.

The model stays loaded between sets. The fixed part of the prompt (the chat template up
to where the note goes: system prompt, worked examples and role markers) is evaluated
once at load; ``Llama.generate`` then reuses the longest token prefix it still holds, so
llama.cpp only processes the note, the assistant header and the answer's given start.
``llama_cpp`` is imported inside this module's functions only.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edge_trainer.coach.prompt import messages
from edge_trainer.errors import ModelError, missing_dependency

log = logging.getLogger(__name__)

# Used only when a GGUF carries no chat template of its own.
FALLBACK_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] | capitalize }}: {{ m['content'] }}\n\n{% endfor %}"
    "{% if add_generation_prompt %}Coach:{% endif %}"
)

_SENTINEL = "\u0000FACTS\u0000"
_ABBREVIATIONS = ("vs.", "e.g.", "i.e.", "approx.", "sec.", "min.")
_HAS_WORD = re.compile(r"[A-Za-z0-9]")


class SentenceSplitter:
    """Cuts streamed text into sentences as soon as each one is certainly finished.

    A sentence ends at ``.``, ``!`` or ``?`` followed by whitespace, or at a line break.
    A period between digits (``1.5``) and a few abbreviations do not end one. Fragments
    with no letter or digit (a stray ``..``) are dropped.
    """

    def __init__(self) -> None:
        self._buf = ""

    def feed(self, text: str) -> list[str]:
        """Add streamed text; returns the sentences it completed."""
        self._buf += text
        out: list[str] = []
        start = 0
        i = 0
        while i < len(self._buf):
            ch = self._buf[i]
            end: int | None = None
            if ch == "\n":
                end = i
            elif ch in ".!?":
                if i + 1 >= len(self._buf):
                    break  # the next character decides
                nxt = self._buf[i + 1]
                head = self._buf[start : i + 1].rstrip().lower()
                if nxt.isspace() and not head.endswith(_ABBREVIATIONS):
                    end = i + 1
            if end is not None:
                piece = self._buf[start:end].strip()
                if _HAS_WORD.search(piece):
                    out.append(piece)
                start = end if ch != "\n" else end + 1
            i += 1
        self._buf = self._buf[start:]
        return out

    def flush(self) -> str | None:
        """The unfinished rest at the end of the stream, if it has any words."""
        piece, self._buf = self._buf.strip(), ""
        return piece if _HAS_WORD.search(piece) else None


@dataclass(slots=True)
class GenerationStats:
    """What one summary cost.

    One summary may take several calls (one a sentence); the counts add up over them.

    Attributes:
        prompt_tokens: Tokens in the prompts.
        cached_tokens: Prompt tokens llama.cpp still held from before (reused prefix).
        evaluated_prompt_tokens: Prompt tokens llama.cpp actually processed.
        generated_tokens: Tokens generated.
        prompt_s: Seconds from each call to its first generated token (prompt processing).
        generation_s: Seconds spent generating after that.
        first_sentence_s: Seconds from the first call to the first finished sentence.
        wall_s: Seconds the calls took.
        stop: How the last call ended: ``eos``, ``sentences``, ``tokens``, ``seconds``,
            ``cancelled`` or ``context``.
    """

    prompt_tokens: int = 0
    cached_tokens: int = 0
    evaluated_prompt_tokens: int = 0
    generated_tokens: int = 0
    prompt_s: float = 0.0
    generation_s: float = 0.0
    first_sentence_s: float | None = None
    wall_s: float = 0.0
    stop: str = ""
    sentences: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, float]:
        """Numbers only, for logs and result messages."""
        out = {
            "prompt_tokens": float(self.prompt_tokens),
            "cached_tokens": float(self.cached_tokens),
            "evaluated_prompt_tokens": float(self.evaluated_prompt_tokens),
            "generated_tokens": float(self.generated_tokens),
            "prompt_s": round(self.prompt_s, 4),
            "generation_s": round(self.generation_s, 4),
            "wall_s": round(self.wall_s, 4),
        }
        if self.first_sentence_s is not None:
            out["first_sentence_s"] = round(self.first_sentence_s, 4)
        return out


class ChatPrompt:
    """A GGUF chat template rendered with Jinja2 the way llama-cpp-python renders it.

    Args:
        template: The Jinja2 chat template (``tokenizer.chat_template``).
        bos_token: Text of the model's begin-of-sequence token.
        eos_token: Text of its end-of-sequence token.
    """

    def __init__(self, template: str, bos_token: str, eos_token: str) -> None:
        import jinja2.ext
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        env = ImmutableSandboxedEnvironment(
            trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols]
        )
        self._template = env.from_string(template)
        self.bos_token = bos_token
        self.eos_token = eos_token

    def render(self, chat: list[dict[str, str]]) -> str:
        """The prompt text for ``chat``, ending with the assistant's turn header."""

        def raise_exception(message: str) -> None:
            raise ValueError(message)

        return str(
            self._template.render(
                messages=chat,
                bos_token=self.bos_token,
                eos_token=self.eos_token,
                add_generation_prompt=True,
                raise_exception=raise_exception,
            )
        )

    def split(self, chat: list[dict[str, str]]) -> tuple[str, str]:
        """The text before and after the last user message of ``chat`` (its note).

        Templates that refuse a system role get the system text at the start of the
        first user message instead, which still keeps it in the cacheable part.
        """
        chat = [*chat[:-1], {"role": "user", "content": _SENTINEL}]
        try:
            text = self.render(chat)
        except Exception:  # any template error: the template has no system role
            system = chat[0]["content"] if chat[0]["role"] == "system" else ""
            rest = chat[1:] if system else chat
            first = {"role": "user", "content": f"{system}\n\n{rest[0]['content']}"}
            text = self.render([first, *rest[1:]])
        head, sep, tail = text.partition(_SENTINEL)
        if not sep:
            raise ModelError("the model's chat template drops the user message")
        return head, tail


def _import_llama_cpp() -> Any:
    try:
        import llama_cpp
    except ImportError as exc:
        raise missing_dependency("llama_cpp", extra="llm") from exc
    return llama_cpp


def check_gguf_file(path: Path) -> None:
    """Fail early and clearly on a missing or obviously broken model file.

    Raises:
        ModelError: the file is missing, empty, or not GGUF.
    """
    try:
        with path.open("rb") as f:
            magic = f.read(4)
    except FileNotFoundError as exc:
        raise ModelError(f"LLM model file not found: {path}") from exc
    except OSError as exc:
        raise ModelError(f"cannot read LLM model file {path}: {exc.strerror or exc}") from exc
    if magic != b"GGUF":
        raise ModelError(f"LLM model file {path} is not a GGUF file (corrupt or wrong format)")


class LlamaSummarizer:
    """A loaded GGUF chat model with its fixed prompt (instructions, examples) evaluated.

    Args:
        model_path: The GGUF file.
        n_ctx: Context length in tokens (fixed prompt + note + answer).
        threads: llama.cpp threads.
        temperature: Sampling temperature.
        seed: Sampling seed.

    Raises:
        ModelError: the file is missing, not GGUF, or llama.cpp cannot load it.
        DependencyError: llama-cpp-python is not installed.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        n_ctx: int = 1024,
        threads: int = 1,
        temperature: float = 0.4,
        seed: int = 7,
    ) -> None:
        check_gguf_file(model_path)
        llama_cpp = _import_llama_cpp()
        self.model_path = model_path
        self.temperature = temperature
        t0 = time.monotonic()
        try:
            self._llm = llama_cpp.Llama(
                model_path=str(model_path),
                n_ctx=n_ctx,
                n_threads=threads,
                n_threads_batch=threads,
                seed=seed,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelError(f"llama.cpp cannot load {model_path}: {exc}") from exc
        self.load_s = time.monotonic() - t0
        meta: dict[str, str] = dict(self._llm.metadata)
        template = meta.get("tokenizer.chat_template")
        if not template:
            log.warning("%s has no chat template; using a plain one", model_path.name)
            template = FALLBACK_TEMPLATE
        bos_id, eos_id = self._llm.token_bos(), self._llm.token_eos()
        self._eos_id = eos_id
        self._add_bos = meta.get("tokenizer.ggml.add_bos_token", "true") != "false"
        self.chat = ChatPrompt(template, self._token_text(bos_id), self._token_text(eos_id))
        self.prefix_text, self.suffix_text = self.chat.split(messages(""))
        self.n_ctx = n_ctx
        t1 = time.monotonic()
        prefix = self._tokenize(self.prefix_text)
        self._llm.reset()
        self._llm.eval(prefix)
        self.prefix_tokens = len(prefix)
        self.prefix_s = time.monotonic() - t1

    def _token_text(self, token: int) -> str:
        if token == -1:
            return ""
        return str(self._llm.detokenize([token], special=True).decode("utf-8", errors="ignore"))

    def _tokenize(self, text: str) -> list[int]:
        # A template that writes the BOS text itself must not get a second BOS.
        add_bos = self._add_bos and not (
            self.chat.bos_token and text.startswith(self.chat.bos_token)
        )
        return list(self._llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True))

    def prompt_tokens(self, note: str, start: str = "") -> list[int]:
        """The whole prompt for a note, with the answer's given start, as tokens."""
        return self._tokenize(self.prefix_text + note + self.suffix_text + start)

    def count_tokens(self, text: str) -> int:
        """Tokens in a plain piece of text (no BOS), for estimates."""
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _held_prefix(self, tokens: list[int]) -> int:
        """Prompt tokens llama.cpp still holds from the previous call (it reuses them)."""
        held = self._llm.input_ids[: self._llm.n_tokens]
        n = 0
        for a, b in zip(held, tokens, strict=False):
            if int(a) != b:
                break
            n += 1
        return min(n, len(tokens) - 1)

    def say(
        self,
        note: str,
        start: str = "",
        *,
        max_tokens: int,
        deadline: float,
        should_stop: Callable[[], bool] = lambda: False,
        use_cache: bool = True,
        stats: GenerationStats | None = None,
    ) -> str | None:
        """Re-word one note as one spoken sentence, which begins with ``start``.

        Stops at the first finished sentence, the end-of-sequence token, ``max_tokens``,
        the monotonic ``deadline``, or when ``should_stop()`` turns true (polled after
        every token). A sentence cut off by a budget is not returned.

        Args:
            note: The deterministic sentence to re-word.
            start: The answer's first words, written for the model.
            max_tokens: Hard cap on generated tokens.
            deadline: ``time.monotonic()`` value to stop at.
            should_stop: Polled after every token (a set started).
            use_cache: Reuse the prompt prefix llama.cpp holds (False: process the whole
                prompt, for comparison).
            stats: Counts and times are added to it.
        """
        st = stats if stats is not None else GenerationStats()
        t0 = time.monotonic()
        llm = self._llm
        tokens = self.prompt_tokens(note, start)
        held = self._held_prefix(tokens) if use_cache else 0
        if not use_cache:
            llm.reset()
        st.prompt_tokens += len(tokens)
        st.cached_tokens += held
        st.evaluated_prompt_tokens += len(tokens) - held
        if len(tokens) >= self.n_ctx - 1:
            raise ModelError(f"prompt of {len(tokens)} tokens does not fit n_ctx={self.n_ctx}")
        splitter = SentenceSplitter()
        splitter.feed(start)
        generated: list[int] = []
        emitted = ""
        first_token_at: float | None = None
        st.stop = "eos"
        sentence: str | None = None
        try:
            for token in llm.generate(
                tokens, temp=self.temperature, top_k=40, top_p=0.9, repeat_penalty=1.1
            ):
                if first_token_at is None:
                    first_token_at = time.monotonic()
                if token == self._eos_id or llm.token_eos() == token:
                    break
                generated.append(token)
                text = llm.detokenize(generated).decode("utf-8", errors="ignore")
                new, emitted = text[len(emitted) :], text
                done = splitter.feed(new)
                if done:
                    sentence = done[0]
                    st.stop = "sentences"
                    return sentence
                if should_stop():
                    st.stop = "cancelled"
                    return None
                if len(generated) >= max_tokens:
                    st.stop = "tokens"
                    return None
                if time.monotonic() >= deadline:
                    st.stop = "seconds"
                    return None
                if len(tokens) + len(generated) >= self.n_ctx - 1:
                    st.stop = "context"
                    return None
            sentence = splitter.flush()
            return sentence
        finally:
            end = time.monotonic()
            first = first_token_at if first_token_at is not None else end
            st.prompt_s += first - t0
            st.generation_s += end - first
            st.generated_tokens += len(generated)
            st.wall_s += end - t0
            if sentence is not None:
                st.sentences.append(sentence)
                if st.first_sentence_s is None:
                    st.first_sentence_s = st.wall_s

    def close(self) -> None:
        """Free the model (also done when the object is collected)."""
        llm = getattr(self, "_llm", None)
        if llm is not None:
            llm.close()
            self._llm = None
