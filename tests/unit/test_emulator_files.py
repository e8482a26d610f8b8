"""Run-mode emulator output stays bounded: oldest files go first, indexes rotate."""

from __future__ import annotations

import os
from pathlib import Path

from edge_trainer.hw.emulator_files import prune, prune_outputs


def _write(folder: Path, name: str, size: int, age: int) -> Path:
    path = folder / name
    path.write_bytes(b"x" * size)
    os.utime(path, ns=(age * 10**9, age * 10**9))
    return path


def test_the_oldest_files_go_first_by_count(tmp_path: Path) -> None:
    for i in range(10):
        _write(tmp_path, f"oled_{i:05d}.png", 100, 1000 + i)
    (tmp_path / "notes.txt").write_text("kept")
    assert prune(tmp_path, "oled_*.png", "index.jsonl", keep_files=4, keep_bytes=10**9) == 6
    left = sorted(p.name for p in tmp_path.glob("oled_*.png"))
    assert left == [f"oled_{i:05d}.png" for i in range(6, 10)]
    assert (tmp_path / "notes.txt").exists()


def test_the_oldest_files_go_first_by_size_and_the_index_rotates(tmp_path: Path) -> None:
    for i in range(10):
        _write(tmp_path, f"cue_{i:04d}_t0.000_rep.wav", 1000, 2000 + i)
    (tmp_path / "cues.jsonl").write_bytes(b"{}\n" * 40000)
    prune(tmp_path, "cue_*.wav", "cues.jsonl", keep_files=100, keep_bytes=3500)
    assert len(list(tmp_path.glob("cue_*.wav"))) == 3
    assert not (tmp_path / "cues.jsonl").exists() and (tmp_path / "cues.jsonl.1").exists()


def test_prune_outputs_covers_the_oled_and_speech_folders(tmp_path: Path) -> None:
    for folder, pattern in (("oled", "oled_{:05d}.png"), ("speech", "cue_{:04d}_t0_rep.wav")):
        (tmp_path / folder).mkdir()
        for i in range(5):
            _write(tmp_path / folder, pattern.format(i), 10, 100 + i)
    assert prune_outputs(tmp_path, keep_files=2, keep_mb=1.0) == 6
    assert prune_outputs(tmp_path / "missing", keep_files=2, keep_mb=1.0) == 0
