"""``make eval`` naming: is a set named right, and ``unknown`` when it is not ours?

Every clip is analysed as ``analyze`` does with a classifier that never saw it: the
cross-validation fold model trained without its group (RepCount subject, WorkoutTracker
shoot, any other clip), or the shipped model for ``videos/``, which no model trains on.
The naming settings (``decision.OpenSet``: temperature, unknown threshold, movement
signatures) are then chosen with each data set held out in turn: the settings that do
best on the other data sets name the held-out one. A clip of one of our exercises is
right when it forms a set named after it; a clip of anything else when it forms no set
or one named ``unknown``.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from edge_trainer.exercise.decision import OpenSet, decide_exercise
from edge_trainer.exercise.names import REST, UNKNOWN
from edge_trainer.training.eval_data import EvalClip
from edge_trainer.training.eval_jobs import Outcome

log = logging.getLogger(__name__)

GRID: dict[str, tuple[Any, ...]] = {
    "temperature": (1.0, 2.0, 3.0),
    "min_share": (0.1, 0.2, 0.3, 0.4, 0.5),
    "signatures": (False, True),
}
TARGETS = {"videos": 0.90, "workouttracker": 0.85, "penn": 0.85, "unknown": 0.80}
# Penn Action clips this long or longer that show one of our exercises should form a set.
PENN_LONG_S = 2.0


def candidates() -> list[OpenSet]:
    """Every combination of ``GRID``."""
    keys = list(GRID)
    return [
        replace(OpenSet(), **dict(zip(keys, v, strict=True)))
        for v in itertools.product(*GRID.values())
    ]


def named(outcome: Outcome, open_set: OpenSet) -> str:
    """The name ``open_set`` gives the clip's main set (``-``: no set was counted)."""
    if not outcome.sets:
        return "-"
    if not outcome.window_probs:
        return outcome.named
    label = decide_exercise(outcome.window_probs, outcome.movement, open_set).label
    return UNKNOWN if label == REST else label


def right(clip: EvalClip, name: str) -> bool:
    """A clip of ours is named after itself; anything else forms no set or ``unknown``."""
    if clip.exercise in ("unknown", "none"):
        return name in ("-", UNKNOWN)
    return name == clip.exercise


def _score(clips: Sequence[EvalClip], names: Sequence[str]) -> float:
    by_source: dict[str, list[bool]] = defaultdict(list)
    for c, n in zip(clips, names, strict=True):
        by_source[c.source].append(right(c, n))
    return float(np.mean([np.mean(v) for v in by_source.values()]))


def eval_recognition(
    clips: Sequence[EvalClip], outcomes: Sequence[Outcome], verbose: bool = False
) -> dict[str, float]:
    """Print the naming tables (held out by data set); return the headline figures."""
    if not clips:
        return {}
    options = candidates()
    table = [[named(o, opt) for o in outcomes] for opt in options]
    sources = sorted({c.source for c in clips})
    held: list[str] = ["-"] * len(clips)
    chosen: dict[str, OpenSet] = {}
    for source in sources:
        train = [k for k, c in enumerate(clips) if c.source != source]
        scores = [_score([clips[k] for k in train], [row[k] for k in train]) for row in table]
        best = int(np.argmax(scores))
        chosen[source] = options[best]
        for k, c in enumerate(clips):
            if c.source == source:
                held[k] = table[best][k]
    everywhere = options[int(np.argmax([_score(clips, row) for row in table]))]
    shipped = [named(o, OpenSet()) for o in outcomes]
    if verbose:
        for c, h in zip(clips, held, strict=True):
            mark = "" if right(c, h) else "  <- wrong"
            print(f"  {c.source:14s} {c.name[:30]:30s} {c.activity[:18]:18s} named {h}{mark}")
    return _report(clips, held, shipped, chosen, everywhere)


def _report(
    clips: Sequence[EvalClip],
    held: Sequence[str],
    shipped: Sequence[str],
    chosen: dict[str, OpenSet],
    everywhere: OpenSet,
) -> dict[str, float]:
    print(
        "\nnaming, held out (naming settings chosen on the other data sets; a classifier that "
        "never saw the clip)"
    )
    print(
        f"  {'data':15s} {'ours':>5s} {'named right':>11s} {'no set':>7s} {'others':>6s}"
        f" {'unknown':>8s}   | shipped settings: named {'':>1s} unknown"
    )
    out: dict[str, float] = {}
    for source in sorted({c.source for c in clips}):
        idx = [k for k, c in enumerate(clips) if c.source == source]
        ours = [k for k in idx if clips[k].exercise not in ("unknown", "none")]
        other = [k for k in idx if k not in ours]
        formed = [k for k in ours if held[k] != "-"]
        right_ours = _share([held[k] == clips[k].exercise for k in formed])
        no_set = _share([held[k] == "-" for k in ours])
        unknown = _share([held[k] in ("-", UNKNOWN) for k in other])
        s_right = _share([shipped[k] == clips[k].exercise for k in formed])
        s_unknown = _share([shipped[k] in ("-", UNKNOWN) for k in other])
        print(
            f"  {source:15s} {len(ours):5d} {right_ours:11.2f} {no_set:7.2f} {len(other):6d}"
            f" {unknown:8.2f}   |                   {s_right:5.2f} {s_unknown:7.2f}"
        )
        out[f"{source}_named"] = right_ours
        out[f"{source}_unknown"] = unknown
    penn = [
        k for k, c in enumerate(clips)
        if c.source == "penn" and c.exercise not in ("unknown", "none")
        and len(c.rows) / c.fps >= PENN_LONG_S
    ]  # fmt: skip
    if penn:
        out["penn_long_no_set"] = _share([held[k] == "-" for k in penn])
        print(
            f"  penn: clips of our exercises {PENN_LONG_S:g} s or longer that form no set: "
            f"{out['penn_long_no_set']:.2f} of {len(penn)} (target <= 0.20)"
        )
    print(
        f"  named right = among clips of our exercises that formed a set; targets: videos >= "
        f"{TARGETS['videos']}, workouttracker >= {TARGETS['workouttracker']}, penn >= "
        f"{TARGETS['penn']}; others unknown (or no set) >= {TARGETS['unknown']}"
    )
    print("  naming settings chosen without each data set:")
    for source, opt in chosen.items():
        print(f"    {source}: {_describe(opt)}")
    print(f"    on every data set: {_describe(everywhere)}; shipped: {_describe(OpenSet())}")
    _confusion(clips, held)
    return out


def _describe(o: OpenSet) -> str:
    return f"temperature {o.temperature:g}, min_share {o.min_share:g}, signatures {o.signatures}"


def _share(values: Sequence[bool]) -> float:
    return float(np.mean(values)) if values else float("nan")


def _confusion(clips: Sequence[EvalClip], held: Sequence[str]) -> None:
    """Truth -> names given, held out, over every data set."""
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c, h in zip(clips, held, strict=True):
        truth = c.exercise if c.exercise not in ("none",) else "unknown"
        rows[truth][h] += 1
    print("  confusion (truth: names given, held out):")
    for truth in sorted(rows):
        given = ", ".join(f"{n} {k}" for n, k in sorted(rows[truth].items(), key=lambda x: -x[1]))
        print(f"    {truth}: {given}")
