#!/usr/bin/env python3
"""Check that every runtime dependency has a wheel 64-bit Raspberry Pi OS can install.

For each target (Bookworm: Python 3.11, glibc 2.36; Trixie: Python 3.13, glibc 2.41) the
core dependencies and the ``pi`` extra of pyproject.toml are resolved with
``pip download --only-binary=:all:`` for the target's aarch64 manylinux tags, one round of
requirements at a time: pip judges environment markers for the machine it runs on, not
for ``--platform``, so each wheel's own requirements are read here and judged with the
target's markers. A package with no such wheel fails the check by name. The ``llm`` extra
(llama-cpp-python, built from source on a Pi) is reported, never failed.

Wheels stay in a cache folder, so a second run only asks the index.
Exit codes: 0 every required package has a wheel, 1 some have none, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import email.parser
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version


@dataclass(frozen=True)
class Target:
    """An OS release: its Python and the newest manylinux glibc its wheels may need."""

    name: str
    python: str
    glibc_minor: int

    def platforms(self) -> list[str]:
        """pip's ``--platform`` values: pip does not widen an explicit tag to older ones."""
        tags = [f"manylinux_2_{minor}_aarch64" for minor in range(17, self.glibc_minor + 1)]
        return [*tags, "manylinux2014_aarch64", "linux_aarch64"]

    def environment(self, extra: str) -> dict[str, str]:
        """The values environment markers see on this target."""
        return {
            "implementation_name": "cpython",
            "implementation_version": f"{self.python}.0",
            "os_name": "posix",
            "platform_machine": "aarch64",
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": "Linux",
            "platform_version": "",
            "python_full_version": f"{self.python}.0",
            "python_version": self.python,
            "sys_platform": "linux",
            "extra": extra,
        }

    def describe(self) -> str:
        return f"{self.name} (Python {self.python}, aarch64, glibc 2.{self.glibc_minor})"


TARGETS = {t.name: t for t in (Target("bookworm", "3.11", 36), Target("trixie", "3.13", 41))}


class NoWheelError(Exception):
    """Requirements with no installable wheel for a target (``args[0]``: one line each)."""


def project_requirements(pyproject: Path, extras: list[str], core: bool) -> list[Requirement]:
    """The dependencies of ``extras`` (and the core ones) as pyproject.toml writes them."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = list(project.get("dependencies", [])) if core else []
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        if extra not in optional:
            raise KeyError(extra)
        lines += optional[extra]
    return [Requirement(line) for line in lines]


def applies(req: Requirement, target: Target, extras: frozenset[str]) -> bool:
    """Whether ``req`` is needed on ``target`` when its parent was asked for ``extras``."""
    if req.marker is None:
        return True
    return any(req.marker.evaluate(target.environment(e)) for e in ({""} | extras))


def wheel_requirements(wheel: Path) -> list[Requirement]:
    """The ``Requires-Dist`` lines of a wheel's METADATA."""
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.parser.HeaderParser().parsestr(zf.read(name).decode("utf-8"))
    return [Requirement(line) for line in meta.get_all("Requires-Dist") or []]


def pip_download(target: Target, specs: list[str], dest: Path, pip_args: list[str]) -> None:
    """Download the wheels of ``specs`` (no dependencies) into ``dest``.

    Raises:
        NoWheelError: naming every spec that has no wheel for the target.
    """
    abi = f"cp{target.python.replace('.', '')}"
    cmd = [sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--no-deps",
           "--disable-pip-version-check", "--progress-bar", "off", "-q",
           "--python-version", target.python, "--implementation", "cp",
           "--abi", abi, "--abi", "abi3", "--abi", "none", "-d", str(dest), *pip_args]  # fmt: skip
    for platform in target.platforms():
        cmd += ["--platform", platform]
    done = subprocess.run([*cmd, *specs], capture_output=True, text=True, check=False)
    if done.returncode == 0:
        return
    # pip stops at the first failure: try each spec alone to name every one that fails.
    runs = [(specs[0], done)] if len(specs) == 1 else [
        (spec, subprocess.run([*cmd, spec], capture_output=True, text=True, check=False))
        for spec in specs
    ]  # fmt: skip
    missing = []
    for spec, run in runs:
        if run.returncode != 0:
            why = re.search(r"\(from versions: [^)]*\)", run.stderr)
            missing.append(f"{spec} {why.group(0) if why else run.stderr.strip()[-300:]}")
    raise NoWheelError(missing or [f"pip download {' '.join(specs)} failed"])


def _wheels(dest: Path) -> dict[str, list[tuple[Version, Path]]]:
    found: dict[str, list[tuple[Version, Path]]] = {}
    for wheel in dest.glob("*.whl"):
        name, version, _build, _tags = parse_wheel_filename(wheel.name)
        found.setdefault(str(canonicalize_name(name)), []).append((version, wheel))
    return found


def resolve(
    target: Target, reqs: list[Requirement], dest: Path, pip_args: list[str]
) -> dict[str, Version]:
    """Every package ``reqs`` need on ``target`` and the version of the wheel found.

    Raises:
        NoWheelError: naming the packages that have no installable wheel.
    """
    dest.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, SpecifierSet] = {}
    extras: dict[str, frozenset[str]] = {}
    chosen: dict[str, tuple[Version, Path]] = {}
    expanded: dict[str, frozenset[str]] = {}
    pending = [r for r in reqs if applies(r, target, frozenset())]
    while True:
        for req in pending:
            name = str(canonicalize_name(req.name))
            wanted[name] = wanted.get(name, SpecifierSet()) & req.specifier
            extras[name] = extras.get(name, frozenset()) | req.extras
        pending = []
        todo = sorted(
            n for n, spec in wanted.items() if n not in chosen or chosen[n][0] not in spec
        )
        if todo:
            pip_download(target, [f"{n}{wanted[n]}" for n in todo], dest, pip_args)
            have = _wheels(dest)
            for name in todo:
                fits = [(v, w) for v, w in have.get(name, []) if v in wanted[name]]
                if not fits:
                    raise NoWheelError([f"{name}{wanted[name]} (pip left no wheel in {dest})"])
                chosen[name] = max(fits)
                expanded.pop(name, None)
        for name, (_version, wheel) in chosen.items():
            if expanded.get(name) != extras[name]:
                expanded[name] = extras[name]
                pending += [
                    r for r in wheel_requirements(wheel) if applies(r, target, extras[name])
                ]
        if not todo and not pending:
            return {n: v for n, (v, _w) in sorted(chosen.items())}


def _listing(chosen: dict[str, Version]) -> str:
    return ", ".join(f"{n} {v}" for n, v in chosen.items())


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyproject", type=Path, default=here.parent / "pyproject.toml")
    parser.add_argument(
        "--cache", type=Path, default=cache / "edge-trainer" / "arm64-wheels",
        help="wheel folder kept between runs (one sub-folder per target)",
    )  # fmt: skip
    parser.add_argument("--target", action="append", choices=sorted(TARGETS))
    parser.add_argument("--extras", default="pi", help="extras that must have wheels")
    parser.add_argument("--source-extras", default="llm", help="extras reported, not failed")
    parser.add_argument(
        "--pip-arg", action="append", default=[], help="passed to pip (e.g. --no-index)"
    )
    args = parser.parse_args(argv)
    required = [e for e in args.extras.split(",") if e]
    reported = [e for e in args.source_extras.split(",") if e]
    try:
        reqs = project_requirements(args.pyproject, required, core=True)
        source_reqs = {e: project_requirements(args.pyproject, [e], core=False) for e in reported}
    except (OSError, KeyError, ValueError) as exc:
        print(
            f"error: cannot read the dependencies in '{args.pyproject}': {exc!r}", file=sys.stderr
        )
        return 2

    def check(target: Target) -> tuple[bool, list[str]]:
        dest = args.cache / target.name
        lines = []
        try:
            chosen = resolve(target, reqs, dest, args.pip_arg)
            lines.append(f"ok   {target.describe()}: {len(chosen)} wheels: {_listing(chosen)}")
            ok = True
        except NoWheelError as exc:
            lines.append(f"FAIL {target.describe()}: no wheel for: {'; '.join(exc.args[0])}")
            ok = False
        for extra, extra_reqs in source_reqs.items():
            try:
                resolve(target, extra_reqs, dest, args.pip_arg)
                lines.append(f"ok   {target.name}: extra '{extra}' has wheels too")
            except NoWheelError as exc:
                names = "; ".join(exc.args[0])
                lines.append(f"note {target.name}: extra '{extra}' builds from source: {names}")
        return ok, lines

    # The targets are checked side by side: the time goes in waiting for the index.
    targets = [TARGETS[t] for t in args.target or sorted(TARGETS)]
    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        results = list(pool.map(check, targets))
    for _ok, lines in results:
        print("\n".join(lines))
    return 0 if all(ok for ok, _lines in results) else 1


if __name__ == "__main__":
    sys.exit(main())
