"""Hostile model sets are refused: symlinks, special files, damaged weights behind a good
hash, chat templates that hang or explode, and names that would write outside the store."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import threading
import time
from pathlib import Path

import pytest

from edge_trainer.cli import main
from edge_trainer.errors import ModelError
from edge_trainer.models import store
from edge_trainer.models.install import install_set
from edge_trainer.models.manifest import read_manifest, sha256_file, write_manifest
from edge_trainer.models.template import render_template
from edge_trainer.models.trial import run_tflite
from tests.llm_fixture import build_tiny_gguf
from tests.model_sets import DETECTOR, LANDMARKS, pose_set

HAVE_LLAMA = importlib.util.find_spec("llama_cpp") is not None


def damage_weights(path: Path) -> None:
    """Zero the model's largest weight tensor in place: it still loads and runs."""
    from ai_edge_litert.interpreter import Interpreter

    data = bytearray(path.read_bytes())
    interp = Interpreter(model_path=str(path))
    interp.allocate_tensors()
    spans = []
    for d in interp.get_tensor_details():
        try:
            raw = interp.get_tensor(d["index"]).tobytes()
        except ValueError:
            continue
        pos = data.find(raw) if len(raw) > 4096 else -1
        if pos >= 0:
            spans.append((len(raw), pos))
    size, pos = max(spans)
    data[pos : pos + size] = bytes(size)
    path.write_bytes(bytes(data))


def _install(tmp_path: Path, src: Path) -> str:
    return install_set(tmp_path / "models", src, tmp_path / "state", reload="none").version


def test_a_symlink_in_a_set_is_refused_and_never_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.tflite"
    secret.write_bytes(b"owner's private bytes" * 64)
    secret.chmod(0o600)
    src = pose_set(tmp_path / "src")
    target = src / DETECTOR[1]
    manifest = read_manifest(src)
    entry = manifest.models["pose_detector"]
    target.unlink()
    target.symlink_to(secret)
    # The manifest even names the linked file's true hash: still refused.
    forged = dataclasses.replace(
        entry, sha256=sha256_file(secret), size=secret.stat().st_size, reference=()
    )
    write_manifest(
        src, dataclasses.replace(manifest, models={**manifest.models, "pose_detector": forged})
    )
    with pytest.raises(ModelError, match="is a symlink"):
        _install(tmp_path, src)
    copied = [p for p in (tmp_path / "models").rglob("*") if p.is_file()]
    assert all(p.read_bytes() != secret.read_bytes() for p in copied)


def test_a_symlinked_manifest_and_a_fifo_are_refused(tmp_path: Path) -> None:
    src = pose_set(tmp_path / "src")
    real = tmp_path / "elsewhere.json"
    (src / "manifest.json").rename(real)
    (src / "manifest.json").symlink_to(real)
    with pytest.raises(ModelError, match="symlink"):
        _install(tmp_path, src)
    (src / "manifest.json").unlink()
    real.rename(src / "manifest.json")
    (src / LANDMARKS[1]).unlink()
    os.mkfifo(src / LANDMARKS[1])
    started = time.monotonic()
    with pytest.raises(ModelError, match="not a regular file"):
        _install(tmp_path, src)
    assert time.monotonic() - started < 10, "a fifo must never be opened"


def test_damaged_weights_behind_a_matching_hash_fail_the_reference_comparison(
    tmp_path: Path,
) -> None:
    src = pose_set(tmp_path / "src")
    manifest = read_manifest(src)
    entry = manifest.models["pose_landmarks"]
    assert entry.reference, "sets are built with reference outputs"
    path = src / entry.file
    damage_weights(path)
    run_tflite(path)  # it runs...
    damaged = dataclasses.replace(entry, sha256=sha256_file(path), size=path.stat().st_size)
    write_manifest(
        src, dataclasses.replace(manifest, models={**manifest.models, "pose_landmarks": damaged})
    )
    with pytest.raises(ModelError, match="differs from the reference outputs"):
        _install(tmp_path, src)  # ...but not as the set was built
    assert store.current_version(tmp_path / "models") is None


def test_a_set_without_references_gets_them_from_its_first_trial(tmp_path: Path) -> None:
    src = pose_set(tmp_path / "src")
    manifest = read_manifest(src)
    bare = {r: dataclasses.replace(e, reference=()) for r, e in manifest.models.items()}
    write_manifest(src, dataclasses.replace(manifest, models=bare))
    version = _install(tmp_path, src)
    live = read_manifest(store.version_dir(tmp_path / "models", version))
    assert live.models["pose_detector"].reference == manifest.models["pose_detector"].reference


@pytest.mark.parametrize(
    ("template", "why"),
    [
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "longer than",
        ),
        ("{% for i in range(100000) %}{{ messages[0].content }}{% endfor %}", "more than"),
        ("{{ 'x' * 1000000000 }}", "too large"),
        ("{{ raise_exception('no system messages') }}", "raised"),
        ("{% for m in messages %}", "does not render"),
    ],
)
def test_hostile_chat_templates_are_refused_within_limits(template: str, why: str) -> None:
    started = time.monotonic()
    with pytest.raises(ModelError, match=why):
        render_template(template)
    assert time.monotonic() - started < 8


def test_a_normal_chat_template_renders() -> None:
    text = render_template(
        "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}"
        "{% if add_generation_prompt %}<|assistant|>{% endif %}"
    )
    assert text.startswith("<|system|>") and text.endswith("<|assistant|>")


@pytest.mark.skipif(not HAVE_LLAMA, reason="llama_cpp (llm extra) is not installed")
def test_a_gguf_whose_template_hangs_is_refused_by_the_trial_load(tmp_path: Path) -> None:
    hang = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    gguf = build_tiny_gguf(tmp_path / "hang.gguf", n_layer=1, chat_template=hang)
    code = main(["models", "fetch-llm", str(gguf), "--models-dir", str(tmp_path / "m"),
                 "--state-dir", str(tmp_path / "s"), "--reload", "none"])  # fmt: skip
    assert code == 2
    assert store.current_version(tmp_path / "m") is None


@pytest.mark.parametrize(
    "name", ["/tmp/evil-abs.gguf", "../escape.gguf", ".hidden.gguf", "a/b.gguf"]
)
def test_fetch_llm_name_outside_the_store_is_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    gguf = build_tiny_gguf(tmp_path / "tiny.gguf", n_layer=1)
    root = tmp_path / "m"
    code = main(["models", "fetch-llm", str(gguf), "--name", name, "--models-dir", str(root),
                 "--state-dir", str(tmp_path / "s"), "--reload", "none"])  # fmt: skip
    assert code == 2
    assert "--name must be a plain file name" in capsys.readouterr().err
    assert not root.exists(), "nothing written"
    assert not Path("/tmp/evil-abs.gguf").exists()
    assert not (tmp_path / "escape.gguf").exists()


def test_fetch_llm_from_a_fifo_does_not_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "model.gguf"
    os.mkfifo(fifo)
    argv = ["models", "fetch-llm", str(fifo), "--models-dir", str(tmp_path / "m")]
    argv += ["--state-dir", str(tmp_path / "s"), "--reload", "none"]
    done: list[int] = []
    worker = threading.Thread(target=lambda: done.append(main(argv)), daemon=True)
    worker.start()
    worker.join(10)
    assert done == [2]
    assert "fifo" in capsys.readouterr().err


def test_summarize_with_a_hanging_template_model_is_refused_quickly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from edge_trainer.events import RepRecord, SetRecord
    from edge_trainer.models import template

    monkeypatch.setattr(template, "TIME_LIMIT_S", 0.5)
    from edge_trainer.session import HistoryStore

    db = tmp_path / "h.sqlite3"
    reps = tuple(RepRecord(i, 2.0 * i, 2.0 * i + 1.5, 0.6, 0.9) for i in range(1, 4))
    with HistoryStore(db) as history:
        set_id = history.start_set(history.start_session(0.0), "squat", 0.0)
        history.finish_set(set_id, SetRecord("squat", 0.0, 8.0, reps))
    hang = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    gguf = build_tiny_gguf(tmp_path / "hang.gguf", n_layer=1, chat_template=hang)
    started = time.monotonic()
    code = main(["summarize", "--set", str(set_id), "--db", str(db), "--model", str(gguf)])
    assert code == 2 and time.monotonic() - started < 10
    assert "longer than 0.5 s" in capsys.readouterr().err
