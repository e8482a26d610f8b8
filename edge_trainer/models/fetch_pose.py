"""``models fetch-pose``: provision the BlazePose models from the mediapipe wheel or local files.

The only network this needs is the package registry: pip downloads the mediapipe wheel
(no install), the two ``.tflite`` files are taken out of it and checked against known
hashes, and they become a new model set. A MediaPipe ``.task`` bundle (lite, full or heavy
variant) or a plain pair of ``.tflite`` files works the same way, with no network at all.
"""

from __future__ import annotations

import logging
import platform
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edge_trainer.errors import InputError, ModelError
from edge_trainer.models.pip_wheel import pip_download
from edge_trainer.models.roles import EXPECTED_INPUTS

log = logging.getLogger(__name__)

ROLES = ("pose_detector", "pose_landmarks")
# The wheel versions that ship the models, per machine (0.10.21 has no aarch64 wheel).
WHEEL_VERSIONS = {"x86_64": "0.10.21", "amd64": "0.10.21", "aarch64": "0.10.18", "arm64": "0.10.18"}
WHEEL_PYTHONS = ((3, 9), (3, 10), (3, 11), (3, 12))
LICENSE = "Apache-2.0 (Google, MediaPipe BlazePose)"


@dataclass(frozen=True)
class KnownModel:
    """Where a pose model sits in the wheel and in a ``.task`` bundle."""

    role: str
    wheel_member: str
    sha256: str
    task_member: str


KNOWN = {
    "pose_detector": KnownModel(
        "pose_detector",
        "mediapipe/modules/pose_detection/pose_detection.tflite",
        "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
        "pose_detector.tflite",
    ),
    "pose_landmarks": KnownModel(
        "pose_landmarks",
        "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
        "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
        "pose_landmarks_detector.tflite",
    ),
}


def pose_models_present(root: Path) -> str | None:
    """The live version id if it has both pose roles with intact files, else None."""
    from edge_trainer.models.manifest import verify_entry
    from edge_trainer.models.store import current_dir, current_manifest

    try:
        manifest = current_manifest(root)
        if manifest is None or any(r not in manifest.models for r in ROLES):
            return None
        folder = current_dir(root)
        for role in ROLES:
            verify_entry(folder, manifest.models[role])
    except ModelError as exc:
        log.warning("installed pose models are not usable: %s", exc)
        return None
    return manifest.id


def wheel_version(machine: str | None = None) -> str:
    """The mediapipe version whose wheel carries the models for this machine."""
    machine = (machine or platform.machine()).lower()
    if machine not in WHEEL_VERSIONS:
        raise InputError(
            f"no mediapipe wheel for machine '{machine}'; use --from with a .task bundle "
            "or the two .tflite files"
        )
    return WHEEL_VERSIONS[machine]


def download_wheel(dest: Path, version: str | None = None) -> Path:
    """Download the mediapipe wheel with pip (no dependencies, no install) into ``dest``.

    pip prints its own progress bar and reuses its cache on a second run.

    Raises:
        ModelError: pip failed (no network to the registry, say) or gave no wheel.
    """
    version = version or wheel_version()
    extra: list[str] = []
    if sys.version_info[:2] not in WHEEL_PYTHONS:
        # The models are the same in every wheel; ask for one built for a Python that has them.
        # pip does not widen an explicit manylinux tag to older ones: name both.
        arch = "aarch64" if version == WHEEL_VERSIONS["aarch64"] else "x86_64"
        extra += ["--python-version", "3.12"]
        extra += ["--platform", f"manylinux_2_28_{arch}", "--platform", f"manylinux2014_{arch}"]
    pip_download(f"mediapipe=={version}", dest, "only its two pose models are kept", extra)
    wheels = sorted(dest.glob("mediapipe-*.whl"))
    if not wheels:
        raise ModelError(f"pip left no mediapipe wheel in '{dest}'")
    return wheels[0]


def _extract(archive: Path, member_for: dict[str, str], out: Path) -> dict[str, Path]:
    """Copy the named members (matched by path suffix) out of a zip into ``out``."""
    try:
        zf = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"'{archive}' is not a readable zip archive ({exc})") from exc
    found: dict[str, Path] = {}
    with zf:
        names = zf.namelist()
        for role, member in member_for.items():
            match = [n for n in names if n == member or n.endswith("/" + member)]
            if not match:
                raise ModelError(f"'{archive}' has no '{member}' ({role} model)")
            dst = out / Path(member).name
            with zf.open(match[0]) as src, dst.open("wb") as f:
                while block := src.read(1 << 20):
                    f.write(block)
            found[role] = dst
    return found


def _check_hash(path: Path, role: str, where: str) -> None:
    from edge_trainer.models.manifest import sha256_file

    digest = sha256_file(path)
    want = KNOWN[role].sha256
    if digest != want:
        raise ModelError(
            f"'{Path(KNOWN[role].wheel_member).name}' from '{where}' has sha256 {digest}, "
            f"expected {want}"
        )


def _describe(path: Path, role: str, provenance: str) -> Any:
    """A manifest entry with shapes read from the model by LiteRT (and checked)."""
    from edge_trainer.models.litert import expect_input_shape, load_interpreter, tensor_specs
    from edge_trainer.models.manifest import TensorSpec
    from edge_trainer.models.store import entry_for

    interp = load_interpreter(path, 1)
    expect_input_shape(interp, EXPECTED_INPUTS[role], role.replace("_", " "), path)
    ins, outs = tensor_specs(interp)
    return entry_for(
        path,
        role,
        inputs=tuple(TensorSpec(**s) for s in ins),
        outputs=tuple(TensorSpec(**s) for s in outs),
        provenance=provenance,
    )


def _role_by_shape(path: Path) -> str:
    from edge_trainer.models.litert import load_interpreter

    interp = load_interpreter(path, 1)
    shape = tuple(int(d) for d in interp.get_input_details()[0]["shape"])
    for role in KNOWN:
        if shape == EXPECTED_INPUTS[role]:
            return role
    raise ModelError(
        f"model file '{path}' has input shape {shape}: neither a pose detector (224) "
        "nor a pose landmark model (256)"
    )


def gather(sources: list[Path], work: Path) -> tuple[dict[str, Path], str, str]:
    """Find the two pose models in the given sources (or the downloaded wheel).

    Returns:
        ``(role -> file, set label, provenance)``.

    Raises:
        InputError: the sources are not one wheel, one ``.task`` or two ``.tflite`` files.
        ModelError: a model is missing, has the wrong hash (wheel) or the wrong shape.
    """
    if not sources:
        wheel = download_wheel(work)
        files = _extract(wheel, {r: k.wheel_member for r, k in KNOWN.items()}, work)
        for role, path in files.items():
            _check_hash(path, role, wheel.name)
        return files, "pose-full", f"PyPI wheel {wheel.name}; {LICENSE}"
    for src in sources:
        if not src.is_file():
            raise InputError(f"'{src}' does not exist or is not a file")
    if len(sources) == 1 and sources[0].suffix == ".whl":
        files = _extract(sources[0], {r: k.wheel_member for r, k in KNOWN.items()}, work)
        for role, path in files.items():
            _check_hash(path, role, sources[0].name)
        return files, "pose-full", f"wheel {sources[0].name}; {LICENSE}"
    if len(sources) == 1 and sources[0].suffix == ".task":
        files = _extract(sources[0], {r: k.task_member for r, k in KNOWN.items()}, work)
        return files, "pose-task", f"MediaPipe task bundle {sources[0].name}; {LICENSE}"
    if len(sources) == 2 and all(s.suffix == ".tflite" for s in sources):
        files = {}
        for src in sources:
            role = _role_by_shape(src)
            if role in files:
                raise InputError(f"'{sources[0]}' and '{sources[1]}' are both {role} models")
            files[role] = src
        return files, "pose-files", f"local files {', '.join(s.name for s in sources)}"
    raise InputError("--from takes one .whl, one .task bundle, or two .tflite files")


def fetch_pose(root: Path, sources: list[Path] | None = None, if_missing: bool = False) -> str:
    """Install the pose models as a new live model set; returns the version id.

    With ``if_missing``, does nothing (and downloads nothing) when the live set already
    has both pose models with intact files.
    """
    from edge_trainer.models.store import add_set

    if if_missing:
        present = pose_models_present(root)
        if present is not None:
            return present
    with tempfile.TemporaryDirectory(prefix="pose-models-") as tmp:
        files, label, provenance = gather(list(sources or []), Path(tmp))
        entries = {role: (path, _describe(path, role, provenance)) for role, path in files.items()}
        version = add_set(root, entries, label=label, provenance=provenance)
    return version.name
