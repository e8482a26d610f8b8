"""The exercise classifier: an int8 TFLite model over one feature window, run on LiteRT."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from edge_trainer.errors import ModelError
from edge_trainer.exercise import catalogue
from edge_trainer.exercise.features import (
    DEFAULT_WINDOW,
    FEATURE_VERSION,
    N_FEATURES,
    WindowSpec,
    mirror_variants,
)
from edge_trainer.exercise.names import REST
from edge_trainer.models.litert import load_interpreter

log = logging.getLogger(__name__)

# The model's output order: the catalogue's labelled exercises, then ``rest``. The shipped
# model was trained in this order; a change needs a retrained model.
CLASSES: tuple[str, ...] = (*catalogue.labels(), REST)


class ExerciseClassifier:
    """Probabilities of each exercise class for one feature window.

    The prediction is averaged over the four mirror variants of the window, so it does not
    change when the person is mirrored or the pose source swaps left and right.

    Args:
        path: The ``.tflite`` model (int8 input and output).
        labels: Class names in output order.
        threads: LiteRT threads.
        spec: The window sampling the model was trained with.
    """

    def __init__(
        self,
        path: Path,
        labels: tuple[str, ...] = CLASSES,
        threads: int = 1,
        spec: WindowSpec = DEFAULT_WINDOW,
    ) -> None:
        self.path = Path(path)
        self.labels = tuple(labels)
        self.spec = spec
        self._interp: Any = load_interpreter(self.path, threads)
        inp = self._interp.get_input_details()[0]
        out = self._interp.get_output_details()[0]
        want = (1, spec.frames, N_FEATURES)
        if tuple(inp["shape"]) != want:
            raise ModelError(
                f"classifier '{path}' takes input {tuple(inp['shape'])}, features give {want} "
                f"(feature version {FEATURE_VERSION})"
            )
        if int(out["shape"][-1]) != len(self.labels):
            raise ModelError(
                f"classifier '{path}' has {out['shape'][-1]} outputs for {len(self.labels)} labels"
            )
        self._in_index = int(inp["index"])
        self._out_index = int(out["index"])
        self._in_dtype = inp["dtype"]
        self._in_scale, self._in_zero = _quant(inp)
        self._out_scale, self._out_zero = _quant(out)

    def _invoke(self, window: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        x = window[None].astype(np.float32)
        if self._in_scale:
            info = np.iinfo(self._in_dtype)
            q = np.round(x / self._in_scale + self._in_zero)
            x_in: npt.NDArray[Any] = np.clip(q, info.min, info.max).astype(self._in_dtype)
        else:
            x_in = x
        self._interp.set_tensor(self._in_index, x_in)
        self._interp.invoke()
        raw = self._interp.get_tensor(self._out_index)[0]
        if self._out_scale:
            return np.asarray(
                (raw.astype(np.float32) - self._out_zero) * self._out_scale, np.float32
            )
        return np.asarray(raw, dtype=np.float32)

    def predict_raw(self, window: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Class probabilities for the window as given, without mirror averaging."""
        return self._invoke(np.asarray(window, dtype=np.float32))

    def predict(self, window: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Class probabilities (summing to 1) for a ``(frames, N_FEATURES)`` window."""
        probs = np.mean([self._invoke(v) for v in mirror_variants(window)], axis=0)
        probs = np.clip(probs, 0.0, None)
        total = float(probs.sum())
        if total <= 0:
            return np.full(len(self.labels), 1.0 / len(self.labels), dtype=np.float32)
        return np.asarray(probs / total, dtype=np.float32)

    def close(self) -> None:
        """Drop the interpreter; idempotent."""
        self._interp = None


def _quant(detail: dict[str, Any]) -> tuple[float, int]:
    scale, zero = detail.get("quantization", (0.0, 0))
    return float(scale), int(zero)
