"""History export: a terminal table, JSON, CSV, and a per-rep plot of one set."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path
from typing import Any

from edge_trainer.errors import InputError, missing_dependency
from edge_trainer.session.records import StoredSet

COLUMNS = (
    "id",
    "session_id",
    "started",
    "exercise",
    "status",
    "reps",
    "partial_reps",
    "discounted_reps",
    "concentric_avg_s",
    "eccentric_avg_s",
    "pause_avg_s",
    "velocity_loss_pct",
    "time_under_tension_s",
    "faults",
    "summary",
)


def _when(wall: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(wall))


def as_dict(s: StoredSet) -> dict[str, Any]:
    """One set as a flat dict of plain values, in ``COLUMNS`` order."""
    return {
        "id": s.id,
        "session_id": s.session_id,
        "started": _when(s.wall_start),
        "exercise": s.exercise,
        "status": s.status,
        "reps": s.rep_count,
        "partial_reps": s.partial_count,
        "discounted_reps": s.discounted_count,
        "concentric_avg_s": s.concentric_avg_s,
        "eccentric_avg_s": s.eccentric_avg_s,
        "pause_avg_s": s.pause_avg_s,
        "velocity_loss_pct": s.velocity_loss_pct,
        "time_under_tension_s": s.time_under_tension_s,
        "faults": dict(s.faults),
        "summary": s.summary,
    }


def to_json(sets: list[StoredSet]) -> str:
    """The sets as a JSON array (faults as an object of counts)."""
    return json.dumps([as_dict(s) for s in sets], indent=2)


def to_csv(sets: list[StoredSet]) -> str:
    """The sets as CSV with a header row (faults as ``code:count;code:count``)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for s in sets:
        row = as_dict(s)
        row["faults"] = ";".join(f"{k}:{v}" for k, v in sorted(s.faults.items()))
        writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])
    return buf.getvalue()


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def to_table(sets: list[StoredSet]) -> str:
    """A fixed-width table for the terminal."""
    if not sets:
        return "no sets recorded yet\n"
    head = (
        "ID",
        "SESS",
        "STARTED",
        "EXERCISE",
        "REPS",
        "PART",
        "DISC",
        "UP s",
        "DOWN s",
        "VLOSS%",
        "TUT s",
        "STATUS",
        "FAULTS",
    )
    rows = [head]
    for s in sets:
        rows.append(
            (
                str(s.id),
                str(s.session_id),
                _when(s.wall_start),
                s.exercise,
                str(s.rep_count),
                str(s.partial_count),
                str(s.discounted_count),
                _num(s.concentric_avg_s, ".2f"),
                _num(s.eccentric_avg_s, ".2f"),
                _num(s.velocity_loss_pct, ".0f"),
                _num(s.time_under_tension_s, ".1f"),
                s.status,
                ",".join(f"{k}:{v}" for k, v in sorted(s.faults.items())) or "-",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    return "\n".join(lines) + "\n"


def plot_set(s: StoredSet, out: Path) -> Path:
    """Draw per-rep concentric/eccentric bars and the velocity line of one set to a PNG.

    Raises:
        DependencyError: matplotlib (the ``plot`` extra) is not installed.
        InputError: the set has no reps, or the file cannot be written.
    """
    if not s.reps and not s.partial_reps:
        raise InputError(f"set {s.id} has no reps to plot")
    try:
        import matplotlib

        matplotlib.use("Agg")  # headless: no display on the box or over SSH
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise missing_dependency("matplotlib", extra="plot") from exc

    reps = sorted((*s.reps, *s.partial_reps), key=lambda r: r.start_s)
    xs = list(range(1, len(reps) + 1))
    labels = [f"{r.index}{'p' if r.partial else ''}" for r in reps]
    width = 0.38
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    try:
        ax.bar(
            [x - width / 2 for x in xs],
            [r.concentric_s for r in reps],
            width,
            label="concentric (up)",
            color="#3b7dd8",
        )
        ax.bar(
            [x + width / 2 for x in xs],
            [r.eccentric_s for r in reps],
            width,
            label="eccentric (down)",
            color="#e0a030",
        )
        ax.set_xticks(xs, labels)
        ax.set_xlabel("rep (p = partial)")
        ax.set_ylabel("seconds")
        handles, names = ax.get_legend_handles_labels()
        points = [(x, r.velocity) for x, r in zip(xs, reps, strict=True) if r.velocity is not None]
        if points:
            ax2 = ax.twinx()
            (line,) = ax2.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                "o-",
                color="#c03030",
                label="velocity",
            )
            ax2.set_ylabel("velocity (body heights/s)")
            ax2.set_ylim(bottom=0)
            handles.append(line)
            names.append("velocity")
        ax.legend(
            handles,
            names,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
            ncol=3,
            fontsize="small",
            frameon=False,
        )
        loss = "" if s.velocity_loss_pct is None else f", velocity loss {s.velocity_loss_pct:.0f}%"
        ax.set_title(f"Set {s.id}: {s.exercise}, {s.rep_count} reps{loss}")
        fig.tight_layout()
        save_png(fig, out)
    finally:
        plt.close(fig)
    return out


def save_png(fig: Any, out: Path) -> None:
    """Write a matplotlib figure to ``out`` as PNG (its folder made); InputError if it can't."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, format="png")
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from exc
