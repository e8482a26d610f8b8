"""``make eval`` counting: every clip counted with knobs and a classifier that never saw it.

The headline is held out: the counter's knobs are chosen on the other folds
(``counter_cv``), and a clip is named by the cross-validation classifier that never saw
its group (RepCount subject, WorkoutTracker shoot, any other clip); ``videos/`` was
never used to train the classifier.
The in-sample figure (shipped knobs, shipped classifier) follows it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from edge_trainer.exercise.counting import CounterParams
from edge_trainer.training.counter_cv import (
    CrossValidation,
    candidates,
    cross_validate,
    describe,
    fold_of,
)
from edge_trainer.training.eval_data import EvalClip
from edge_trainer.training.eval_jobs import Job, Outcome, mae_obo, run_all
from edge_trainer.training.eval_models import fold_map, held_out_classifier

log = logging.getLogger(__name__)

# The data sets that count repetitions, in the order they are reported.
COUNTED = ("repcount", "videos", "workouttracker", "quva", "sim")
# Targets printed beside the figures.
TARGETS = {"repcount_mae": 0.20, "repcount_obo": 0.70, "one_set": 0.90, "pm1": 0.90, "quva": 0.60}


def eval_counting(
    data: dict[str, list[EvalClip]], shipped: Path, verbose: bool = False
) -> tuple[dict[str, float], list[tuple[EvalClip, Outcome]]]:
    """Print the counting tables.

    Returns:
        The headline figures, and each clip with its held-out outcome (which the naming
        figures reuse).
    """
    clips = [c for s in COUNTED for c in data.get(s, []) if c.reps is not None]
    if not clips:
        print("\ncounting: no data")
        return {}, []
    groups = fold_map(shipped)
    folds = [fold_of(c, groups) for c in clips]
    print(f"\ncounting: choosing the counter's knobs on {len(set(folds))} folds ...", flush=True)
    cv = cross_validate(clips, folds, candidates())
    held = list(
        run_all(
            [
                Job(c, cv.for_fold(f), classifier=held_out_classifier(c.group, shipped, groups))
                for c, f in zip(clips, folds, strict=True)
            ]
        )
    )
    shipped_knobs = CounterParams()
    inside = list(run_all([Job(c, shipped_knobs, classifier=shipped) for c in clips]))
    told = list(
        run_all(
            [
                Job(c, cv.for_fold(f), exercise=c.exercise)
                for c, f in zip(clips, folds, strict=True)
                if c.source == "repcount" and c.exercise != "unknown"
            ]
        )
    )
    if verbose:
        for c, f, h, i in zip(clips, folds, held, inside, strict=True):
            print(
                f"  {c.source:14s} {c.name[:34]:34s} {c.activity[:14]:14s} true {c.reps:3d}"
                f"  held-out {h.reps:3d} in {len(h.sets)} set(s) as {h.named:13s}"
                f"  in-sample {i.reps:3d}  [{f}]"
            )
    figures = _report(clips, folds, cv, held, inside, told=told)
    return figures, list(zip(clips, held, strict=True))


def _report(
    clips: Sequence[EvalClip],
    folds: Sequence[str],
    cv: CrossValidation,
    held: Sequence[Outcome],
    inside: Sequence[Outcome],
    *,
    told: Sequence[Outcome],
) -> dict[str, float]:
    print(
        "\ncounting, held out (knobs chosen on the other folds; RepCount named by a "
        "classifier that never saw the subject), no exercise given"
    )
    print(
        f"  {'data':15s} {'clips':>5s} {'MAE':>6s} {'OBO':>5s} {'1 set':>6s} {'named':>6s}"
        f"   | in-sample {'MAE':>6s} {'OBO':>5s}"
    )
    out: dict[str, float] = {}
    for source in COUNTED:
        idx = [k for k, c in enumerate(clips) if c.source == source]
        if not idx:
            continue
        mae, obo = mae_obo([(held[k].reps, int(clips[k].reps or 0)) for k in idx])
        in_mae, in_obo = mae_obo([(inside[k].reps, int(clips[k].reps or 0)) for k in idx])
        one = float(np.mean([len(held[k].sets) == 1 for k in idx]))
        known = [k for k in idx if clips[k].exercise != "unknown"]
        named = (
            float(np.mean([held[k].named == clips[k].exercise for k in known]))
            if known
            else float("nan")
        )
        print(
            f"  {source:15s} {len(idx):5d} {mae:6.3f} {obo:5.2f} {one:6.2f} {named:6.2f}"
            f"   |           {in_mae:6.3f} {in_obo:5.2f}"
        )
        out.update({f"{source}_mae": mae, f"{source}_obo": obo, f"{source}_one_set": one})
        out[f"{source}_mae_in_sample"] = in_mae
    _per_class(
        [c for c in clips if c.source == "repcount"],
        [h for c, h in zip(clips, held, strict=True) if c.source == "repcount"],
    )
    rc = [c for c in clips if c.source == "repcount" and c.exercise != "unknown"]
    if told and rc:
        t_mae, t_obo = mae_obo([(o.reps, int(c.reps or 0)) for c, o in zip(rc, told, strict=True)])
        blind = [h for c, h in zip(clips, held, strict=True) if c in rc]
        b_mae, b_obo = mae_obo([(o.reps, int(c.reps or 0)) for c, o in zip(rc, blind, strict=True)])
        print(
            f"  RepCount with the true exercise given ({len(rc)} clips of our exercises): MAE "
            f"{t_mae:.3f}, OBO {t_obo:.2f}; the same clips blind: MAE {b_mae:.3f}, OBO {b_obo:.2f}"
        )
        out["repcount_mae_exercise_given"] = t_mae
    print(
        f"  targets: RepCount MAE <= {TARGETS['repcount_mae']}, OBO >= {TARGETS['repcount_obo']}, "
        f"one set >= {TARGETS['one_set']}; videos and workouttracker OBO >= {TARGETS['pm1']}; "
        f"quva OBO >= {TARGETS['quva']}"
    )
    chosen = defaultdict(list)
    for fold, k in cv.chosen.items():
        chosen[describe(cv.params[k])].append(fold)
    print("  knobs chosen without each fold:")
    for knobs, fs in chosen.items():
        print(f"    {knobs}: {', '.join(sorted(fs))}")
    print(f"    on every fold (shipped): {describe(cv.params[cv.everywhere])}")
    return out


def _per_class(clips: Sequence[EvalClip], held: Sequence[Outcome]) -> None:
    per: dict[str, list[tuple[int, int]]] = defaultdict(list)
    sets: dict[str, list[int]] = defaultdict(list)
    for c, h in zip(clips, held, strict=True):
        per[c.activity].append((h.reps, int(c.reps or 0)))
        sets[c.activity].append(len(h.sets))
    if not per:
        return
    parts = []
    for name, pairs in sorted(per.items()):
        split = "/".join(map(str, sets[name]))
        parts.append(f"{name} {mae_obo(pairs)[0]:.3f} ({len(pairs)} clips, sets {split})")
    print("  RepCount per class (held out): " + "; ".join(parts))
