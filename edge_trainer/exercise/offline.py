"""Analysing a whole recording: the settings for it and a run of a fresh analyzer."""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from edge_trainer.config import ExerciseConfig
from edge_trainer.events import Event, SetRecord
from edge_trainer.exercise.analyzer import Analyzer
from edge_trainer.exercise.base import RecognizerLike
from edge_trainer.exercise.counting import CounterParams
from edge_trainer.exercise.rules.base import Finding
from edge_trainer.exercise.trace import SetExplanation


def offline(cfg: ExerciseConfig) -> ExerciseConfig:
    """The exercise settings for analysing a recorded clip."""
    # A recorded clip is analysed whole: a one-rep set counts (the live box needs
    # exercise.min_set_reps to tell a set from someone getting into position), and with
    # no cue to speak the live count need only run once a second.
    return dataclasses.replace(cfg, min_set_reps=1, live_recount_s=1.0)


def analyze_rows(
    rows: npt.ArrayLike,
    fps: float,
    cfg: ExerciseConfig | None = None,
    recognizer: RecognizerLike | None = None,
    *,
    counter: CounterParams | None = None,
    explanations: list[SetExplanation] | None = None,
    findings: list[tuple[Finding, ...]] | None = None,
) -> tuple[list[SetRecord], list[Event]]:
    """Run a whole ``(frames, 33, 3|4)`` landmark sequence through a fresh analyzer.

    Frames are timed ``index / fps``; all-NaN frames mean nobody was found.

    Args:
        rows: The landmarks.
        fps: Their frame rate.
        cfg: Exercise settings.
        recognizer: Names the sets (None: the exercise is ``cfg``'s).
        counter: The rep counter's settings.
        explanations: Receives why each set was counted and named as it was.
        findings: Receives every form verdict, with its measured value, on each rep of
            the end-of-set passes (a set later found too short included).

    Returns:
        ``(sets, events)``: the finished sets and every event, in order.
    """
    arr = np.asarray(rows, dtype=np.float64)
    analyzer = Analyzer(cfg, recognizer, counter)
    analyzer.findings = findings
    events: list[Event] = []
    for i, row in enumerate(arr):
        events += analyzer.update_row(row, i / fps)
    events += analyzer.finish(len(arr) / fps)
    if explanations is not None:
        explanations.extend(analyzer.explanations)
    return analyzer.sets, events
