"""What ``analyze`` found in a clip: its JSON report and the table printed without ``--json``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from edge_trainer.events import Event, SetRecord
from edge_trainer.exercise.trace import SetExplanation, trace_json


@dataclass
class Recording:
    """What one analysis of a clip produced.

    Attributes:
        frames: Frames read.
        fps: Their frame rate.
        sets: The finished sets.
        events: Every event, in order (the annotated video replays them).
        pose_ms: Pose-stage milliseconds per frame; None for a landmark file.
        rows: Each frame's landmarks (None where nobody was found), when kept.
        explanations: Why each set was counted and named as it was.
    """

    frames: int
    fps: float
    sets: list[SetRecord]
    events: list[Event]
    pose_ms: float | None
    rows: list[npt.NDArray[np.float64] | None] = field(default_factory=list)
    explanations: list[SetExplanation] = field(default_factory=list)


def build_report(name: str, run: Recording, total_s: float) -> dict[str, Any]:
    """The ``--json`` object (schema fixed by the product's CLI contract)."""
    sets = []
    for s in run.sets:
        sets.append(
            {
                "exercise": s.exercise,
                "start_s": round(s.start_s, 3),
                "end_s": round(s.end_s, 3),
                "reps": s.rep_count,
                "partial_reps": len(s.partial_reps),
                "velocity_loss_pct": None
                if s.velocity_loss_pct is None
                else round(s.velocity_loss_pct, 1),
                "time_under_tension_s": round(s.time_under_tension_s, 3),
                "rep_details": [
                    {
                        "start_s": round(r.start_s, 3),
                        "end_s": round(r.end_s, 3),
                        "concentric_s": round(r.concentric_s, 3),
                        "eccentric_s": round(r.eccentric_s, 3),
                        "faults": list(r.faults),
                    }
                    for r in s.reps
                ],
                "trace": _trace(run, s),
            }
        )
    return {
        "input": name,
        "fps": float(run.fps),
        "frames": int(run.frames),
        "duration_s": round(run.frames / run.fps, 3),
        "total_reps": sum(s.rep_count for s in run.sets),
        "sets": sets,
        "timing": {
            "pose_ms_per_frame": None if run.pose_ms is None else round(run.pose_ms, 2),
            "total_s": round(total_s, 3),
        },
    }


def _trace(run: Recording, record: SetRecord) -> dict[str, Any] | None:
    """Why the set was counted and named as it was (``None`` if the analysis kept no trace)."""
    found = next((e for e in run.explanations if e.record is record), None)
    return None if found is None else trace_json(found)


def format_report(report: dict[str, Any]) -> str:
    """The readable table printed without ``--json``."""
    lines = [
        f"{report['input']}: {report['frames']} frames, {report['duration_s']:.1f} s at "
        f"{report['fps']:g} fps, {report['total_reps']} reps in {len(report['sets'])} set(s)"
    ]
    for n, s in enumerate(report["sets"], 1):
        vl = s["velocity_loss_pct"]
        lines.append(
            f"set {n}: {s['exercise']}  {s['start_s']:.1f}-{s['end_s']:.1f} s  reps {s['reps']}"
            f"  partial {s['partial_reps']}  TUT {s['time_under_tension_s']:.1f} s"
            f"  velocity loss {'-' if vl is None else f'{vl:.0f}%'}"
        )
        trace = s.get("trace")
        if trace:
            lines.append(f"  named: {trace['exercise_reason']}")
            for r in trace["rejected"]:
                lines.append(f"  not a rep {r['start_s']:.1f}-{r['end_s']:.1f} s: {r['reason']}")
        lines.append("   rep   start    end   conc   ecc  faults")
        for i, r in enumerate(s["rep_details"], 1):
            lines.append(
                f"  {i:4d} {r['start_s']:7.2f} {r['end_s']:6.2f} {r['concentric_s']:6.2f}"
                f" {r['eccentric_s']:5.2f}  {', '.join(r['faults']) or '-'}"
            )
    timing = report["timing"]
    pose = timing["pose_ms_per_frame"]
    lines.append(
        f"time {timing['total_s']:.1f} s" + ("" if pose is None else f", pose {pose:.1f} ms/frame")
    )
    return "\n".join(lines) + "\n"
