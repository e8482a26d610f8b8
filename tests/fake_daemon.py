"""Stands in for the edge-trainer daemon's reload handshake in model-install tests.

Usage: ``python -m tests.fake_daemon STATE_DIR MODELS_DIR MODE`` where MODE is ``healthy``
(report the newly current set after SIGHUP), ``silent`` (never answer) or ``error``
(report a failed reload). It writes the pid file, reports once at start, then waits.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from edge_trainer.models import health
from edge_trainer.models.store import current_manifest


def main() -> None:
    state, models, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    hup = threading.Event()
    signal.signal(signal.SIGHUP, lambda *_: hup.set())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    loaded = current_manifest(models)
    loaded_id = loaded.id if loaded else ""
    health.write_pid_file(state)
    health.write_health(state, loaded_id)
    while True:
        hup.wait()
        hup.clear()
        manifest = current_manifest(models)
        new_id = manifest.id if manifest else ""
        if mode == "healthy":
            loaded_id = new_id
            health.write_health(state, loaded_id)
        elif mode == "error":
            health.write_health(state, loaded_id, "error", f"cannot load {new_id}")
        elif mode == "silent" and new_id == loaded_id:
            # Going back to the set it already runs needs no load, so it answers then.
            health.write_health(state, loaded_id)


if __name__ == "__main__":
    main()
