"""Clip-level evaluation of a trained classifier: decided labels, confusion matrices."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise.classifier import CLASSES
from edge_trainer.exercise.names import REST
from edge_trainer.exercise.recognition import ExerciseRecognizer, Recognition
from edge_trainer.training.data import Clip


@dataclass(frozen=True)
class ClipResult:
    """How one clip was recognised.

    Attributes:
        name: Clip name.
        truth: True label.
        decided: The set-level decision over the clip's active spans (for a ``rest``
            span: its most probable class).
        window_acc: Fraction of the smoothed per-moment labels equal to the truth.
    """

    name: str
    truth: str
    decided: str
    window_acc: float


def recognise_clip(recognizer: ExerciseRecognizer, clip: Clip) -> ClipResult:
    """Run the live recognizer over a clip frame by frame and decide its exercise."""
    recognizer.reset()
    recs: list[Recognition] = []
    for i, row in enumerate(clip.rows):
        t = i / clip.fps
        # As the box does: a frame with some landmarks goes in as it is (Penn Action has
        # no face or feet, side views lose the far limbs); one with none is "nobody".
        seen = bool(np.isfinite(row[:, :2]).any())
        rec = recognizer.push(row if seen else None, t)
        if rec is not None and any(a <= t <= b for a, b in clip.active):
            recs.append(rec)
    # A span without exercise is never a set, so the set-level rule (best exercise wins)
    # does not apply to it: such a span is right when its most probable class is rest.
    decided = _most_probable(recs) if clip.label == REST else recognizer.decide(recs).label
    acc = float(np.mean([r.label == clip.label for r in recs])) if recs else 0.0
    return ClipResult(clip.name, clip.label, decided, acc)


def _most_probable(recs: list[Recognition]) -> str:
    if not recs:
        return REST
    labels = list(recs[0].probs)
    mean = np.mean([[r.probs[k] for k in labels] for r in recs], axis=0)
    return labels[int(np.argmax(mean))]


def evaluate_clips(model_path: Path, clips: list[Clip]) -> list[ClipResult]:
    """Recognise every clip with the model at ``model_path``."""
    recognizer = ExerciseRecognizer(model_path)
    try:
        return [recognise_clip(recognizer, c) for c in clips]
    finally:
        recognizer.close()


@dataclass
class Confusion:
    """A confusion matrix over the labels that occur."""

    labels: list[str] = field(default_factory=list)
    counts: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, 0), np.int64))

    @classmethod
    def of(cls, results: list[ClipResult]) -> Confusion:
        present = {r.truth for r in results} | {r.decided for r in results}
        labels = [c for c in CLASSES if c in present]
        counts = np.zeros((len(labels), len(labels)), dtype=np.int64)
        for r in results:
            counts[labels.index(r.truth), labels.index(r.decided)] += 1
        return cls(labels, counts)

    def accuracy(self) -> float:
        total = int(self.counts.sum())
        return float(np.trace(self.counts)) / total if total else 0.0

    def markdown(self) -> str:
        """The matrix as a Markdown table, rows = truth, columns = decided."""
        short = [lb[:8] for lb in self.labels]
        lines = ["| truth \\ decided | " + " | ".join(short) + " |"]
        lines.append("|---" * (len(short) + 1) + "|")
        for lb, row in zip(self.labels, self.counts, strict=True):
            cells = " | ".join(str(int(v)) if v else "." for v in row)
            lines.append(f"| {lb} | {cells} |")
        return "\n".join(lines)
