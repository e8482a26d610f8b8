"""The ExerciseAnalyzer protocol (a pose stream into events) and the recognizer it uses."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

from edge_trainer.events import Event
from edge_trainer.pose.base import Pose


class ExerciseAnalyzer(Protocol):
    """Consumes one pose (or None when nobody was found) per frame, emits events.

    Pure: no I/O, no threads, no clock. ``t`` is the frame's source time.
    """

    def update(self, pose: Pose | None, t: float) -> list[Event]:
        """Feed one frame's pose; returns the events it caused, in order."""
        ...

    def set_exercise(self, name: str | None, t: float) -> list[Event]:
        """Force an exercise (None or 'auto': recognise it again)."""
        ...

    def end_set(self, t: float) -> list[Event]:
        """End the current set now (button); returns its SetEnded if one was active."""
        ...

    def finish(self, t: float, cut_short: bool = False) -> list[Event]:
        """End of stream: close any open set and apply the end-of-set pass.

        ``cut_short`` (shutting down mid-set) keeps at least the reps already announced.
        """
        ...


class RecognitionLike(Protocol):
    """What the analyzer reads from a recognition."""

    @property
    def label(self) -> str: ...
    @property
    def confidence(self) -> float: ...


class DecisionLike(Protocol):
    """What the analyzer reads from a set's decision: the exercise and why."""

    @property
    def label(self) -> str: ...
    @property
    def reason(self) -> str: ...


class RecognizerLike(Protocol):
    """The exercise recognizer the analyzer can be given (``ExerciseRecognizer``)."""

    def push(self, row: npt.NDArray[np.float32] | None, t: float) -> RecognitionLike | None:
        """Feed a frame; a recognition when one is due."""
        ...

    def reset(self) -> None:
        """Forget the window (a new person, a new session)."""
        ...

    def decide(
        self, recognitions: list[RecognitionLike], rows: npt.NDArray[np.float64] | None = None
    ) -> DecisionLike:
        """The exercise of a whole set, from its recognitions and its landmarks."""
        ...
