"""fetch-llm, provision and the ``models`` CLI on a real store with real model files."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from edge_trainer.cli import main
from edge_trainer.errors import InputError, ModelError
from edge_trainer.models import store
from edge_trainer.models.install import install_set
from edge_trainer.models.manifest import Manifest, write_manifest
from edge_trainer.models.provision import fetch_llm, provision
from edge_trainer.models.trial import check_gguf_header
from tests.llm_fixture import build_tiny_gguf
from tests.model_sets import DETECTOR, corrupt, pose_set

HAVE_LLAMA = importlib.util.find_spec("llama_cpp") is not None


@pytest.fixture(scope="module")
def gguf_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_gguf(tmp_path_factory.mktemp("llm") / "tiny-chat.gguf", n_layer=1)


@pytest.fixture
def live(tmp_path: Path) -> tuple[Path, Path]:
    root, state = tmp_path / "models", tmp_path / "state"
    install_set(root, pose_set(tmp_path / "pose"), state)
    return root, state


def test_fetch_llm_from_a_file_adds_the_llm_and_keeps_the_pose_models(
    live: tuple[Path, Path], gguf_file: Path
) -> None:
    root, state = live
    before = store.current_manifest(root)
    assert before is not None
    digest = store.sha256_file(gguf_file)
    result = fetch_llm(root, state, str(gguf_file), sha256=digest)
    after = store.verify_version(store.current_dir(root))
    assert after.id == result.version and result.previous == before.id
    assert after.models["llm"].sha256 == digest and after.models["llm"].format == "gguf"
    assert after.models["pose_detector"] == before.models["pose_detector"]
    if HAVE_LLAMA:
        assert result.notes == []
    else:
        assert result.notes == [
            "llm: GGUF llama, 12 tensors (llama_cpp not installed: GGUF header checked only)"
        ]


def test_gguf_header_check_reads_the_architecture_and_tensors(gguf_file: Path) -> None:
    # The check used when llama.cpp is not installed (1 block: 9 tensors, plus 3 shared).
    assert check_gguf_header(gguf_file) == "GGUF llama, 12 tensors"


def test_fetch_llm_refuses_a_wrong_hash_a_non_gguf_and_plain_http(
    live: tuple[Path, Path], gguf_file: Path, tmp_path: Path
) -> None:
    root, state = live
    live_id = store.current_version(root)
    with pytest.raises(ModelError, match=r"has sha256 [0-9a-f]{64}, expected 0{64}; not installed"):
        fetch_llm(root, state, str(gguf_file), sha256="0" * 64)
    text = tmp_path / "notes.gguf"
    text.write_text("hello, I am not a model")
    with pytest.raises(ModelError, match=r"'notes.gguf' is not a GGUF file \(bad magic\)"):
        fetch_llm(root, state, str(text))
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(gguf_file.read_bytes()[: gguf_file.stat().st_size // 3])
    with pytest.raises(ModelError, match=r"cut\.gguf"):
        fetch_llm(root, state, str(cut))
    with pytest.raises(InputError, match="refusing to download over http: use https"):
        fetch_llm(root, state, "http://example.invalid/model.gguf")
    with pytest.raises(InputError, match="--sha256 must be 64 hex digits"):
        fetch_llm(root, state, str(gguf_file), sha256="abc")
    assert store.current_version(root) == live_id
    assert len(store.list_versions(root)) == 1
    assert not [p for p in root.iterdir() if p.name.startswith(".fetch-llm-")]


def test_provision_installs_shipped_sets_once_and_fetches_missing_pose(
    tmp_path: Path, gguf_file: Path
) -> None:
    root, state = tmp_path / "models", tmp_path / "state"
    shipped = tmp_path / "shipped"
    llm_set = shipped / "llm"
    llm_set.mkdir(parents=True)
    shutil.copyfile(gguf_file, llm_set / gguf_file.name)
    entry = store.entry_for(llm_set / gguf_file.name, "llm", format="gguf")
    write_manifest(llm_set, Manifest(id="shipped-llm", created="2026", models={"llm": entry}))
    (shipped / "README.md").write_text("model cards\n")

    fetched = []

    def fetch_pose() -> None:
        fetched.append(1)
        install_set(root, pose_set(tmp_path / "pose"), state)

    done = provision(root, state, shipped, fetch_pose)
    assert fetched == [1]
    assert done[0] == "fetched pose models (pose_detector, pose_landmarks)"
    assert done[1].startswith("installed llm (llm) as ")
    live = store.verify_version(store.current_dir(root))
    assert set(live.models) == {"pose_detector", "pose_landmarks", "llm"}
    assert provision(root, state, shipped, fetch_pose) == []
    assert fetched == [1]


def test_provision_without_a_way_to_get_pose_models_says_so(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="lacks pose_detector, pose_landmarks"):
        provision(tmp_path / "m", tmp_path / "s", None, None)


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_models_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dirs = ["--models-dir", str(tmp_path / "m"), "--state-dir", str(tmp_path / "s")]
    src = pose_set(tmp_path / "src")
    code, out, _ = _cli(capsys, "models", "list", *dirs)
    assert code == 0 and out.startswith("no model versions in ")
    code, out, _ = _cli(capsys, "models", "install", *dirs, str(src))
    assert code == 0 and "installed model set " in out and "previous: none" in out
    code, out, _ = _cli(capsys, "models", "install", *dirs, "--keep", "5", str(src))
    assert code == 0
    code, out, _ = _cli(capsys, "models", "list", *dirs)
    lines = out.splitlines()
    assert len(lines) == 2 and lines[1].startswith("* ") and "pose_detector" in lines[1]
    code, out, _ = _cli(capsys, "models", "verify", *dirs, "--all")
    assert code == 0 and out.count("ok   ") == 2

    bad = pose_set(tmp_path / "bad")
    corrupt(bad / DETECTOR[1])
    code, out, err = _cli(capsys, "models", "install", *dirs, str(bad))
    assert code == 2 and err.startswith("error: model file ") and "has sha256" in err

    code, out, _ = _cli(capsys, "models", "rollback", *dirs)
    assert code == 0 and out.startswith("model set ") and "is live again" in out
    live = store.current_dir(tmp_path / "m")
    data = bytearray((live / DETECTOR[1]).read_bytes())
    (live / DETECTOR[1]).unlink()  # break the hard link so only this version is damaged
    data[100] ^= 0xFF
    (live / DETECTOR[1]).write_bytes(bytes(data))
    code, out, _ = _cli(capsys, "models", "verify", *dirs)
    assert code == 1 and out.startswith("FAIL ") and "has sha256" in out

    code, _, err = _cli(capsys, "models", "install", *dirs, str(tmp_path / "nowhere"))
    assert code == 2 and "no model manifest at" in err


def test_models_provision_cli(
    live: tuple[Path, Path], gguf_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, state = live
    shipped = tmp_path / "shipped" / "summary-llm"
    shipped.mkdir(parents=True)
    shutil.copyfile(gguf_file, shipped / gguf_file.name)
    entry = store.entry_for(shipped / gguf_file.name, "llm", format="gguf")
    write_manifest(shipped, Manifest(id="summary-llm", created="2026", models={"llm": entry}))
    args = ["--models-dir", str(root), "--state-dir", str(state), "--shipped", str(shipped.parent)]
    code, out, _ = _cli(capsys, "models", "provision", *args)
    assert code == 0 and out.startswith("installed summary-llm (llm) as "), out
    code, out, _ = _cli(capsys, "models", "provision", *args)
    assert code == 0 and out == "models are up to date\n"


def _ship_llm(folder: Path, gguf: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.gguf"):
        old.unlink()
    shutil.copyfile(gguf, folder / gguf.name)
    entry = store.entry_for(folder / gguf.name, "llm", format="gguf")
    write_manifest(folder, Manifest(id=folder.name, created="2026", models={"llm": entry}))


def test_provision_updates_older_shipped_models_but_keeps_hand_installed_ones(
    live: tuple[Path, Path], tmp_path: Path, gguf_file: Path
) -> None:
    root, state = live
    shipped = tmp_path / "shipped"
    _ship_llm(shipped / "llm", gguf_file)
    assert provision(root, state, shipped)[0].startswith("installed llm (llm)")
    # A newer shipped model replaces the one provisioning installed before.
    (tmp_path / "v2").mkdir()
    newer = build_tiny_gguf(tmp_path / "v2" / "tiny-chat.gguf", n_layer=1, seed=2)
    _ship_llm(shipped / "llm", newer)
    assert provision(root, state, shipped)[0].startswith("installed llm (llm)")
    assert store.resolve(root, "llm")[1].sha256 == store.sha256_file(newer)
    # The owner's own model is never replaced by a shipped one.
    own = build_tiny_gguf(tmp_path / "mine.gguf", n_layer=1, seed=3)
    fetch_llm(root, state, str(own))
    _ship_llm(shipped / "llm", gguf_file)
    assert provision(root, state, shipped) == []
    assert store.resolve(root, "llm")[1].sha256 == store.sha256_file(own)
