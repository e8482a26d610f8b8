"""Live exercise recognition: a sliding window, the classifier, and temporal smoothing."""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from edge_trainer.errors import ModelError
from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise import kinematics
from edge_trainer.exercise.classifier import CLASSES, ExerciseClassifier
from edge_trainer.exercise.decision import Decision, OpenSet, decide_exercise
from edge_trainer.exercise.features import (
    DEFAULT_WINDOW,
    FEATURE_VERSION,
    WindowSpec,
    window_features,
)
from edge_trainer.exercise.names import REST
from edge_trainer.models.manifest import ModelEntry, read_manifest, verify_entry

log = logging.getLogger(__name__)

ROLE = "classifier"


@dataclass(frozen=True)
class Recognition:
    """The smoothed recognition at one moment.

    Attributes:
        label: The exercise (one of the model's labels; ``rest`` = not exercising).
        confidence: Smoothed probability of ``label``.
        probs: Smoothed probability of every label.
    """

    label: str
    confidence: float
    probs: dict[str, float]


class ExerciseRecognizer:
    """Feeds pose rows through the classifier every ``hop_s`` and smooths the result.

    ``push`` returns a new Recognition each time the classifier runs (every ``hop_s`` of
    source time once a full window is buffered) and None in between; ``current`` holds the
    latest one. Smoothing is an exponential average of the probabilities (time constant
    ``tau_s``) plus hysteresis: the label changes only when another class has led for
    ``hold`` consecutive runs, or leads the current label by ``margin``.

    Args:
        model_path: The ``.tflite`` classifier.
        labels: Class names in model output order.
        threads: LiteRT threads.
        spec: Window sampling the model was trained with.
        hop_s: Source seconds between classifier runs.
        tau_s: Smoothing time constant.
        hold: Runs a new leader needs before the label switches.
        margin: Lead that switches the label at once.
    """

    def __init__(
        self,
        model_path: Path,
        labels: tuple[str, ...] = CLASSES,
        threads: int = 1,
        *,
        spec: WindowSpec = DEFAULT_WINDOW,
        hop_s: float = 0.2,
        tau_s: float = 0.6,
        hold: int = 3,
        margin: float = 0.25,
    ) -> None:
        if REST not in labels:
            raise ModelError(f"classifier labels {labels} lack the '{REST}' class")
        self.classifier = ExerciseClassifier(Path(model_path), labels, threads, spec)
        self.labels = tuple(labels)
        self.spec = spec
        self.hop_s = hop_s
        self.hold = hold
        self.margin = margin
        self._alpha = 1.0 - math.exp(-hop_s / tau_s)
        self._keep_s = spec.duration_s + 2.0 / spec.rate_hz
        self._rest = np.array([1.0 if k == REST else 0.0 for k in labels], dtype=np.float32)
        self._rows: deque[npt.NDArray[np.float32]] = deque()
        self._times: deque[float] = deque()
        self.current: Recognition | None = None
        # How the model was made (its manifest's provenance: trainer, seed, sources).
        self.provenance = ""
        # How a set is named from its recognitions (calibration and the unknown threshold).
        self.open_set = OpenSet()
        self.reset()

    @classmethod
    def from_entry(
        cls, folder: Path, entry: ModelEntry, threads: int = 1, **kwargs: float | int
    ) -> ExerciseRecognizer:
        """Build from a manifest entry whose file is in ``folder`` (hash checked)."""
        if entry.feature_version != FEATURE_VERSION:
            raise ModelError(
                f"classifier '{entry.file}' was trained on feature version "
                f"{entry.feature_version}; this edge-trainer computes version {FEATURE_VERSION}"
            )
        path = verify_entry(folder, entry)
        labels = entry.labels or CLASSES
        log.info("classifier %s sha256 %s, %d classes", path, entry.sha256[:12], len(labels))
        recognizer = cls(path, tuple(labels), threads, **kwargs)  # type: ignore[arg-type]
        recognizer.provenance = entry.provenance
        return recognizer

    @classmethod
    def from_folder(cls, folder: Path, threads: int = 1) -> ExerciseRecognizer:
        """Build from a folder with a ``manifest.json`` holding a classifier entry."""
        manifest = read_manifest(Path(folder))
        entry = manifest.models.get(ROLE)
        if entry is None:
            raise ModelError(f"model manifest in '{folder}' has no {ROLE} model")
        return cls.from_entry(Path(folder), entry, threads)

    @classmethod
    def from_store(cls, models_dir: Path, threads: int = 1) -> ExerciseRecognizer:
        """Build from the live set of the model store (``models.store.resolve``)."""
        from edge_trainer.models.store import resolve

        path, entry = resolve(Path(models_dir), ROLE)
        return cls.from_entry(path.parent, entry, threads)

    def reset(self) -> None:
        """Forget the buffered frames and the smoothed state (a new person or session)."""
        self._rows.clear()
        self._times.clear()
        self._smooth: npt.NDArray[np.float32] | None = None
        self._label = REST
        self._challenger: str | None = None
        self._challenger_runs = 0
        self._last_run: float | None = None
        self.current = None

    def push(self, row: npt.NDArray[Any] | None, t: float) -> Recognition | None:
        """Add one frame's landmarks (``(33, 4)``, or None when nobody was found).

        Returns:
            A new Recognition when the classifier ran on this frame, else None.
        """
        if self._times and t <= self._times[-1]:
            log.debug("frame at %.3f s is not after %.3f s; skipped", t, self._times[-1])
            return None
        if row is None:
            arr = np.full((33, 4), np.nan, dtype=np.float32)
        else:
            arr = np.asarray(row, dtype=np.float32)
            if arr.shape[0] != geo.N_LANDMARKS or arr.ndim != geo.ROW_NDIM or arr.shape[1] < geo.XY:
                from edge_trainer.errors import InputError

                raise InputError(f"a landmark row must have shape (33, 4), got {arr.shape}")
        self._rows.append(arr[:, : geo.XYZV] if arr.shape[1] >= geo.XYZV else arr)
        self._times.append(float(t))
        while self._times and self._times[0] < t - self._keep_s:
            self._times.popleft()
            self._rows.popleft()
        if t - self._times[0] < self.spec.duration_s - 0.5 / self.spec.rate_hz:
            return None
        if self._last_run is not None and t - self._last_run < self.hop_s - 1e-6:
            return None
        self._last_run = t
        return self._run(t)

    def _run(self, t: float) -> Recognition:
        rows = np.stack(list(self._rows))
        window = window_features(rows, np.asarray(self._times), t, self.spec)
        probs = self._rest if window is None else self.classifier.predict(window)
        if self._smooth is None:
            self._smooth = probs.copy()
            self._label = self.labels[int(np.argmax(probs))]
        else:
            self._smooth = (1 - self._alpha) * self._smooth + self._alpha * probs
            self._update_label()
        smooth = self._smooth
        rec = Recognition(
            label=self._label,
            confidence=float(smooth[self.labels.index(self._label)]),
            probs={k: float(p) for k, p in zip(self.labels, smooth, strict=True)},
        )
        self.current = rec
        return rec

    def _update_label(self) -> None:
        assert self._smooth is not None
        lead = self.labels[int(np.argmax(self._smooth))]
        if lead == self._label:
            self._challenger, self._challenger_runs = None, 0
            return
        gap = float(self._smooth[self.labels.index(lead)]) - float(
            self._smooth[self.labels.index(self._label)]
        )
        self._challenger_runs = self._challenger_runs + 1 if lead == self._challenger else 1
        self._challenger = lead
        if gap >= self.margin or self._challenger_runs >= self.hold:
            self._label, self._challenger, self._challenger_runs = lead, None, 0

    def decide(self, recognitions: Sequence[Any], rows: npt.ArrayLike | None = None) -> Decision:
        """The exercise of a set from its recognitions and landmarks (see
        :func:`decision.decide_exercise`; ``open_set`` says how)."""
        movement = None if rows is None else kinematics.measure(rows)
        return decide_exercise(recognitions, movement=movement, open_set=self.open_set)

    def close(self) -> None:
        """Release the interpreter; idempotent."""
        self.classifier.close()
