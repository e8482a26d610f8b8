"""deploy/check-arm64-wheels.py on local wheels: markers judged for arm64, failures named."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECK = REPO / "deploy" / "check-arm64-wheels.py"

pytestmark = pytest.mark.slow


def _wheel(folder: Path, name: str, tag: str, requires: tuple[str, ...] = ()) -> None:
    """A minimal wheel: METADATA with ``Requires-Dist`` lines, WHEEL and RECORD."""
    dist = f"{name}-1.0.dist-info"
    meta = "".join(
        [f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"]
        + [f"Requires-Dist: {r}\n" for r in requires]
    )
    wheel = f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\nTag: {tag}\n"
    with zipfile.ZipFile(folder / f"{name}-1.0-{tag}.whl", "w") as zf:
        zf.writestr(f"{name}/__init__.py", "")
        zf.writestr(f"{dist}/METADATA", meta)
        zf.writestr(f"{dist}/WHEEL", wheel)
        zf.writestr(f"{dist}/RECORD", "")


def _project(path: Path, core: list[str], pi: list[str], llm: list[str]) -> Path:
    def toml_list(items: list[str]) -> str:
        return "[" + ", ".join(repr(i).replace("'", '"') for i in items) + "]"

    path.write_text(
        f'[project]\nname = "box"\nversion = "1"\ndependencies = {toml_list(core)}\n'
        f"[project.optional-dependencies]\npi = {toml_list(pi)}\nllm = {toml_list(llm)}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture()
def index(tmp_path: Path) -> Path:
    folder = tmp_path / "wheels"
    folder.mkdir()
    # alpha needs beta on arm64 only; pip running on x86-64 would skip beta by itself.
    _wheel(folder, "alpha", "py3-none-any", ("beta>=1; platform_machine == 'aarch64'",
                                             "gamma; platform_machine == 'x86_64'"))  # fmt: skip
    _wheel(folder, "beta", "py3-none-manylinux_2_17_aarch64")
    _wheel(folder, "gamma", "py3-none-manylinux_2_17_x86_64")
    _wheel(folder, "pinonly", "py3-none-manylinux_2_28_aarch64")
    _wheel(folder, "newglibc", "py3-none-manylinux_2_39_aarch64")
    _wheel(folder, "x86only", "py3-none-manylinux_2_17_x86_64")
    return folder


def _check(
    pyproject: Path, index: Path, cache: Path, *targets: str
) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, str(CHECK), "--pyproject", str(pyproject), "--cache", str(cache)]
    args += [f"--pip-arg={a}" for a in ("--isolated", "--no-index", f"--find-links={index}")]
    for target in targets:
        args += ["--target", target]
    return subprocess.run(args, capture_output=True, text=True, timeout=240, check=False)


def test_markers_are_judged_for_arm64_and_source_extras_are_reported(
    tmp_path: Path, index: Path
) -> None:
    pyproject = _project(tmp_path / "pyproject.toml", ["alpha"], ["pinonly"], ["x86only"])
    done = _check(pyproject, index, tmp_path / "cache", "bookworm")
    assert done.returncode == 0, done.stdout + done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("ok   bookworm (Python 3.11, aarch64, glibc 2.36): 3 wheels")
    assert "alpha 1.0, beta 1.0, pinonly 1.0" in first and "gamma" not in first
    assert "note bookworm: extra 'llm' builds from source: x86only" in done.stdout
    assert sorted(p.name for p in (tmp_path / "cache" / "bookworm").glob("*.whl")) == [
        "alpha-1.0-py3-none-any.whl",
        "beta-1.0-py3-none-manylinux_2_17_aarch64.whl",
        "pinonly-1.0-py3-none-manylinux_2_28_aarch64.whl",
    ]


def test_a_dependency_without_an_arm64_wheel_fails_by_name(tmp_path: Path, index: Path) -> None:
    pyproject = _project(tmp_path / "pyproject.toml", ["alpha", "x86only"], [], [])
    done = _check(pyproject, index, tmp_path / "cache", "bookworm")
    assert done.returncode == 1
    assert "FAIL bookworm (Python 3.11, aarch64, glibc 2.36): no wheel for: x86only" in done.stdout


def test_glibc_of_each_release_bounds_the_wheels(tmp_path: Path, index: Path) -> None:
    # A manylinux_2_39 wheel installs on Trixie (glibc 2.41) but not on Bookworm (2.36).
    pyproject = _project(tmp_path / "pyproject.toml", ["newglibc"], [], [])
    done = _check(pyproject, index, tmp_path / "cache", "bookworm", "trixie")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("FAIL bookworm") and "newglibc" in lines[0]
    assert "ok   trixie (Python 3.13, aarch64, glibc 2.41): 1 wheels: newglibc 1.0" in lines


def test_unreadable_pyproject_is_a_one_line_error(tmp_path: Path, index: Path) -> None:
    done = _check(tmp_path / "missing.toml", index, tmp_path / "cache")
    assert done.returncode == 2
    assert done.stderr.startswith("error: cannot read the dependencies in")
    assert len(done.stderr.strip().splitlines()) == 1
