"""Why a set was counted and named as it was: the count trace as text and as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from edge_trainer.events import SetRecord
from edge_trainer.exercise.counting import CountResult, CountTrace

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SetExplanation:
    """One finished set with what decided it (kept by the analyzer for ``--explain``).

    Attributes:
        record: The set as stored.
        t: Source times of the frames the final count looked at.
        result: The final count (its signal, reps and trace).
        exercise_reason: Why the set got its name.
        live_reps: Reps announced while the set ran.
        window_probs: The classifier's probabilities of each recognition made during the
            set (what its name was decided from).
    """

    record: SetRecord
    t: FloatArray
    result: CountResult
    exercise_reason: str
    live_reps: int
    window_probs: tuple[dict[str, float], ...] = ()


def _at(t: FloatArray, i: int) -> float:
    return round(float(t[min(max(i, 0), len(t) - 1)]), 3)


def describe_trace(trace: CountTrace, t: FloatArray) -> str:
    """One line: the stretches counted and each rejected candidate with its reason."""
    parts = [
        f"{_at(t, s.start):.1f}-{_at(t, s.end - 1):.1f}s {s.reason}"
        + (f" (period {s.period_s:.2f}s, periodicity {s.periodicity:.2f})" if s.counted else "")
        for s in trace.stretches
    ]
    parts += [
        f"rejected {_at(t, r.start):.1f}-{_at(t, r.end):.1f}s: {r.reason}" for r in trace.rejected
    ]
    parts += list(trace.notes)
    return "; ".join(parts) or "no movement"


def trace_json(explanation: SetExplanation) -> dict[str, Any]:
    """The ``analyze --json`` trace of one set: which signal decided, what was rejected."""
    t, trace = explanation.t, explanation.result.trace
    return {
        "signal": trace.signal,
        "exercise_reason": explanation.exercise_reason,
        "live_reps": explanation.live_reps,
        "thresholds": {k: round(v, 3) for k, v in trace.thresholds.items()},
        "stretches": [
            {
                "start_s": _at(t, s.start),
                "end_s": _at(t, s.end - 1),
                "period_s": None if not np.isfinite(s.period_s) else round(s.period_s, 3),
                "periodicity": round(s.periodicity, 3),
                "movement": round(s.amplitude, 3),
                "counted": s.counted,
                "reason": s.reason,
            }
            for s in trace.stretches
        ],
        "rejected": [
            {
                "start_s": _at(t, r.start),
                "end_s": _at(t, r.end),
                "size": round(r.relative, 3),
                "reason": r.reason,
            }
            for r in trace.rejected
        ],
        "notes": list(trace.notes),
    }
