"""Loading TFLite models on LiteRT (``ai_edge_litert``, else ``tflite_runtime``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from edge_trainer.errors import ModelError, missing_dependency

log = logging.getLogger(__name__)

# The interpreter classes share one API (tflite_runtime is LiteRT's older name).
Interpreter = Any


def _interpreter_class() -> Any:
    try:
        from ai_edge_litert.interpreter import Interpreter as LiteRtInterpreter
    except ImportError:
        pass
    else:
        return LiteRtInterpreter
    try:
        from tflite_runtime.interpreter import Interpreter as TfliteInterpreter
    except ImportError:
        raise missing_dependency("ai_edge_litert") from None
    log.warning("ai_edge_litert is not installed; using the older tflite_runtime instead")
    return TfliteInterpreter


def load_interpreter(
    path: Path | str, threads: int = 2, model_content: bytes | None = None
) -> Interpreter:
    """Create a LiteRT interpreter for a ``.tflite`` file with its tensors allocated.

    Args:
        path: The model file (also named in errors when ``model_content`` is given).
        threads: CPU threads for the interpreter (XNNPACK).
        model_content: The model bytes, when they were read (or rewritten) already.

    Raises:
        ModelError: the file is missing or is not a model LiteRT can run.
        DependencyError: neither ai_edge_litert nor tflite_runtime is installed.
    """
    cls = _interpreter_class()
    path = Path(path)
    if model_content is None:
        try:
            model_content = path.read_bytes()
        except OSError as exc:
            raise ModelError(f"cannot read model file '{path}': {exc.strerror or exc}") from exc
    if len(model_content) < 8 or model_content[4:8] != b"TFL3":
        raise ModelError(f"model file '{path}' is not a TFLite model (no TFL3 identifier)")
    try:
        interpreter = cls(model_content=model_content, num_threads=max(1, int(threads)))
        interpreter.allocate_tensors()
    except (ValueError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"model file '{path}' cannot be loaded by LiteRT: {first}") from exc
    return interpreter


def _shape(detail: dict[str, Any]) -> tuple[int, ...]:
    return tuple(int(d) for d in detail["shape"])


def expect_input_shape(
    interpreter: Interpreter, shape: Sequence[int], what: str, path: Path | str
) -> None:
    """Check that the model has one float32 input of ``shape``.

    Raises:
        ModelError: naming the file, what the model is for, and the expected shape.
    """
    inputs = interpreter.get_input_details()
    want = tuple(shape)
    if len(inputs) != 1:
        raise ModelError(f"{what} model '{path}' has {len(inputs)} inputs, expected 1 of {want}")
    got = _shape(inputs[0])
    if got != want:
        raise ModelError(f"{what} model '{path}' has input shape {got}, expected {want}")
    dtype = getattr(inputs[0]["dtype"], "__name__", str(inputs[0]["dtype"]))
    if dtype != "float32":
        raise ModelError(f"{what} model '{path}' has {dtype} input, expected float32")


def output_indices(
    interpreter: Interpreter, shapes: dict[str, tuple[int, ...]], what: str, path: Path | str
) -> dict[str, int]:
    """Find each expected output tensor by its shape.

    Args:
        shapes: Output key -> exact shape, each shape unique among the outputs.

    Returns:
        Output key -> tensor index for ``interpreter.get_tensor``.

    Raises:
        ModelError: an expected output is missing.
    """
    by_shape = {_shape(d): int(d["index"]) for d in interpreter.get_output_details()}
    found: dict[str, int] = {}
    for key, shape in shapes.items():
        if shape not in by_shape:
            have = ", ".join(str(s) for s in sorted(by_shape))
            raise ModelError(
                f"{what} model '{path}' has no {key} output of shape {shape} (outputs: {have})"
            )
        found[key] = by_shape[shape]
    return found


def tensor_specs(interpreter: Interpreter) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(inputs, outputs)`` as ``{"shape", "dtype", "name"}`` dicts, for manifests."""

    def spec(d: dict[str, Any]) -> dict[str, Any]:
        dtype = getattr(d["dtype"], "__name__", str(d["dtype"]))
        return {"shape": _shape(d), "dtype": dtype, "name": str(d.get("name", ""))}

    return (
        [spec(d) for d in interpreter.get_input_details()],
        [spec(d) for d in interpreter.get_output_details()],
    )
