"""A rep's form verdicts: the rules of its exercise that the rep's camera view allows."""

from __future__ import annotations

from edge_trainer.exercise import catalogue
from edge_trainer.exercise.rules.base import Finding, RepContext, Rule


def rules_for(exercise: str) -> tuple[Rule, ...]:
    """The rules of an exercise (none for ``unknown`` or an exercise without rules)."""
    entry = catalogue.get(exercise)
    return entry.rules if entry is not None else ()


def judge(ctx: RepContext) -> list[Finding]:
    """Every verdict the rep's view allows, in rule order."""
    out = []
    for rule in rules_for(ctx.exercise):
        finding = rule.judge(ctx)
        if finding is not None:
            out.append(finding)
    return out
