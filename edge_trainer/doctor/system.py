"""Doctor checks of the software and the system: models, LLM, disk, clock, permissions."""

from __future__ import annotations

import getpass
import sys
import time
from pathlib import Path

from edge_trainer.config import Config
from edge_trainer.doctor.checklist import Check, Env

MIN_FREE_MB = 200
LOW_FREE_MB = 1024
# The clock of a Pi without network or RTC starts at the last saved time; anything before
# this is certainly wrong and would misdate every set.
EARLIEST_PLAUSIBLE = 1735689600.0  # 2025-01-01 UTC


def check_models(cfg: Config, env: Env) -> Check:
    """The live model set exists, verifies, and has the roles the pipeline needs."""
    from edge_trainer.errors import ModelError
    from edge_trainer.models import store

    root = Path(cfg.paths.models_dir)
    fix = "edge-trainer models provision (or install a set: deploy/push-model)"
    try:
        manifest = store.verify_version(store.current_dir(root))
    except ModelError as exc:
        if "no models installed" in str(exc):
            return Check("models", "fail", f"no models installed in {root}", fix)
        return Check(
            "models", "fail", str(exc),
            "edge-trainer models rollback (back to the last good set), then push the set again",
        )  # fmt: skip
    missing = [r for r in ("pose_detector", "pose_landmarks") if r not in manifest.models]
    if missing:
        return Check("models", "fail", f"set {manifest.id} lacks {', '.join(missing)}", fix)
    if cfg.exercise.exercise == "auto" and "classifier" not in manifest.models:
        # The daemon runs without it, counting sets as 'unknown' exercise.
        return Check(
            "models", "warn", f"set {manifest.id} lacks classifier: exercise recognition is off",
            fix + "; or set exercise.exercise to a fixed exercise", required=False,
        )  # fmt: skip
    return Check("models", "ok", f"set {manifest.id}: {len(manifest.models)} models verified")


def check_llm(cfg: Config, env: Env) -> Check:
    """The summary LLM's GGUF file loads in llama.cpp (optional: summaries fall back)."""
    from edge_trainer.errors import ModelError
    from edge_trainer.models import store

    if not cfg.llm.enabled:
        return Check("llm", "skipped", "llm.enabled = false", required=False)
    path = Path(cfg.llm.model_path) if cfg.llm.model_path else None
    if path is None:
        try:
            path, _ = store.resolve(Path(cfg.paths.models_dir), "llm")
        except ModelError as exc:
            return Check(
                "llm", "warn", f"no LLM model ({exc}); summaries use the plain template",
                "edge-trainer models fetch-llm URL-or-FILE", required=False,
            )  # fmt: skip
    if not path.is_file():
        return Check(
            "llm", "warn", f"llm.model_path '{path}' does not exist",
            "fix llm.model_path or empty it to use the model store", required=False,
        )  # fmt: skip
    done = env.run([sys.executable, "-m", "edge_trainer.models.trial", "load-gguf", str(path)])
    if done.returncode != 0:
        why = (done.stdout.strip() or done.stderr.strip() or "crashed").splitlines()[-1]
        return Check(
            "llm", "warn", f"{path.name} does not load: {why}",
            "pip install 'edge-trainer[llm]'; fetch the model again with "
            "'edge-trainer models fetch-llm'", required=False,
        )  # fmt: skip
    return Check("llm", "ok", f"{path.name}: {done.stdout.strip()}", required=False)


def check_disk(cfg: Config, env: Env) -> Check:
    """Free space where history and models are kept."""
    state = Path(cfg.paths.state_dir)
    probe = next((p for p in (state, *state.resolve().parents) if p.exists()), Path("/"))
    free_mb = env.disk_usage(probe).free / 2**20
    fix = "free space: sudo journalctl --vacuum-size=100M; sudo apt clean; old model versions " \
        "go with 'edge-trainer models install --keep 2'"  # fmt: skip
    if free_mb < MIN_FREE_MB:
        return Check("disk", "fail", f"only {free_mb:.0f} MB free on {probe}", fix)
    if free_mb < LOW_FREE_MB:
        return Check("disk", "warn", f"{free_mb:.0f} MB free on {probe}", fix, required=False)
    return Check("disk", "ok", f"{free_mb / 1024:.1f} GB free on {probe}")


def check_clock(cfg: Config, env: Env) -> Check:
    """The clock is plausible, and synchronised when systemd can tell."""
    now = env.now()
    fix = "sudo timedatectl set-ntp true (needs the network once), or fit an RTC module"
    if now < EARLIEST_PLAUSIBLE:
        shown = time.strftime("%Y-%m-%d %H:%M", time.gmtime(now))
        return Check("clock", "fail", f"clock says {shown} UTC; sets would be misdated", fix)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(now))
    if env.which("timedatectl") is not None:
        done = env.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"])
        if done.returncode == 0 and done.stdout.strip() == "no":
            return Check("clock", "warn", f"{stamp}, not synchronised", fix, required=False)
    return Check("clock", "ok", stamp)


def check_permissions(cfg: Config, env: Env) -> Check:
    """The state and model folders are writable."""
    problems = []
    for label, folder in (("state", cfg.paths.state_dir), ("models", cfg.paths.models_dir)):
        p = Path(folder)
        target = next((q for q in (p, *p.resolve().parents) if q.exists()), Path("/"))
        if not env.writable(target):
            problems.append(f"{label} folder {p} is not writable by {getpass.getuser()}")
    if problems:
        return Check(
            "permissions", "fail", "; ".join(problems),
            "run as the service user: sudo -u edge-trainer edge-trainer doctor "
            "(install.sh creates /var/lib/edge-trainer for it)",
        )  # fmt: skip
    return Check("permissions", "ok", f"{cfg.paths.state_dir} and {cfg.paths.models_dir} writable")
