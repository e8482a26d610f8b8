"""A member's progress over weeks: per exercise, best set, total reps, tempo, velocity loss."""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from edge_trainer.errors import InputError, missing_dependency
from edge_trainer.session.history import save_png
from edge_trainer.session.records import StoredSet

_NOT_EXERCISES = frozenset({"", "unknown", "rest", "none"})


@dataclass(frozen=True, slots=True)
class Week:
    """One exercise in one week.

    Attributes:
        start: Monday of the week.
        best_reps: Most full reps in one set.
        total_reps: Full reps over the week's sets.
        tempo_s: Mean seconds of a rep (up and down) over the week's sets.
        velocity_loss_pct: Mean velocity loss of the sets that measured it.
    """

    start: datetime.date
    best_reps: int
    total_reps: int
    tempo_s: float | None
    velocity_loss_pct: float | None


def weekly(sets: Sequence[StoredSet]) -> dict[str, list[Week]]:
    """The sets (with reps, of a known exercise) per exercise and week, oldest first."""
    groups: dict[tuple[str, datetime.date], list[StoredSet]] = {}
    for s in sets:
        if s.rep_count < 1 or s.exercise in _NOT_EXERCISES:
            continue
        day = datetime.date.fromtimestamp(s.wall_start)
        monday = day - datetime.timedelta(days=day.weekday())
        groups.setdefault((s.exercise, monday), []).append(s)
    out: dict[str, list[Week]] = {}
    for (exercise, monday), group in sorted(groups.items()):
        tempos = [
            s.concentric_avg_s + s.eccentric_avg_s
            for s in group
            if s.concentric_avg_s is not None and s.eccentric_avg_s is not None
        ]
        losses = [s.velocity_loss_pct for s in group if s.velocity_loss_pct is not None]
        out.setdefault(exercise, []).append(
            Week(
                monday,
                max(s.rep_count for s in group),
                sum(s.rep_count for s in group),
                round(statistics.fmean(tempos), 2) if tempos else None,
                round(statistics.fmean(losses), 1) if losses else None,
            )
        )
    return out


def plot_progress(name: str, sets: Sequence[StoredSet], out: Path) -> Path:
    """Draw a member's weekly progress (one line per exercise, four panels) to a PNG.

    Raises:
        DependencyError: matplotlib (the ``plot`` extra) is not installed.
        InputError: no set with reps, or the file cannot be written.
    """
    weeks = weekly(sets)
    if not weeks:
        raise InputError(f"{name} has no sets with reps to plot")
    try:
        import matplotlib

        matplotlib.use("Agg")  # headless: no display on the box or over SSH
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise missing_dependency("matplotlib", extra="plot") from exc

    panels: tuple[tuple[str, Callable[[Week], float | None]], ...] = (
        ("best set (reps)", lambda w: w.best_reps),
        ("total reps", lambda w: w.total_reps),
        ("seconds a rep (up + down)", lambda w: w.tempo_s),
        ("velocity loss (%)", lambda w: w.velocity_loss_pct),
    )
    fig, axes = plt.subplots(len(panels), 1, figsize=(7, 9), dpi=100, sharex=True)
    try:
        for ax, (label, value) in zip(axes, panels, strict=True):
            for exercise, rows in sorted(weeks.items()):
                points = [(w.start, value(w)) for w in rows if value(w) is not None]
                if points:
                    ax.plot(
                        [p[0] for p in points],
                        [p[1] for p in points],
                        "o-",
                        label=exercise.replace("_", " "),
                    )
            ax.set_ylabel(label, fontsize="small")
            ax.grid(alpha=0.3)
        axes[0].legend(fontsize="small", ncol=3, loc="upper left")
        axes[-1].set_xlabel("week (starting Monday)")
        fig.suptitle(f"{name}: progress by week")
        fig.autofmt_xdate()
        fig.tight_layout()
        save_png(fig, out)
    finally:
        plt.close(fig)
    return out
