"""``make eval`` form: "any fault in the clip" against Pose Trainer's good/bad label, held out.

Each clip is analysed once with its exercise given, keeping every rule's measured value
on every rep. The headline is held out: the clips are split into folds, each rule's limit
is chosen on the other folds from its shipped limit times ``SCALES`` (the one nearest the
shipped limit wins a tie), and the held-out fold is judged with those limits. The shipped
limits' figure on all clips follows as the in-sample one. A limit chosen away from the
shipped one on most folds says the shipped limit does not carry.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from edge_trainer.config import ExerciseConfig
from edge_trainer.exercise import catalogue, form
from edge_trainer.exercise.offline import analyze_rows, offline
from edge_trainer.exercise.rules.base import Finding, Rule

# OpenPose (form_pose) reports keypoint confidences well below BlazePose's visibility for
# joints it places fine (0.3-0.7 is common), so its landmarks are kept down to 0.1.
FORM_POSE_MIN_VISIBILITY = 0.1
TARGET = 0.80
FOLDS = 6
FOLD_SEED = 0
# Limits tried on the training folds, as multiples of the shipped limit.
SCALES = (0.8, 0.9, 1.0, 1.1, 1.2)


@dataclass(frozen=True)
class Judged:
    """One clip: its label and every rule's verdict on every rep of its sets."""

    file: str
    exercise: str
    bad: bool
    findings: tuple[Finding, ...]


def _rules() -> dict[str, Rule]:
    return {r.code: r for name in catalogue.names() for r in form.rules_for(name)}


def flagged(clip: Judged, limits: Mapping[str, float], rules: Mapping[str, Rule]) -> bool:
    """Whether any rep of ``clip`` fails a rule at ``limits`` (shipped limit if absent)."""
    return any(
        np.isfinite(f.value) and rules[f.code].fails(f.value, limits.get(f.code))
        for f in clip.findings
    )


def balanced_accuracy(clips: Sequence[Judged], said: Sequence[bool]) -> tuple[float, float, float]:
    """``(balanced accuracy, recall on bad, recall on good)`` of ``said`` (True: flagged)."""
    bad = [s for c, s in zip(clips, said, strict=True) if c.bad]
    good = [not s for c, s in zip(clips, said, strict=True) if not c.bad]
    tpr = float(np.mean(bad)) if bad else 0.0
    tnr = float(np.mean(good)) if good else 0.0
    return (tpr + tnr) / 2, tpr, tnr


def choose_limits(clips: Sequence[Judged], rules: Mapping[str, Rule]) -> dict[str, float]:
    """Each rule's limit that does best on ``clips``, one rule at a time in code order."""
    limits: dict[str, float] = {}
    for code in sorted({f.code for c in clips for f in c.findings}):
        base = rules[code].limit

        def score(scale: float, code: str = code, base: float = base) -> tuple[float, float]:
            trial = {**limits, code: base * scale}
            said = [flagged(c, trial, rules) for c in clips]
            return balanced_accuracy(clips, said)[0], -abs(scale - 1.0)

        limits[code] = base * max(SCALES, key=score)
    return limits


def held_out(
    clips: Sequence[Judged], rules: Mapping[str, Rule]
) -> tuple[list[bool], dict[str, list[float]]]:
    """Each clip's verdict with limits chosen on the other folds, and the scales chosen."""
    order = np.random.default_rng(FOLD_SEED).permutation(len(clips))
    said = [False] * len(clips)
    chosen: dict[str, list[float]] = defaultdict(list)
    for k in range(FOLDS):
        test = set(order[k::FOLDS].tolist())
        limits = choose_limits([c for i, c in enumerate(clips) if i not in test], rules)
        for code, limit in sorted(limits.items()):
            chosen[code].append(limit / rules[code].limit)
        for i in test:
            said[i] = flagged(clips[i], limits, rules)
    return said, chosen


def judge_clips(folder: Path) -> tuple[list[Judged], dict[str, int]]:
    """Every labelled clip of ours, analysed with its exercise given; others counted."""
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as fh:
        labels = list(csv.DictReader(fh))
    base = ExerciseConfig(min_visibility=FORM_POSE_MIN_VISIBILITY)
    clips: list[Judged] = []
    outside: dict[str, int] = defaultdict(int)
    for row in labels:
        if row["exercise"] not in catalogue.names():
            # Not one of ours (shoulder shrugs): such a set is unknown and gets no verdict.
            outside[row["exercise"]] += 1
            continue
        arr = np.load(folder / row["file"]).astype(np.float64)
        found: list[tuple[Finding, ...]] = []
        cfg = offline(replace(base, exercise=row["exercise"]))
        analyze_rows(arr, 30.0, cfg, findings=found)
        flat = tuple(f for rep in found for f in rep)
        clips.append(Judged(row["file"], row["exercise"], row["form"] == "bad", flat))
    return clips, dict(outside)


def eval_form(folder: Path, verbose: bool) -> dict[str, float]:
    """Print and return the held-out and shipped-limit figures on ``folder``."""
    clips, outside = judge_clips(folder)
    rules = _rules()
    shipped = [flagged(c, {}, rules) for c in clips]
    said, chosen = held_out(clips, rules)
    print("\nform_pose: any fault in the clip vs the clip's label (exercise given)")
    print(f"  {'exercise':15s} {'bad:flagged':>11s} {'bad:missed':>10s} {'good:clean':>10s} "
          f"{'good:flagged':>12s}   (held out)")  # fmt: skip
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for c, s in zip(clips, said, strict=True):
        per[c.exercise][(0 if s else 1) if c.bad else (3 if s else 2)] += 1
        if verbose:
            codes = sorted({f.code for f in c.findings if f.failed})
            print(f"  {c.file:26s} {'bad' if c.bad else 'good':4s} {', '.join(codes) or '-'}")
    for name, (a, b, c_, d) in sorted(per.items()):
        print(f"  {name:15s} {a:11d} {b:10d} {c_:10d} {d:12d}")
    for name, n in sorted(outside.items()):
        print(f"  {name:15s} {n} clips not judged: not an exercise of ours, so no verdict")
    bacc, tpr, tnr = balanced_accuracy(clips, said)
    in_bacc, in_tpr, in_tnr = balanced_accuracy(clips, shipped)
    grid = ", ".join(f"{s:g}" for s in SCALES)
    print(f"  held out ({FOLDS} folds by clip, each rule's limit chosen on the other folds from "
          f"the shipped limit x {grid}): balanced accuracy {bacc:.3f} (recall on bad "
          f"{tpr:.2f}, on good {tnr:.2f}; target >= {TARGET})")  # fmt: skip
    print(f"  shipped limits on every clip (in-sample): {in_bacc:.3f} (recall on bad "
          f"{in_tpr:.2f}, on good {in_tnr:.2f})")  # fmt: skip
    print("  limit chosen per fold, as a multiple of the shipped one:")
    for code, scales in sorted(chosen.items()):
        print(f"    {code:28s} {' '.join(f'{s:.1f}' for s in scales)}")
    return {"form_bacc": bacc, "form_bacc_in_sample": in_bacc}
