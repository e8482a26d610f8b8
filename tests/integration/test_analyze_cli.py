"""``edge-trainer analyze`` end to end: landmark files, bad input, annotation, a real video."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge_trainer.cli import main
from tests.unit.exercise_figures import reps, sequence, squat

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
CURL_CLIP = DATA / "videos" / "sample_bicep_curl.mp4"


@pytest.fixture
def squats(tmp_path: Path) -> Path:
    rows, _ = sequence(squat, [(0, 0, 1.0), *reps([1.0] * 5), (0, 0, 1.0)])
    rows[200:205] = np.nan  # a short dropout
    path = tmp_path / "squats.npy"
    np.save(path, rows.astype(np.float32))
    return path


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    assert main(["analyze", *args, "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    return json.loads(out)  # type: ignore[no-any-return]


def test_landmark_file_to_json(squats: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _json(capsys, str(squats), "--exercise", "squat", "--fps", "30")
    assert set(report) == {"input", "fps", "frames", "duration_s", "total_reps", "sets", "timing"}
    assert report["fps"] == 30.0 and report["frames"] == len(np.load(squats))
    assert report["total_reps"] == 5
    (s,) = report["sets"]
    assert set(s) == {"exercise", "start_s", "end_s", "reps", "partial_reps",
                      "velocity_loss_pct", "time_under_tension_s", "rep_details",
                      "trace"}  # fmt: skip
    assert s["exercise"] == "squat" and s["reps"] == 5 and s["partial_reps"] == 0
    assert len(s["rep_details"]) == 5
    for rep in s["rep_details"]:
        assert set(rep) == {"start_s", "end_s", "concentric_s", "eccentric_s", "faults"}
        assert 0.5 < rep["concentric_s"] < 1.5 and 0.5 < rep["eccentric_s"] < 1.5
        assert rep["faults"] == []
    assert report["timing"]["pose_ms_per_frame"] is None
    assert s["time_under_tension_s"] > 5 * 1.5


def test_json_trace_says_which_signal_decided_and_why_candidates_were_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Five squats and a half dip squeezed in right after the third: the dip is not a rep,
    # and the trace says why.
    slow = reps([1.0] * 5, down_s=1.2, up_s=1.2, rest_s=0.2)
    dip = [(0.0, 0.45, 0.35), (0.45, 0.0, 0.35), (0, 0, 0.3)]
    rows, _ = sequence(squat, [(0, 0, 1.0), *slow[:9], *dip, *slow[9:], (0, 0, 1.0)])
    path = tmp_path / "dip.npy"
    np.save(path, rows.astype(np.float32))
    report = _json(capsys, str(path), "--exercise", "squat")
    (s,) = report["sets"]
    trace = s["trace"]
    assert s["reps"] == 5 and s["partial_reps"] == 1
    assert trace["signal"] == "whole body"
    assert trace["exercise_reason"] == "chosen (button or config)"
    assert trace["stretches"][0]["counted"] and trace["stretches"][0]["period_s"] > 1.5
    assert {"min_periodicity", "full", "partial", "rhythm"} <= set(trace["thresholds"])
    assert all(r["reason"] for r in trace["rejected"])


def test_explain_plot_draws_every_set(squats: Path, tmp_path: Path) -> None:
    out = tmp_path / "why.png"
    assert main(["analyze", str(squats), "--exercise", "squat", "--explain", str(out)]) == 0
    image = cv2.imread(str(out))
    assert image is not None and image.shape[0] > 300 and image.shape[1] > 600
    # The counted reps are shaded green (BGR): the plot is not blank.
    b, g, r = (image[..., k].astype(int) for k in range(3))
    assert ((g > r + 15) & (g > b + 15)).mean() > 0.05


def test_frame_rate_option_scales_time(squats: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fast = _json(capsys, str(squats), "--exercise", "squat", "--fps", "60")
    assert fast["duration_s"] == pytest.approx(len(np.load(squats)) / 60, abs=0.01)
    assert fast["total_reps"] == 5


def test_readable_table(squats: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(squats), "--exercise", "squat"]) == 0
    out = capsys.readouterr().out
    assert "5 reps in 1 set(s)" in out and "set 1: squat" in out


@pytest.mark.parametrize(
    ("make", "args", "message"),
    [
        (lambda p: np.save(p, np.zeros((10, 17, 3), np.float32)), [], "expected (frames, 33, 4)"),
        (lambda p: np.save(p, np.full((10, 33, 4), np.nan, np.float32)), [], "no pose"),
        (lambda p: p.write_bytes(b"not numpy"), [], "cannot read"),
        (lambda p: np.save(p, np.zeros((10, 33, 4), np.int32)), [], "expected floats"),
        (lambda p: np.save(p, np.zeros((10, 33, 4), np.float32)), ["--fps", "0"], "--fps"),
        (lambda p: np.save(p, np.zeros((10, 33, 4), np.float32)), ["--exercise", "yoga"],
         "unknown exercise 'yoga'"),
    ],
    ids=["shape", "nan-only", "not-npy", "ints", "zero-fps", "exercise"],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make,
    args: list[str],
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "bad.npy"
    make(path)
    assert main(["analyze", str(path), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0]


def test_missing_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(tmp_path / "nope.npy")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_annotated_video_of_a_landmark_file(
    squats: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "annotated.mp4"
    assert main(["analyze", str(squats), "--exercise", "squat", "--annotate", str(out)]) == 0
    cap = cv2.VideoCapture(str(out))
    frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    ok, last = cap.read()
    cap.release()
    assert ok and frames == len(np.load(squats))
    assert last.std() > 1.0  # skeleton and text drawn on the blank canvas


@pytest.mark.slow
@pytest.mark.skipif(not CURL_CLIP.is_file(), reason=f"shared data not found: {CURL_CLIP}")
def test_real_video_through_the_pose_stage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from edge_trainer.pose.reference import mediapipe_model_files

    files = mediapipe_model_files()
    if files is None:
        pytest.skip("the mediapipe package ships the pose models")
    store = tmp_path / "models"
    paths = [str(files["pose_detector"]), str(files["pose_landmarks"])]
    assert main(["models", "fetch-pose", "--models-dir", str(store), "--from", *paths]) == 0
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\nmodels_dir = "{store}"\n', encoding="utf-8")
    capsys.readouterr()
    report = _json(capsys, str(CURL_CLIP), "--config", str(config), "--exercise", "bicep_curl")
    assert report["frames"] == 67
    assert report["total_reps"] == 1
    assert report["sets"][0]["exercise"] == "bicep_curl"
    assert report["timing"]["pose_ms_per_frame"] > 0
