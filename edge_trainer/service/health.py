"""The daemon's health as the owner and an install see it: ``ok``, or ``degraded`` and why."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


class HealthReporter:
    """Tracks the box's current problems by area and writes ``health.json`` on a change.

    An area (``history``: the history cannot be written; ``disk``: free space is low) is
    set with a detail and cleared with None; while any is set the box is ``degraded``
    (models loaded, but something needs the owner). Each change goes to the journal,
    to systemd's STATUS line and to the health file that ``doctor`` and installs read.

    Args:
        state_dir: Where ``health.json`` lives.
        manifest_id: The id of the model set loaded last, asked at each write.
        status: Sends a STATUS line to systemd (forced: a change is news).
        enabled: False in demo mode: no health file is written.
    """

    def __init__(
        self,
        state_dir: Path,
        manifest_id: Callable[[], str],
        status: Callable[[str], object],
        enabled: bool = True,
    ) -> None:
        self.state_dir = state_dir
        self._manifest_id = manifest_id
        self._status = status
        self.enabled = enabled
        self._problems: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def problems(self) -> dict[str, str]:
        """The current problems by area (a copy)."""
        with self._lock:
            return dict(self._problems)

    def write(self) -> None:
        """Write ``health.json``: ``ok``, or ``degraded`` with every current problem."""
        if not self.enabled:
            return
        from edge_trainer.models.health import write_health

        detail = "; ".join(self.problems.values())
        try:
            write_health(
                self.state_dir, self._manifest_id(), "degraded" if detail else "ok", detail
            )
        except OSError as exc:  # a full disk must not stop the box; the journal has it
            log.error("cannot write the health file: %s", exc)

    def problem(self, area: str, detail: str | None) -> None:
        """Set (``detail``) or clear (None) the problem of ``area``; report a change."""
        with self._lock:
            before = self._problems.get(area)
            if detail is None:
                self._problems.pop(area, None)
            else:
                self._problems[area] = detail
        if before == detail:
            return
        if detail is not None:
            log.error("health degraded: %s", detail)
        else:
            log.warning("health: %s recovered", area)
        self.write()
        self._status(f"degraded: {detail}" if detail else "running")

    def check_disk(self, min_free_mb: float) -> None:
        """Free space under the state folder against ``min_free_mb``."""
        try:
            free_mb = shutil.disk_usage(self.state_dir).free / 2**20
        except OSError as exc:
            self.problem("disk", f"cannot check free space in {self.state_dir}: {exc}")
            return
        if free_mb >= min_free_mb:
            self.problem("disk", None)
            return
        where = f"{self.state_dir} (service.min_free_mb = {min_free_mb:g})"
        self.problem("disk", f"only {free_mb:.0f} MB free in {where}")
