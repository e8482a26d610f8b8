"""Made-up finished sets of every kind a summary meets, for evaluating and timing summaries.

Each set is drawn from a seeded generator: an exercise with its own fault codes, a rep
count, zero to three faulted reps (sometimes two faults), a velocity loss or none, a
grinding rep now and then, and a previous set of the same exercise or none. The same
seed gives the same sets.
"""

from __future__ import annotations

import random

from edge_trainer.events import RepRecord, SetRecord

# Exercise -> the fault codes its rules report (as in exercise.faults).
EXERCISE_FAULTS: dict[str, tuple[str, ...]] = {
    "squat": ("squat_shallow", "squat_knee_valgus", "squat_torso_lean"),
    "lunge": ("lunge_knee_past_toes", "lunge_shallow"),
    "deadlift": ("deadlift_back_round", "deadlift_no_lockout"),
    "push_up": ("push_up_hip_sag", "push_up_hip_pike", "push_up_partial"),
    "bench_press": ("bench_press_partial", "bench_press_lockout"),
    "bicep_curl": ("bicep_curl_swing", "bicep_curl_partial"),
    "shoulder_press": ("shoulder_press_lockout", "shoulder_press_back_arch"),
    "pull_up": ("pull_up_chin_below_bar", "pull_up_no_full_hang"),
    "situp": ("situp_partial",),
    "jumping_jack": ("jumping_jack_arms_low", "jumping_jack_feet_narrow"),
    "front_raise": ("front_raise_low", "front_raise_swing"),
    "dumbbell_row": ("dumbbell_row_partial", "dumbbell_row_torso_rise"),
}


def _reps(rng: random.Random, n: int, faults: dict[int, tuple[str, ...]]) -> tuple[RepRecord, ...]:
    up = rng.choice((0.6, 0.8, 1.0, 1.2, 1.5))
    down = rng.choice((0.7, 1.2, 1.6, 2.0, 2.4))
    grinder = rng.randint(2, n) if n >= 3 and rng.random() < 0.3 else 0
    out = []
    t = 0.0
    for i in range(1, n + 1):
        c = up * (1.0 + 0.04 * (i - 1)) * (1.6 if i == grinder else 1.0)
        e = down * (1.0 + rng.uniform(-0.1, 0.1))
        out.append(RepRecord(i, t, t + c + e, round(c, 2), round(e, 2), faults=faults.get(i, ())))
        t += c + e + 0.3
    return tuple(out)


def sample_set(rng: random.Random, exercise: str) -> tuple[SetRecord, SetRecord | None]:
    """One made-up set of ``exercise`` and, half the time, a previous set to compare with."""
    n = rng.randint(3, 15)
    codes = EXERCISE_FAULTS.get(exercise, ())
    faults: dict[int, tuple[str, ...]] = {}
    kinds = rng.choice((0, 1, 1, 2)) if codes else 0
    for code in rng.sample(codes, min(kinds, len(codes))):
        for idx in rng.sample(range(1, n + 1), rng.randint(1, min(3, n))):
            faults[idx] = (*faults.get(idx, ()), code)
    loss = rng.choice((None, 4.0, 9.0, 14.0, 22.0, 31.0, 42.0))
    partial = (RepRecord(n + 1, 0.0, 1.0, 0.5, 0.5, partial=True),) if rng.random() < 0.15 else ()
    record = SetRecord(exercise, 0.0, 60.0, _reps(rng, n, faults), partial, loss)
    previous = None
    if rng.random() < 0.5:
        prev_n = max(1, n + rng.choice((-3, -2, -1, 0, 1, 2)))
        previous = SetRecord(exercise, 0.0, 60.0, _reps(rng, prev_n, {}), (), None)
    return record, previous


def sample_sets(count: int, seed: int = 18) -> list[tuple[SetRecord, SetRecord | None]]:
    """``count`` made-up sets cycling through the exercises, each with its previous set."""
    rng = random.Random(seed)
    names = sorted(EXERCISE_FAULTS)
    return [sample_set(rng, names[i % len(names)]) for i in range(count)]
