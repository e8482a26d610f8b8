"""Doctor check of the workout history: the file is sound and the box can write to it."""

from __future__ import annotations

from pathlib import Path

from edge_trainer.config import Config
from edge_trainer.doctor.checklist import Check, Env

NOT_SAVING_FIX = (
    "free space under paths.state_dir (edge-trainer doctor shows how much is left); the "
    "box keeps the unsaved reps in memory and writes them as soon as it can"
)


def check_history(cfg: Config, env: Env) -> Check:
    """The history database passes SQLite's quick_check, the daemon is saving, and no
    damaged file waits to be salvaged."""
    from edge_trainer.models.health import read_health
    from edge_trainer.session.damage import SIDE_FILES
    from edge_trainer.session.db import HistoryReader, StoreError, database_path

    state = Path(cfg.paths.state_dir)
    path = database_path(state, cfg.session.database)
    report = read_health(state)
    if report is not None and report.status == "degraded":
        return Check("history", "fail", f"the box reports: {report.detail}", NOT_SAVING_FIX)
    damaged = sorted(
        p for p in path.parent.glob(f"{path.name}.damaged-*") if not p.name.endswith(SIDE_FILES)
    )
    if not path.exists():
        detail = f"no history yet at {path}"
    else:
        try:
            with HistoryReader(path) as reader:
                verdict = reader.quick_check()
        except StoreError as exc:
            verdict = str(exc)
        if verdict != "ok":
            return Check(
                "history", "fail", f"{path}: {verdict}",
                "restart the service: it moves a damaged history aside and starts a new "
                f"one; then 'edge-trainer history --recover {path}.damaged-…'",
            )  # fmt: skip
        detail = f"{path} sound"
    if damaged:
        return Check(
            "history", "warn", f"{detail}; a damaged history was set aside: {damaged[-1]}",
            f"edge-trainer history --recover {damaged[-1]} (then keep or delete it)",
            required=False,
        )  # fmt: skip
    return Check("history", "ok", detail)
