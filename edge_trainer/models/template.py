"""Rendering a GGUF model's chat template once, in a sandbox with time and size limits.

A chat template is a Jinja program that ships inside the model file. A hostile or broken
one can loop for hours (``range(100000)`` nested) or build a string of gigabytes; the
trial load renders it the way llama.cpp's Python binding does (Jinja's immutable
sandbox) on a sample conversation, and refuses the model when it takes longer than
``TIME_LIMIT_S``, writes more than ``OUTPUT_LIMIT`` characters, or fails.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from edge_trainer.errors import ModelError

log = logging.getLogger(__name__)

TIME_LIMIT_S = 5.0
OUTPUT_LIMIT = 64 * 1024  # a prompt for a two-sentence summary is a few hundred characters
SAMPLE = (
    {"role": "system", "content": "You are a gym coach. Say the facts in two sentences."},
    {"role": "user", "content": "exercise: squat; reps: 8; slowest rep: 7"},
)


class _TimeoutError(Exception):
    """The template ran past its time limit."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (SIGALRM: the main thread of the trial child)."""
    if threading.current_thread() is not threading.main_thread():
        raise ModelError("chat templates are rendered on a main thread, with a time limit")

    def expire(signum: int, frame: object) -> None:
        raise _TimeoutError

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _environment() -> Any:
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Bounded(ImmutableSandboxedEnvironment):
        """Jinja's immutable sandbox, with ``*`` and ``**`` kept from making huge values."""

        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            sized = isinstance(left, (str, list, tuple)) or isinstance(right, (str, list, tuple))
            if operator == "*" and sized:
                seq, times = (
                    (left, right) if isinstance(left, (str, list, tuple)) else (right, left)
                )
                if isinstance(times, int) and len(seq) * times > OUTPUT_LIMIT:
                    raise SecurityError("the template builds a value too large")
            if operator == "**" and isinstance(right, int) and abs(right) > 64:
                raise SecurityError("the template raises to a power too large")
            return super().call_binop(context, operator, left, right)

    def raise_exception(message: str) -> None:
        raise ModelError(f"the chat template raised: {message}")

    env = Bounded(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    return env


def render_template(template: str) -> str:
    """Render ``template`` on a sample conversation within the limits; returns the text.

    Raises:
        ModelError: the template does not parse, fails, is too slow or writes too much.
    """
    if len(template) > OUTPUT_LIMIT:
        raise ModelError(f"chat template is {len(template)} characters (limit {OUTPUT_LIMIT})")
    try:
        import jinja2
    except ImportError as exc:
        raise ModelError("jinja2 is needed to check the chat template") from exc
    out: list[str] = []
    size = 0
    try:
        with _deadline(TIME_LIMIT_S):
            compiled = _environment().from_string(template)
            for chunk in compiled.generate(
                messages=list(SAMPLE),
                add_generation_prompt=True,
                bos_token="<s>",
                eos_token="</s>",
            ):
                size += len(chunk)
                if size > OUTPUT_LIMIT:
                    raise ModelError(
                        f"chat template writes more than {OUTPUT_LIMIT} characters for a "
                        "two-message conversation"
                    )
                out.append(chunk)
    except _TimeoutError:
        raise ModelError(f"chat template takes longer than {TIME_LIMIT_S:g} s to render") from None
    except ModelError:
        raise
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError, RecursionError) as exc:
        raise ModelError(f"chat template does not render: {exc}") from exc
    except MemoryError:
        raise ModelError("chat template runs out of memory") from None
    return "".join(out)


def gguf_chat_template(path: Path) -> str | None:
    """The ``tokenizer.chat_template`` in a GGUF file's header, read without loading it
    (None when it has none, or the ``gguf`` package is not installed)."""
    try:
        from gguf import GGUFReader
    except ImportError:
        log.debug("gguf package not installed: %s's chat template not checked", path.name)
        return None
    try:
        field = GGUFReader(str(path)).fields.get("tokenizer.chat_template")
    except Exception as exc:  # the reader raises assorted errors on a malformed file
        raise ModelError(f"'{path.name}' is not a readable GGUF file: {exc}") from exc
    if field is None:
        return None
    return bytes(field.parts[field.data[0]]).decode("utf-8", "replace")


def check_gguf_model(path: Path) -> None:
    """Before a GGUF model given on the command line is loaded: a regular file whose chat
    template renders within the limits (a file that is not GGUF is left to the loader).

    Raises:
        InputError: not a regular file (a fifo would block).
        ModelError: its chat template hangs, explodes or fails.
    """
    from edge_trainer.inputs import regular_file

    regular_file(path, "GGUF file")
    with path.open("rb") as f:
        if f.read(4) != b"GGUF":
            return  # not GGUF at all: the loader says so in its own words
    template = gguf_chat_template(path)
    if template:
        render_template(template)
