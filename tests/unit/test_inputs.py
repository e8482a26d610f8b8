"""Every command input is checked before work starts: one clear line, exit 2, no hang."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edge_trainer import inputs
from edge_trainer.camera.video import VideoFileSource
from edge_trainer.cli import main
from edge_trainer.errors import InputError
from tests.clips import write_test_video

REPO = Path(__file__).resolve().parents[2]


def forged_npy(path: Path, shape: tuple[int, ...], payload: int = 64, dtype: str = "<f4") -> Path:
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    with path.open("wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
        f.write(b"\0" * payload)
    return path


def analyze(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run ``analyze`` in a thread so a blocking input fails the test instead of hanging."""
    done: list[int] = []
    worker = threading.Thread(target=lambda: done.append(main(["analyze", *argv])), daemon=True)
    worker.start()
    worker.join(20)
    assert done, f"analyze {argv} did not return"
    return done[0], capsys.readouterr().err


def test_refused_inputs_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok = tmp_path / "ok.npy"
    np.save(ok, np.random.default_rng(0).random((60, 33, 4)).astype(np.float32))
    fifo = tmp_path / "fifo.npy"
    os.mkfifo(fifo)
    image = tmp_path / "photo.mp4"
    Image.new("RGB", (64, 48)).save(image, format="PNG")
    audio = tmp_path / "sound.mp4"
    with wave.open(str(audio), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 8000)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    cases = [
        ((str(forged_npy(tmp_path / "huge.npy", (10**9, 33, 4))),), "claims shape"),
        ((str(forged_npy(tmp_path / "short.npy", (100, 33, 4))),), "truncated or forged"),
        ((str(forged_npy(tmp_path / "obj.npy", (2,), dtype="|O")),), "expected numbers"),
        ((str(fifo),), "fifo"),
        ((str(tmp_path),), "directory"),
        (("/dev/zero",), "device"),
        ((str(image),), "PNG image, not a video"),
        ((str(audio),), "video"),
        ((str(empty),), "empty"),
        ((str(ok), "--fps", "inf"), "between 1 and 240"),
        ((str(ok), "--fps", "nan"), "between 1 and 240"),
        ((str(ok), "--fps", "1e9"), "between 1 and 240"),
        ((str(ok), "--fps", "1e-9"), "between 1 and 240"),
        ((str(ok), "--fps", "0"), "between 1 and 240"),
        ((str(ok), "--annotate", str(fifo)), "fifo"),
        ((str(ok), "--annotate", str(tmp_path / "no" / "out.mp4")), "no folder"),
    ]
    for argv, why in cases:
        code, err = analyze(capsys, *argv)
        assert code == 2, (argv, err)
        assert err.count("\n") == 1 and why in err and "Traceback" not in err, (argv, err)


def test_a_sane_array_header_passes(tmp_path: Path) -> None:
    path = tmp_path / "ok.npy"
    np.save(path, np.zeros((5, 33, 4), np.float32))
    assert inputs.npy_file(path) == ((5, 33, 4), "<f4")
    assert inputs.fps(None) is None and inputs.fps(240.0) == 240.0


def test_a_one_frame_video_is_read_whole(tmp_path: Path) -> None:
    clip = write_test_video(tmp_path / "one.mp4", frames=1)
    assert inputs.video_file(clip) == 1
    source = VideoFileSource(clip)
    source.open()
    frames = []
    while (frame := source.read()) is not None:
        frames.append(frame)
    source.close()
    assert [f.index for f in frames] == [0]


def test_a_symlink_is_refused_where_it_must_not_be_followed(tmp_path: Path) -> None:
    target = tmp_path / "real.npy"
    np.save(target, np.zeros((2, 33, 4), np.float32))
    link = tmp_path / "link.npy"
    link.symlink_to(target)
    inputs.regular_file(link)  # a user's own input may be a symlink
    with pytest.raises(InputError, match="is a symlink, not a regular file"):
        inputs.regular_file(link, follow_symlinks=False)


CHATTY = """
import os, sys
from edge_trainer.chatter import NativeChatter
with NativeChatter():
    os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\\n")
    os.write(2, b"[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d1c0a0] moov atom not found\\n")
    os.write(2, b"[ WARN:0@0.012] global cap.cpp:164 open VIDEOIO(CV_IMAGES)\\n")
    print("error: the message the user needs", file=sys.stderr)
    sys.stderr.write("\\r[###   ] 50%")
    sys.stderr.write("\\r[######] 100%\\n")
"""


def test_native_chatter_stays_off_stderr_and_everything_else_passes() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHATTY], cwd=REPO, capture_output=True, timeout=30, check=False
    )
    assert done.returncode == 0
    assert done.stderr == b"error: the message the user needs\n\r[###   ] 50%\r[######] 100%\n"
