"""A GGUF chat model through llama-cpp-python that streams a set summary sentence by sentence.

The model stays loaded between sets. The fixed part of the prompt (the model's chat
template up to where the fact sheet goes: system prompt and role markers) is evaluated
once and its KV state saved; each set restores that state, so llama.cpp only processes
the fact sheet and the assistant header. ``llama_cpp`` is imported inside this module's
functions only.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edge_trainer.errors import ModelError, missing_dependency

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You are a strength coach. The person just finished a set. Using only the facts given, "
    "say two short spoken sentences: first what went well, in under eight words, then one "
    "thing to fix or do next. Only use numbers that appear in the facts. Name no other "
    "exercise. No lists, no greetings, no questions."
)

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
    """What one summary cost, from llama.cpp's own performance counters.

    Attributes:
        prompt_tokens: Tokens in the whole prompt.
        cached_tokens: Prompt tokens restored from the saved prefix state.
        evaluated_prompt_tokens: Prompt tokens llama.cpp actually processed.
        generated_tokens: Tokens generated.
        prompt_s: Seconds llama.cpp spent processing the prompt.
        generation_s: Seconds llama.cpp spent generating.
        first_sentence_s: Seconds from the call to the first finished sentence.
        wall_s: Seconds from the call to the end.
        stop: ``eos``, ``sentences``, ``tokens``, ``seconds``, ``cancelled`` or ``context``.
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

    def render(self, messages: list[dict[str, str]]) -> str:
        """The prompt text for ``messages``, ending with the assistant's turn header."""

        def raise_exception(message: str) -> None:
            raise ValueError(message)

        return str(
            self._template.render(
                messages=messages,
                bos_token=self.bos_token,
                eos_token=self.eos_token,
                add_generation_prompt=True,
                raise_exception=raise_exception,
            )
        )

    def split(self, system: str) -> tuple[str, str]:
        """The text before and after the user's message, with ``system`` in the first part.

        Templates that refuse a system role get the system text at the start of the user
        message instead, which still keeps it in the cacheable part.
        """
        try:
            text = self.render(
                [{"role": "system", "content": system}, {"role": "user", "content": _SENTINEL}]
            )
        except Exception:  # any template error: the template has no system role
            text = self.render([{"role": "user", "content": f"{system}\n\n{_SENTINEL}"}])
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
    """A loaded GGUF chat model with its system prompt already evaluated.

    Args:
        model_path: The GGUF file.
        n_ctx: Context length in tokens (system prompt + facts + answer).
        threads: llama.cpp threads.
        temperature: Sampling temperature.
        seed: Sampling seed (restored with the prefix state, so runs are repeatable).
        system_prompt: The fixed instructions.

    Raises:
        ModelError: the file is missing, not GGUF, or llama.cpp cannot load it.
        DependencyError: llama-cpp-python is not installed.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        n_ctx: int = 1024,
        threads: int = 2,
        temperature: float = 0.3,
        seed: int = 7,
        system_prompt: str = SYSTEM_PROMPT,
    ) -> None:
        check_gguf_file(model_path)
        llama_cpp = _import_llama_cpp()
        self._lib = llama_cpp
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
        model = self._llm._model
        bos_id, eos_id = self._llm.token_bos(), self._llm.token_eos()
        bos = model.token_get_text(bos_id) if bos_id != -1 else ""
        eos = model.token_get_text(eos_id) if eos_id != -1 else ""
        self._eos_id = eos_id
        self._add_bos = meta.get("tokenizer.ggml.add_bos_token", "true") != "false"
        self.chat = ChatPrompt(template, bos, eos)
        self.prefix_text, self.suffix_text = self.chat.split(system_prompt)
        self.n_ctx = n_ctx
        t1 = time.monotonic()
        prefix = self._tokenize(self.prefix_text)
        self._llm.reset()
        self._llm.eval(prefix)
        self._prefix_state = self._llm.save_state()
        self.prefix_tokens = len(prefix)
        self.prefix_s = time.monotonic() - t1

    def _tokenize(self, text: str) -> list[int]:
        # A template that writes the BOS text itself must not get a second BOS.
        add_bos = self._add_bos and not (
            self.chat.bos_token and text.startswith(self.chat.bos_token)
        )
        return list(self._llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True))

    def prompt_tokens(self, sheet: str) -> list[int]:
        """The whole prompt for a fact sheet, as tokens."""
        return self._tokenize(self.prefix_text + sheet + self.suffix_text)

    def count_tokens(self, text: str) -> int:
        """Tokens in a plain piece of text (no BOS), for estimates."""
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _is_end(self, token: int) -> bool:
        try:
            return bool(self._lib.llama_vocab_is_eog(self._llm._model.vocab, token))
        except AttributeError:
            return bool(token == self._eos_id)

    def sentences(
        self,
        sheet: str,
        *,
        max_tokens: int,
        max_seconds: float,
        max_sentences: int,
        should_stop: Callable[[], bool] = lambda: False,
        use_cache: bool = True,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        """Generate a summary of ``sheet`` and yield each sentence as soon as it is finished.

        Stops at the end-of-sequence token, after ``max_sentences``, at ``max_tokens``,
        after ``max_seconds`` (from the call), or when ``should_stop()`` turns true. An
        unfinished sentence cut off by a budget is not yielded. ``stats`` is filled in as
        generation goes and is complete when the iterator ends.

        Args:
            sheet: The fact sheet.
            max_tokens: Hard cap on generated tokens.
            max_seconds: Hard cap on seconds.
            max_sentences: Stop after this many sentences.
            should_stop: Polled after every token (a set started).
            use_cache: Restore the saved system-prompt state (False: process the whole
                prompt, for comparison).
            stats: Filled in with counts and times.
        """
        st = stats if stats is not None else GenerationStats()
        t0 = time.monotonic()
        deadline = t0 + max_seconds
        lib, llm = self._lib, self._llm
        tokens = self.prompt_tokens(sheet)
        st.prompt_tokens = len(tokens)
        if use_cache:
            llm.load_state(self._prefix_state)
            st.cached_tokens = self._common_prefix(tokens)
        else:
            llm.reset()
        lib.llama_perf_context_reset(llm._ctx.ctx)
        room = self.n_ctx - len(tokens)
        if room <= 1:
            raise ModelError(f"prompt of {len(tokens)} tokens does not fit n_ctx={self.n_ctx}")
        splitter = SentenceSplitter()
        generated: list[int] = []
        emitted = ""
        st.stop = "eos"
        try:
            for token in llm.generate(
                tokens, temp=self.temperature, top_k=40, top_p=0.95, repeat_penalty=1.1
            ):
                if self._is_end(token):
                    break
                generated.append(token)
                text = llm.detokenize(generated).decode("utf-8", errors="ignore")
                new, emitted = text[len(emitted) :], text
                for sentence in splitter.feed(new):
                    if st.first_sentence_s is None:
                        st.first_sentence_s = time.monotonic() - t0
                    st.sentences.append(sentence)
                    yield sentence
                    if len(st.sentences) >= max_sentences:
                        st.stop = "sentences"
                        return
                if should_stop():
                    st.stop = "cancelled"
                    return
                if len(generated) >= max_tokens:
                    st.stop = "tokens"
                    return
                if time.monotonic() >= deadline:
                    st.stop = "seconds"
                    return
                if len(generated) >= room - 1:
                    st.stop = "context"
                    return
            rest = splitter.flush()
            if rest:
                if st.first_sentence_s is None:
                    st.first_sentence_s = time.monotonic() - t0
                st.sentences.append(rest)
                yield rest
        finally:
            perf = lib.llama_perf_context(llm._ctx.ctx)
            st.evaluated_prompt_tokens = int(perf.n_p_eval)
            st.generated_tokens = len(generated)
            st.prompt_s = float(perf.t_p_eval_ms) / 1000.0
            st.generation_s = float(perf.t_eval_ms) / 1000.0
            st.wall_s = time.monotonic() - t0

    def _common_prefix(self, tokens: list[int]) -> int:
        saved = self._prefix_state.input_ids[: self._prefix_state.n_tokens]
        n = 0
        for a, b in zip(saved, tokens, strict=False):
            if int(a) != b:
                break
            n += 1
        return n

    def close(self) -> None:
        """Free the model (also done when the object is collected)."""
        llm = getattr(self, "_llm", None)
        if llm is not None:
            llm.close()
            self._llm = None
