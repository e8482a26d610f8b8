"""Form rules, one module per exercise family; each rule names the views it can judge."""

from __future__ import annotations

from edge_trainer.exercise.names import EXERCISES
from edge_trainer.exercise.rules import arms, bodyweight, legs, push
from edge_trainer.exercise.rules.base import Finding, RepContext, Rule

RULES: tuple[Rule, ...] = legs.RULES + push.RULES + arms.RULES + bodyweight.RULES
RULES_BY_EXERCISE: dict[str, tuple[Rule, ...]] = {}
for _rule in RULES:
    RULES_BY_EXERCISE[_rule.exercise] = (*RULES_BY_EXERCISE.get(_rule.exercise, ()), _rule)

# Every fault code a rule can report.
RULE_CODES: tuple[str, ...] = tuple(r.code for r in RULES)


def rules_for(exercise: str) -> tuple[Rule, ...]:
    """The rules of an exercise (none for ``unknown``)."""
    return RULES_BY_EXERCISE.get(exercise, ())


def judge(ctx: RepContext) -> list[Finding]:
    """Every verdict the rep's view allows, in rule order."""
    out = []
    for rule in rules_for(ctx.exercise):
        finding = rule.judge(ctx)
        if finding is not None:
            out.append(finding)
    return out


__all__ = ["EXERCISES", "RULES", "RULE_CODES", "Finding", "RepContext", "Rule", "judge"]
