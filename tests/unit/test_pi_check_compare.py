"""make pi-check's verdict: counts, landmarks within tolerance, doctor's chroot-able checks."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "pi_check_clips.py"


@pytest.fixture(scope="module")
def clips() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pi_check_clips", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _results(folder: Path, reps: int, shift: float = 0.0, lost: int | None = None) -> Path:
    folder.mkdir()
    rng = np.random.default_rng(0)
    for clip in ("real_squat", "synthetic_squat"):
        report = {
            "total_reps": reps,
            "sets": [{"exercise": "squat", "reps": reps}],
            "timing": {"pose_ms_per_frame": 40.0 * (1 + shift * 1000)},
        }
        (folder / f"{clip}.json").write_text(json.dumps(report), encoding="utf-8")
        rows = rng.random((60, 33, 4)).astype(np.float32)
        rows[..., :2] += shift
        if lost is not None:
            rows[lost] = np.nan
        np.save(folder / f"{clip}.npy", rows)
    return folder


def test_same_counts_and_close_landmarks_agree(
    clips: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    x86 = _results(tmp_path / "x86", 2)
    arm = _results(tmp_path / "arm", 2, shift=0.004)
    assert clips.compare(x86, arm)
    out = capsys.readouterr().out
    assert "real_squat: x86-64 2 reps [('squat', 2)], arm64 2 reps [('squat', 2)]: same" in out
    assert "differ by at most 0.00400" in out
    assert "pose: 40 ms a frame native, 200 ms emulated (5x)" in out


@pytest.mark.parametrize(
    ("arm_kw", "why"),
    [
        ({"reps": 3}, "DIFFERENT"),
        ({"reps": 2, "shift": 0.02}, "TOO FAR"),
        ({"reps": 2, "lost": 7}, "TOO FAR"),
    ],
)
def test_a_different_count_far_landmarks_or_a_lost_person_disagree(
    clips: ModuleType,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    arm_kw: dict[str, float],
    why: str,
) -> None:
    x86 = _results(tmp_path / "x86", 2)
    arm = _results(tmp_path / "arm", **arm_kw)  # type: ignore[arg-type]
    assert not clips.compare(x86, arm)
    assert why in capsys.readouterr().out


def test_doctor_judges_only_what_a_chroot_can_pass(clips: ModuleType, tmp_path: Path) -> None:
    checks = [{"name": n, "status": "ok", "detail": ""} for n in clips.ROOT_CHECKS]
    checks += [{"name": "camera", "status": "fail", "detail": "no picamera2"}]
    path = tmp_path / "doctor.json"
    path.write_text(json.dumps(checks), encoding="utf-8")
    assert clips.doctor_ok(path)
    checks[0]["status"] = "fail"
    path.write_text(json.dumps(checks), encoding="utf-8")
    assert not clips.doctor_ok(path)
