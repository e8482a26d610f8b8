"""The form faults the synthetic gym can put into a rep: each motion's own, one line each."""

from __future__ import annotations

from edge_trainer.sim.motions import SPECS


def faults_for(exercise: str) -> tuple[str, ...]:
    """Fault codes the motion of ``exercise`` can show (none without a motion)."""
    spec = SPECS.get(exercise)
    return tuple(spec.faults) if spec is not None else ()


def fault_lines() -> tuple[tuple[str, str], ...]:
    """``(code, what it looks like)`` of every fault of every motion, in motion order."""
    return tuple((code, text) for spec in SPECS.values() for code, text in spec.faults.items())
