"""A set's exercise, decided once from the whole set, or ``unknown`` when the evidence is weak.

The classifier's probabilities of every recognition made during the set are calibrated
(a temperature), averaged over the set, and checked against what the joints did. The
best exercise names the set only when its calibrated mean probability reaches
``OpenSet.min_share``; below it the movement is one the box does not know (a gym has far
more exercises than the list) and the set is counted as ``unknown``. Temperature and
threshold are chosen in ``make eval`` with each data set held out in turn.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from edge_trainer.exercise import catalogue, kinematics
from edge_trainer.exercise.names import REST

log = logging.getLogger(__name__)

# A joint moved when its angle travelled this far over the set (robust 5-95 range):
# well above landmark noise (~5-10 degrees) and below any of the exercises' range.
MOVED_DEG = 40.0


@dataclass(frozen=True)
class OpenSet:
    """How a set is named.

    Attributes:
        temperature: Each window's probabilities are taken to the power ``1/temperature``
            and renormalised: above 1 softens an over-sure classifier, below 1 sharpens
            an unsure one.
        min_share: Calibrated mean probability (over the set's windows, ``rest``
            included) the best exercise needs to name the set.
        signatures: Let a movement only one exercise makes (``signature``)
            name a set the classifier is unsure of.
        overrule: The classifier is unsure of a choice under this mean probability.

    The defaults are the settings ``make eval`` chooses on every data set at once; with
    each data set held out in turn it chose the same temperature and threshold for four
    of five.
    """

    temperature: float = 2.0
    min_share: float = 0.3
    signatures: bool = True
    overrule: float = 0.5


@dataclass(frozen=True)
class Decision:
    """The exercise of a whole set and why.

    Attributes:
        label: The exercise, or ``rest`` (no exercise the box knows).
        reason: One line: the evidence that decided it.
        probs: Calibrated mean probability of each class over the set.
    """

    label: str
    reason: str
    probs: dict[str, float] = field(default_factory=dict)


def calibrate(probs: Mapping[str, float], temperature: float) -> dict[str, float]:
    """``probs`` taken to the power ``1/temperature`` and renormalised."""
    keys = list(probs)
    p = np.clip(np.asarray([probs[k] for k in keys], dtype=np.float64), 1e-9, 1.0)
    q = p ** (1.0 / max(temperature, 1e-3))
    q /= q.sum()
    return {k: float(v) for k, v in zip(keys, q, strict=True)}


def mean_probs(recognitions: Sequence[Any], temperature: float) -> dict[str, float]:
    """Calibrated mean probability of each class over recognitions (or probability dicts)."""
    dists = []
    for r in recognitions:
        probs = r if isinstance(r, Mapping) else getattr(r, "probs", None)
        if not probs:
            probs = {str(r.label): float(r.confidence)}
        dists.append(calibrate(probs, temperature))
    labels = sorted({k for d in dists for k in d})
    if not labels:
        return {}
    mean = np.mean([[d.get(k, 0.0) for k in labels] for d in dists], axis=0)
    return {k: float(v) for k, v in zip(labels, mean, strict=True)}


def decide_exercise(
    recognitions: Sequence[Any],
    movement: kinematics.Movement | None = None,
    open_set: OpenSet | None = None,
) -> Decision:
    """The exercise of a set from its recognitions (objects with ``probs``, or dicts).

    The exercises are ranked by calibrated mean probability; one whose joints were seen
    and never moved is passed over (a "raise" with still shoulders). The best left names
    the set when it reaches ``min_share``, else the set is ``rest`` (unknown).
    """
    cfg = open_set or OpenSet()
    if not recognitions:
        return Decision(REST, "no recognition during the set")
    mean = mean_probs(recognitions, cfg.temperature)
    n = len(recognitions)
    ranked = sorted((k for k in mean if k != REST), key=lambda k: -mean[k])

    def said(k: str | None) -> str:
        return "nothing" if k is None else f"{k} p={mean[k]:.2f}"

    ruled_out = ""
    if movement is not None:
        kept = [k for k in ranked if plausible(k, movement)]
        if ranked and ranked[0] not in kept:
            ruled_out = f"{said(ranked[0])} ruled out (the joints it moves did not move); "
            log.info("set is not %s: the joints it moves were seen and did not move", ranked[0])
        ranked = kept
    best = ranked[0] if ranked else None
    sign = signature(movement) if movement is not None and cfg.signatures else None
    if sign is not None and (best is None or mean[best] < cfg.overrule):
        name, saw = sign
        return Decision(
            name, f"{ruled_out}named from its movement ({saw}); classifier: {said(best)}", mean
        )
    if best is None or mean[best] < cfg.min_share:
        why = f"{ruled_out}unknown: best {said(best)} over {n} windows < {cfg.min_share:g}"
        return Decision(REST, why, mean)
    return Decision(best, f"{ruled_out}{said(best)} over {n} windows (>= {cfg.min_share:g})", mean)


def plausible(exercise: str, m: kinematics.Movement) -> bool:
    """False only when every joint the exercise must move was seen and none moved."""
    entry = catalogue.get(exercise)
    if entry is None or not entry.movers:
        return True
    seen = [m.ranges.get(j, float("nan")) for j in entry.movers]
    if not all(np.isfinite(seen)):
        return True
    return max(seen) >= MOVED_DEG


def signature(m: kinematics.Movement) -> tuple[str, str] | None:
    """``(exercise, what its movement showed)`` for the one exercise whose signature the
    movement shows; None when it shows none, or two (it is then not that plain)."""
    shown = [
        (e.name, e.signature.saw)
        for e in catalogue.exercises()
        if e.signature is not None and e.signature.matches(m)
    ]
    return shown[0] if len(shown) == 1 else None
