"""``analyze --explain PLOT.png``: the signal each set's count used, and why each rep counted."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from edge_trainer.errors import InputError, missing_dependency
from edge_trainer.exercise.trace import SetExplanation

# Colours: counted reps, partial reps, rejected candidates.
REP, PARTIAL, REJECTED = "#2e9e44", "#e0b000", "#c0392b"


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")  # headless: no display on the box or over SSH
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise missing_dependency("matplotlib", extra="plot") from exc
    return plt


def plot_explanations(explanations: Sequence[SetExplanation], out: Path, title: str) -> Path:
    """Draw one panel pair per set: the counted signal with every candidate, and periodicity.

    The top panel of a set is the whole-body signal the count followed, each counted rep
    shaded and numbered, partial reps and rejected candidates shaded with their reason,
    and the repeating stretches with their period. The bottom panel is the periodicity
    score against the threshold, and the period estimate.

    Raises:
        InputError: the plot cannot be written.
        DependencyError: matplotlib (the ``plot`` extra) is not installed.
    """
    plt = _pyplot()
    n = max(1, len(explanations))
    fig, axes = plt.subplots(
        2 * n, 1, figsize=(12, 4.2 * n), squeeze=False, gridspec_kw={"height_ratios": [3, 1] * n}
    )
    if not explanations:
        axes[0, 0].text(0.5, 0.5, "no set was counted", ha="center", va="center")
        axes[0, 0].set_axis_off()
        axes[1, 0].set_axis_off()
    for k, ex in enumerate(explanations):
        _draw_set(axes[2 * k, 0], axes[2 * k + 1, 0], ex, k + 1)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=80)
    except OSError as exc:
        raise InputError(f"cannot write '{out}': {exc}") from exc
    finally:
        plt.close(fig)
    return out


def _draw_set(top: Any, bottom: Any, ex: SetExplanation, number: int) -> None:
    t, res = ex.t, ex.result
    trace = res.trace
    sig = res.signal
    top.plot(t, sig, color="#333333", lw=1.0, label=f"{trace.signal} signal")
    lo, hi = _limits(sig)
    for i, r in enumerate(res.reps, 1):
        top.axvspan(t[r.start], t[r.end], color=REP, alpha=0.25, lw=0)
        top.text(t[r.peak], hi, str(i), ha="center", va="bottom", fontsize=8, color=REP)
    for r in res.partials:
        top.axvspan(t[r.start], t[r.end], color=PARTIAL, alpha=0.3, lw=0)
    for j, c in enumerate(trace.rejected):
        top.axvspan(t[c.start], t[min(c.end, len(t) - 1)], color=REJECTED, alpha=0.15, lw=0)
        y = lo + (0.05 + 0.12 * (j % 4)) * (hi - lo)
        top.text(t[c.peak], y, c.reason, fontsize=6, color=REJECTED, rotation=0, ha="center")
    for s in trace.stretches:
        a, b = t[s.start], t[min(s.end, len(t)) - 1]
        colour = "#1f77b4" if s.counted else "#999999"
        top.plot([a, b], [hi + 0.08 * (hi - lo)] * 2, color=colour, lw=3)
        period = f", period {s.period_s:.2f} s" if np.isfinite(s.period_s) else ""
        top.text(a, hi + 0.11 * (hi - lo), f"{s.reason}{period}", fontsize=7, color=colour)
    top.set_ylim(lo - 0.05 * (hi - lo), hi + 0.25 * (hi - lo))
    record = ex.record
    top.set_title(
        f"set {number}: {record.rep_count} {record.exercise} reps"
        f" (+{len(record.partial_reps)} partial; {ex.live_reps} counted live)"
        f" - name: {ex.exercise_reason}",
        fontsize=9,
        loc="left",
    )
    top.set_ylabel("signal")
    score = trace.periodicity
    if len(score) == len(t):
        bottom.plot(t, score, color="#1f77b4", lw=1.0)
        threshold = trace.thresholds.get("min_periodicity", float("nan"))
        bottom.axhline(threshold, color="#1f77b4", ls="--", lw=0.8)
        bottom.set_ylim(0, 1.05)
        twin = bottom.twinx()
        twin.plot(t, trace.period_s, ".", color="#d62728", ms=2)
        twin.set_ylabel("period s", color="#d62728", fontsize=8)
    bottom.set_ylabel("periodicity", fontsize=8)
    bottom.set_xlabel("time (s)")
    knobs = ", ".join(f"{k} {v:g}" for k, v in trace.thresholds.items())
    notes = "; ".join(trace.notes)
    bottom.set_title(f"thresholds: {knobs}" + (f"; {notes}" if notes else ""), fontsize=7)


def _limits(sig: Any) -> tuple[float, float]:
    v = sig[np.isfinite(sig)]
    if v.size == 0:
        return -1.0, 1.0
    lo, hi = float(v.min()), float(v.max())
    return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)
