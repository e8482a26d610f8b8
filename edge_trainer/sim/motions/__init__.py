"""The motion library: one spec per exercise, plus non-exercise activities."""

from __future__ import annotations

from edge_trainer.sim.motions import (
    bench_press,
    bicep_curl,
    deadlift,
    dumbbell_row,
    front_raise,
    jumping_jack,
    lateral_raise,
    lunge,
    pull_up,
    push_up,
    shoulder_press,
    situp,
    squat,
    tricep_extension,
)
from edge_trainer.sim.motions.base import ExerciseSpec, Prop, Rep

SPECS: dict[str, ExerciseSpec] = {
    m.SPEC.name: m.SPEC
    for m in (
        squat, lunge, deadlift, push_up, pull_up, situp, jumping_jack, bicep_curl,
        tricep_extension, shoulder_press, lateral_raise, front_raise, dumbbell_row, bench_press,
    )
}  # fmt: skip

__all__ = ["SPECS", "ExerciseSpec", "Prop", "Rep"]
