"""Model store installs with real LiteRT trial loads: verify, reject, swap, roll back, prune."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge_trainer.errors import ModelError
from edge_trainer.models import health, store
from edge_trainer.models.install import RolledBackError, install_set, rollback_live, store_lock
from edge_trainer.models.manifest import read_manifest, write_manifest
from tests.model_sets import DETECTOR, LANDMARKS, corrupt, pose_set

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def box(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "models", tmp_path / "state"


def _install(box: tuple[Path, Path], src: Path, **kw: object) -> str:
    root, state = box
    return install_set(root, src, state, **kw).version  # type: ignore[arg-type]


def test_install_verifies_swaps_and_lists(tmp_path: Path, box: tuple[Path, Path]) -> None:
    root, _ = box
    version = _install(box, pose_set(tmp_path / "src"))
    assert store.current_version(root) == version
    manifest = store.verify_version(store.current_dir(root))
    assert manifest.id == version
    assert set(manifest.models) == {"pose_detector", "pose_landmarks"}
    path, entry = store.resolve(root, "pose_landmarks")
    assert path.name == LANDMARKS[1] and entry.sha256 == manifest.models["pose_landmarks"].sha256
    [info] = store.list_versions(root)
    assert info.current and info.id == version


def test_corrupt_file_is_rejected_and_current_unchanged(
    tmp_path: Path, box: tuple[Path, Path]
) -> None:
    root, _ = box
    first = _install(box, pose_set(tmp_path / "a"))
    bad = pose_set(tmp_path / "b", "bad")
    corrupt(bad / DETECTOR[1])
    with pytest.raises(ModelError, match=r"pose_detector\) has sha256"):
        _install(box, bad)
    assert store.current_version(root) == first
    assert [v.id for v in store.list_versions(root)] == [first]
    assert not list((root / "versions").glob(".staging-*"))


def test_declared_shape_that_the_model_lacks_fails_the_trial_load(
    tmp_path: Path, box: tuple[Path, Path]
) -> None:
    root, _ = box
    first = _install(box, pose_set(tmp_path / "a"))
    wrong = pose_set(tmp_path / "b", outputs={DETECTOR[1]: ((1, 2254, 12), (1, 2254, 2))})
    with pytest.raises(ModelError, match=r"trial load failed: .*output 1 has shape \[1, 2254, 1\]"):
        _install(box, wrong)
    assert store.current_version(root) == first
    assert len(store.list_versions(root)) == 1


def test_model_in_the_wrong_role_is_rejected(tmp_path: Path, box: tuple[Path, Path]) -> None:
    root, _ = box
    swapped = {"pose_detector": LANDMARKS[1], "pose_landmarks": DETECTOR[1]}
    with pytest.raises(ModelError, match=r"pose_detector model takes input \[1, 256, 256, 3\]"):
        _install(box, pose_set(tmp_path / "a", roles=swapped))
    # Without declared shapes the manifest cannot tell; the trial load of the real file does.
    undeclared = pose_set(tmp_path / "b", roles=swapped, declare_shapes=False)
    with pytest.raises(ModelError, match=r"trial load failed: pose_detector: .*takes input"):
        _install(box, undeclared)
    assert store.current_version(root) is None


def test_a_file_that_is_not_a_model_fails_the_trial_load(
    tmp_path: Path, box: tuple[Path, Path]
) -> None:
    src = pose_set(tmp_path / "a", declare_shapes=False)
    junk = src / DETECTOR[1]
    junk.write_bytes(b"not a flatbuffer" * 100)
    manifest = read_manifest(src)
    entry = store.entry_for(junk, "pose_detector")
    write_manifest(
        src,
        type(manifest)(manifest.id, manifest.created, {**manifest.models, "pose_detector": entry}),
    )
    with pytest.raises(ModelError, match=r"trial load failed: pose_detector: pose_detection"):
        _install(box, src)


def test_unsafe_file_names_are_refused(tmp_path: Path, box: tuple[Path, Path]) -> None:
    src = pose_set(tmp_path / "a")
    data = json.loads((src / "manifest.json").read_text())
    data["models"]["pose_detector"]["file"] = "../escape.tflite"
    (src / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(ModelError, match="must be a plain file name"):
        _install(box, src)


def test_rollback_and_prune(tmp_path: Path, box: tuple[Path, Path]) -> None:
    root, state = box
    src = pose_set(tmp_path / "src")
    ids = [_install(box, src, keep=10) for _ in range(4)]
    assert [v.id for v in store.list_versions(root)] == ids
    back, how = rollback_live(root, state)
    assert back == ids[2] and store.current_version(root) == ids[2]
    assert how.startswith("no daemon running")
    removed = store.prune(root, keep=1)
    # The live version survives even though a newer one exists.
    assert ids[2] not in removed and set(removed) == {ids[0], ids[1]}
    assert [v.id for v in store.list_versions(root)] == [ids[2], ids[3]]
    store.rollback(root, to=ids[3])
    assert store.current_version(root) == ids[3]
    with pytest.raises(ModelError, match="no model version 'nope'"):
        store.rollback(root, to="nope")


def test_rollback_refuses_a_corrupt_target(tmp_path: Path, box: tuple[Path, Path]) -> None:
    root, state = box
    src = pose_set(tmp_path / "src")
    first = _install(box, src)
    _install(box, src)
    # A hard link shares bytes between versions, so corrupt a private copy of the old one.
    old = root / "versions" / first / DETECTOR[1]
    data = old.read_bytes()
    old.unlink()
    old.write_bytes(data)
    corrupt(old)
    with pytest.raises(ModelError, match="has sha256"):
        rollback_live(root, state)
    assert store.current_version(root) != first


def test_prune_keeps_n_newest_after_install(tmp_path: Path, box: tuple[Path, Path]) -> None:
    root, _ = box
    src = pose_set(tmp_path / "src")
    ids = [_install(box, src, keep=2) for _ in range(3)]
    assert [v.id for v in store.list_versions(root)] == ids[1:]


def test_a_second_concurrent_install_is_refused(box: tuple[Path, Path]) -> None:
    root, _ = box
    with (
        store_lock(root),
        pytest.raises(ModelError, match="another model install"),
        store_lock(root),
    ):
        pass


@pytest.fixture
def daemon(box: tuple[Path, Path]) -> Iterator[object]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(mode: str) -> subprocess.Popen[bytes]:
        root, state = box
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fake_daemon", str(state), str(root), mode], cwd=REPO
        )
        procs.append(proc)
        deadline = time.monotonic() + 20
        while health.read_pid(state) != proc.pid:
            assert time.monotonic() < deadline, "fake daemon did not start"
            time.sleep(0.05)
        return proc

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)


def test_healthy_daemon_confirms_the_reload(
    tmp_path: Path, box: tuple[Path, Path], daemon: object
) -> None:
    root, state = box
    first = _install(box, pose_set(tmp_path / "a"))
    proc = daemon("healthy")  # type: ignore[operator]
    result = install_set(root, pose_set(tmp_path / "b"), state, health_timeout_s=20)
    assert result.reload == f"SIGHUP to pid {proc.pid}"
    assert result.previous == first
    report = health.read_health(state)
    assert report is not None and report.ok and report.manifest_id == result.version


@pytest.mark.parametrize("mode", ["silent", "error"])
def test_unhealthy_daemon_rolls_back(
    tmp_path: Path, box: tuple[Path, Path], daemon: object, mode: str
) -> None:
    root, state = box
    first = _install(box, pose_set(tmp_path / "a"))
    daemon(mode)  # type: ignore[operator]
    # An error report ends the wait at once, so that case can afford a long timeout.
    timeout = 1.5 if mode == "silent" else 60.0
    started = time.monotonic()
    with pytest.raises(RolledBackError) as err:
        install_set(root, pose_set(tmp_path / "b"), state, health_timeout_s=timeout)
    expected = {
        "silent": "did not report healthy within 1.5s",
        "error": "the daemon reported an error: cannot load ",
    }[mode]
    assert expected in str(err.value) and f"rolled back to {first}" in str(err.value)
    assert store.current_version(root) == first
    assert [v.id for v in store.list_versions(root)] == [first]
    if mode == "error":
        assert time.monotonic() - started < 30


def test_health_file_contract(tmp_path: Path) -> None:
    assert health.read_health(tmp_path) is None
    health.write_health(tmp_path, "v1", "error", "bad model")
    report = health.read_health(tmp_path)
    assert report is not None and not report.ok and report.detail == "bad model"
    assert report.pid == os.getpid()
    ok, why = health.wait_healthy(tmp_path, "v1", report.time, 0.2, poll_s=0.05)
    assert not ok and why == "the daemon reported an error: bad model"
    ok, why = health.wait_healthy(tmp_path, "v1", time.time() + 5, 0.2, poll_s=0.05)
    assert not ok and "did not report healthy within 0.2s (last report: error v1)" in why
    health.write_pid_file(tmp_path)
    assert health.read_pid(tmp_path) == os.getpid()
    health.remove_pid_file(tmp_path)
    assert health.read_pid(tmp_path) is None
    (tmp_path / health.HEALTH_FILE).write_text("{not json")
    assert health.read_health(tmp_path) is None


def test_classifier_for_other_features_is_rejected(tmp_path: Path, box: tuple[Path, Path]) -> None:
    shipped = Path(__file__).resolve().parents[2] / "models" / "classifier"
    if not (shipped / "manifest.json").is_file():
        pytest.skip("no shipped classifier in models/classifier")
    src = tmp_path / "classifier"
    src.mkdir()
    manifest = read_manifest(shipped)
    entry = manifest.models["classifier"]
    (src / entry.file).write_bytes((shipped / entry.file).read_bytes())
    newer = dataclasses.replace(entry, feature_version=99)
    write_manifest(src, dataclasses.replace(manifest, models={"classifier": newer}))
    with pytest.raises(ModelError, match="trained on feature version 99"):
        _install(box, src)
    assert store.current_manifest(box[0]) is None
