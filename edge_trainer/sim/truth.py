"""Ground truth of a rendered clip: landmarks per frame, reps, sets and labelled segments."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from edge_trainer.errors import InputError

TRUTH_VERSION = 1


@dataclass(frozen=True, slots=True)
class RepTruth:
    """One rep as rendered.

    Attributes:
        index: 1-based number within the set.
        start_frame: First frame of the rep.
        bottom_frame: Frame at the middle of the turning point (the bottom of a squat,
            the top of a curl).
        end_frame: Frame the rep is back at its start position.
        concentric_s: Seconds of the lifting phase; ``eccentric_s`` of the lowering.
        pause_s: Seconds held at the turning point and before the next rep.
        faults: Fault codes injected in this rep (see ``edge_trainer.sim.faults``).
    """

    index: int
    start_frame: int
    bottom_frame: int
    end_frame: int
    concentric_s: float
    eccentric_s: float
    pause_s: float
    faults: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SetTruth:
    """One set: its exercise, frame span and reps."""

    exercise: str
    variant: str
    view_deg: float
    start_frame: int
    end_frame: int
    reps: tuple[RepTruth, ...]


@dataclass(frozen=True, slots=True)
class SegmentTruth:
    """A span of frames ``[start_frame, end_frame)`` with one label.

    ``label`` is the exercise name during a set and ``rest`` otherwise; ``activity``
    says what was rendered (``squat``, ``walk_in``, ``stand``, ``transition``, ...).
    """

    label: str
    activity: str
    start_frame: int
    end_frame: int


@dataclass(frozen=True, slots=True)
class Truth:
    """Everything known about a rendered clip.

    Attributes:
        fps: Frame rate; ``width`` and ``height`` the frame size in pixels.
        landmarks: ``(frames, 33, 4)`` float32 x, y (normalised to the frame), z (relative
            depth in x's scale, hips at 0, negative towards the camera) and visibility
            (1 in frame and not hidden, else 0); all NaN where the person is out of frame.
        segments: Labelled spans covering every frame in order.
        sets: The sets with their reps.
        seed: The clip's seed; ``spec`` a JSON-able summary of the clip spec.
    """

    fps: float
    width: int
    height: int
    landmarks: npt.NDArray[np.float32]
    segments: tuple[SegmentTruth, ...]
    sets: tuple[SetTruth, ...]
    seed: int
    spec: dict[str, Any]

    @property
    def frames(self) -> int:
        """Number of frames."""
        return int(self.landmarks.shape[0])

    @property
    def rep_count(self) -> int:
        """Reps over all sets."""
        return sum(len(s.reps) for s in self.sets)

    def labels(self) -> list[str]:
        """The label of every frame."""
        out = [""] * self.frames
        for seg in self.segments:
            out[seg.start_frame : seg.end_frame] = [seg.label] * (seg.end_frame - seg.start_frame)
        return out

    def landmark_array(self) -> npt.NDArray[np.float32]:
        """``(frames, 33, 4)`` x, y, z, visibility: the layout of ``repcount_pose`` files."""
        return self.landmarks.copy()

    def to_json(self) -> str:
        """Deterministic JSON text (fixed rounding, sorted keys)."""
        rounded = np.round(self.landmarks.astype(np.float64), 5)
        empty = np.isnan(self.landmarks).all(axis=(1, 2))
        lm = [None if gone else row.tolist() for row, gone in zip(rounded, empty, strict=True)]
        doc = {
            "version": TRUTH_VERSION,
            "fps": self.fps,
            "width": self.width,
            "height": self.height,
            "frames": self.frames,
            "seed": self.seed,
            "spec": self.spec,
            "landmark_columns": ["x", "y", "z", "visibility"],
            "segments": [asdict(s) for s in self.segments],
            "sets": [asdict(s) for s in self.sets],
            "landmarks": lm,
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":"))

    def save(self, path: str | Path) -> None:
        """Write ``to_json()`` to ``path``."""
        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")

    @staticmethod
    def load(path: str | Path) -> Truth:
        """Read a truth file written by ``save``; InputError if it is not one."""
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8"))
            return Truth.from_dict(doc)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"cannot read truth file '{path}': {exc}") from None

    @staticmethod
    def from_dict(doc: dict[str, Any]) -> Truth:
        """Inverse of ``to_json``'s document."""
        n = int(doc["frames"])
        arr = np.full((n, 33, 4), np.nan, np.float32)
        for i, row in enumerate(doc["landmarks"]):
            if row is not None:
                arr[i] = np.asarray(row, np.float32)
        sets = tuple(
            SetTruth(
                s["exercise"], s["variant"], float(s["view_deg"]), s["start_frame"],
                s["end_frame"],
                tuple(RepTruth(**{**r, "faults": tuple(r["faults"])}) for r in s["reps"]),
            )
            for s in doc["sets"]
        )  # fmt: skip
        return Truth(
            fps=float(doc["fps"]),
            width=int(doc["width"]),
            height=int(doc["height"]),
            landmarks=arr,
            segments=tuple(SegmentTruth(**s) for s in doc["segments"]),
            sets=sets,
            seed=int(doc["seed"]),
            spec=dict(doc["spec"]),
        )


def load_landmarks(path: str | Path) -> npt.NDArray[np.float32]:
    """The ``(frames, 33, 4)`` landmark array of a truth file."""
    return Truth.load(path).landmark_array()
