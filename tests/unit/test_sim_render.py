"""Rendering: frames, determinism, streaming, options, files and the CLI."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from edge_trainer import cli
from edge_trainer.sim import Truth, clip_paths, single_set, synthetic_source, write_clip
from edge_trainer.sim.render import Renderer

SMALL = {"width": 320, "height": 240, "fps": 10.0}


def test_frames_are_rgb_deterministic_and_change_with_the_pose() -> None:
    spec = single_set("jumping_jack", 1, "front", seed=2, lead_in_s=0.2, **SMALL)
    a, b = Renderer(spec), Renderer(spec)
    assert a.frames == b.frames
    bottom = a.timeline.sets[0].reps[0].bottom_frame
    img = a.render(bottom)
    assert img.shape == (240, 320, 3) and img.dtype == np.uint8
    assert np.array_equal(img, b.render(bottom))
    assert np.abs(img.astype(int) - a.render(0).astype(int)).sum() > 1000
    with pytest.raises(IndexError):
        a.render(a.frames)


def test_synthetic_source_streams_the_same_frames() -> None:
    spec = single_set("bicep_curl", 1, 45, seed=3, lead_in_s=0.0, **SMALL)
    src = synthetic_source(spec)
    ref = Renderer(spec)
    src.open()
    frames = []
    while (f := src.read()) is not None:
        frames.append(f)
    src.close()
    assert len(frames) == ref.frames
    assert frames[3].t == pytest.approx(3 / 10.0)
    assert np.array_equal(frames[3].image, ref.render(3))


def test_options_render_and_the_occluder_hides_landmarks() -> None:
    base = single_set("squat", 1, "front", seed=8, lead_in_s=0.0, **SMALL)
    plain = Renderer(base)
    busy = Renderer(
        single_set("squat", 1, "front", seed=8, lead_in_s=0.0, blur=True, second_person=True,
                   occluder=True, background="plain", noise=0.0, **SMALL)
    )  # fmt: skip
    assert busy.second, "the second person never crosses the clip"
    i = next(iter(busy.second))
    assert busy.render(i).shape == (240, 320, 3)
    # Same seed, same motion: only visibility changes where the box covers the legs.
    t0, t1 = plain.truth().landmarks, busy.truth().landmarks
    assert np.allclose(t0[..., :3], t1[..., :3])
    assert t1[..., 3].sum() < t0[..., 3].sum()


def test_write_clip_writes_video_and_truth(tmp_path: Path) -> None:
    spec = single_set("lateral_raise", 1, "side", seed=1, lead_in_s=0.2, **SMALL)
    truth = write_clip(spec, tmp_path / "clip.mp4")
    video, truth_path = clip_paths(tmp_path / "clip.mp4")
    assert video == tmp_path / "clip.mp4" and truth_path == tmp_path / "clip.truth.json"
    cap = cv2.VideoCapture(str(video))
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    assert n == truth.frames
    assert Truth.load(truth_path).to_json() == truth.to_json()
    assert not list(tmp_path.glob(".*partial*"))


def test_cli_sim_writes_a_clip_and_rejects_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c"
    args = ["sim", "--exercise", "push_up", "--reps", "2", "--view", "side", "--faults",
            "hip_sag@2", "--width", "320", "--height", "240", "--fps", "10",
            "-o", str(out)]  # fmt: skip
    assert cli.main(args) == 0
    assert "2 reps" in capsys.readouterr().out
    truth = Truth.load(tmp_path / "c.truth.json")
    assert [r.faults for r in truth.sets[0].reps] == [(), ("push_up_hip_sag",)]
    assert cli.main(["sim", "--exercise", "push_up", "--faults", "valgus@1", "-o", str(out)]) == 2
    assert "unknown fault" in capsys.readouterr().err
    assert cli.main(["sim", "--exercise", "yoga", "-o", str(out)]) == 2
    assert cli.main(["sim", "list"]) == 0
    assert "squat_knee_valgus" in capsys.readouterr().out
