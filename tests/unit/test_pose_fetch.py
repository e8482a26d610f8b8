"""``models fetch-pose`` from local files: a wheel, a .task bundle, a pair of .tflite files."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from edge_trainer import cli
from edge_trainer.errors import InputError, ModelError
from edge_trainer.models import fetch_pose as fp
from edge_trainer.models.store import resolve
from edge_trainer.pose.reference import mediapipe_model_files

MODELS = mediapipe_model_files()
pytestmark = pytest.mark.skipif(
    MODELS is None, reason="the mediapipe package (dev extra) ships the BlazePose models"
)


@pytest.fixture
def pair() -> list[Path]:
    assert MODELS is not None
    return [MODELS["pose_landmarks"], MODELS["pose_detector"]]  # order must not matter


def _zip(path: Path, members: dict[str, Path | bytes]) -> Path:
    # .task bundles are stored uncompressed; a wheel is deflated: both must work.
    method = zipfile.ZIP_STORED if path.suffix == ".task" else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", compression=method, compresslevel=1) as zf:
        for name, src in members.items():
            zf.writestr(name, src if isinstance(src, bytes) else src.read_bytes())
    return path


def _no_download(*_: object, **__: object) -> Path:
    raise AssertionError("pip download must not run")


def test_pair_of_files_installs_both_roles(tmp_path: Path, pair: list[Path]) -> None:
    root = tmp_path / "models"
    version = fp.fetch_pose(root, pair)
    assert version.endswith("-pose-files")
    _, det = resolve(root, "pose_detector")
    _, lm = resolve(root, "pose_landmarks")
    assert det.sha256 == fp.KNOWN["pose_detector"].sha256
    assert lm.sha256 == fp.KNOWN["pose_landmarks"].sha256
    assert det.inputs[0].shape == (1, 224, 224, 3) and det.inputs[0].dtype == "float32"
    assert sorted(o.shape for o in det.outputs) == [(1, 2254, 1), (1, 2254, 12)]
    assert (1, 195) in [o.shape for o in lm.outputs]
    assert "pose_detection.tflite" in det.provenance
    manifest = json.loads((root / "current" / "manifest.json").read_text())
    assert set(manifest["models"]) == {"pose_detector", "pose_landmarks"}


def test_if_missing_does_nothing_when_installed(
    tmp_path: Path, pair: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "models"
    first = fp.fetch_pose(root, pair)
    monkeypatch.setattr(fp, "download_wheel", _no_download)
    assert fp.fetch_pose(root, None, if_missing=True) == first
    assert len(list((root / "versions").iterdir())) == 1
    # a damaged file no longer counts as installed
    f = (root / "current" / "pose_detection.tflite").resolve()
    f.write_bytes(f.read_bytes()[:-10])
    assert fp.pose_models_present(root) is None


def test_wheel_is_checked_against_known_hashes(tmp_path: Path) -> None:
    assert MODELS is not None
    members = {k.wheel_member: MODELS[r] for r, k in fp.KNOWN.items()}
    wheel = _zip(tmp_path / "mediapipe-0.10.21-cp311-cp311-linux_x86_64.whl", members)
    root = tmp_path / "models"
    assert fp.fetch_pose(root, [wheel]).endswith("-pose-full")
    assert "mediapipe-0.10.21" in resolve(root, "pose_landmarks")[1].provenance

    # the same wheel with a tampered detector: refused, naming the file and the hash wanted
    tampered = dict(members)
    data = bytearray(MODELS["pose_detector"].read_bytes())
    data[1000] ^= 1
    tampered[fp.KNOWN["pose_detector"].wheel_member] = bytes(data)
    (tmp_path / "bad").mkdir()
    bad = _zip(tmp_path / "bad" / "mediapipe-0.10.21-bad.whl", tampered)
    before = sorted((root / "versions").iterdir())
    with pytest.raises(ModelError) as err:
        fp.fetch_pose(root, [bad])
    assert "pose_detection.tflite" in str(err.value)
    assert fp.KNOWN["pose_detector"].sha256 in str(err.value)
    assert sorted((root / "versions").iterdir()) == before  # nothing half-installed


def test_task_bundle(tmp_path: Path) -> None:
    assert MODELS is not None
    task = _zip(
        tmp_path / "pose_landmarker_full.task",
        {
            "pose_detector.tflite": MODELS["pose_detector"],
            "pose_landmarks_detector.tflite": MODELS["pose_landmarks"],
        },
    )
    root = tmp_path / "models"
    assert fp.fetch_pose(root, [task]).endswith("-pose-task")
    assert resolve(root, "pose_landmarks")[0].name == "pose_landmarks_detector.tflite"


def test_task_bundle_missing_a_model(tmp_path: Path) -> None:
    assert MODELS is not None
    task = _zip(tmp_path / "x.task", {"pose_detector.tflite": MODELS["pose_detector"]})
    with pytest.raises(ModelError, match=r"pose_landmarks_detector\.tflite"):
        fp.fetch_pose(tmp_path / "models", [task])


def test_bad_sources(tmp_path: Path, pair: list[Path]) -> None:
    with pytest.raises(InputError, match="does not exist"):
        fp.fetch_pose(tmp_path / "m", [tmp_path / "nothing.task"])
    with pytest.raises(InputError, match="both pose_detector"):
        fp.fetch_pose(tmp_path / "m", [pair[1], pair[1]])
    with pytest.raises(InputError, match=r"one \.whl"):
        fp.fetch_pose(tmp_path / "m", [pair[0]])
    junk = tmp_path / "junk.task"
    junk.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a readable zip"):
        fp.fetch_pose(tmp_path / "m", [junk])


def test_wheel_version_per_machine() -> None:
    assert fp.wheel_version("x86_64") == "0.10.21"
    assert fp.wheel_version("aarch64") == "0.10.18"
    with pytest.raises(InputError, match="--from"):
        fp.wheel_version("riscv64")


def test_cli(tmp_path: Path, pair: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "models"
    argv = ["models", "fetch-pose", "--models-dir", str(root), "--from", *map(str, pair)]
    assert cli.main(argv) == 0
    assert "installed pose models" in capsys.readouterr().out
    assert cli.main(["models", "fetch-pose", "--if-missing", "--models-dir", str(root)]) == 0
    assert "already installed" in capsys.readouterr().out
    bad = ["models", "fetch-pose", "--models-dir", str(root), "--from", str(tmp_path / "x.whl")]
    assert cli.main(bad) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "x.whl" in err[0]
