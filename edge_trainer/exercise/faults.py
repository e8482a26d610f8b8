"""How the box names and cues every fault: its exercise's rule, or a partial rep.

``name`` is a noun phrase for summaries ("Rep 3 showed shallow depth"); ``cue`` is the
two-to-four words spoken mid-set ("Go deeper"). Each rule in the catalogue carries its
own; the coach and the synthetic gym's injected faults use the same codes.
"""

from __future__ import annotations

from edge_trainer.exercise import catalogue
from edge_trainer.exercise.rules.base import Fault

# A rep that did not reach full range (counted apart, not as a rep).
PARTIAL = Fault("partial reps", "Full range")


def known_faults() -> dict[str, Fault]:
    """Every fault code a rule of the catalogue reports, with how it is said."""
    return {r.code: r.fault for e in catalogue.exercises() for r in e.rules}


def fault(code: str) -> Fault:
    """The fault for a code; an unknown code is named from its own words."""
    rule = catalogue.rule(code)
    if rule is not None:
        return rule.fault
    if code == "partial":
        return PARTIAL
    rest = code
    for name in sorted(catalogue.names(), key=len, reverse=True):
        if code.startswith(name + "_"):
            rest = code[len(name) + 1 :]
            break
    words = rest.replace("_", " ").replace("-", " ").strip()
    return Fault(words or "form", f"Check {words}" if words else "Check your form")


__all__ = ["PARTIAL", "Fault", "fault", "known_faults"]
