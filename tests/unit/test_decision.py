"""A set's name: calibration, the unknown threshold and flickering windows."""

from __future__ import annotations

import pytest

from edge_trainer.exercise.classifier import CLASSES
from edge_trainer.exercise.decision import OpenSet, calibrate, decide_exercise, mean_probs
from edge_trainer.exercise.names import REST


def _probs(**given: float) -> dict[str, float]:
    rest = (1.0 - sum(given.values())) / (len(CLASSES) - len(given))
    return {k: given.get(k, rest) for k in CLASSES}


def test_temperature_softens_and_sharpens_without_reordering() -> None:
    p = _probs(squat=0.7, lunge=0.2)
    soft, sharp = calibrate(p, 3.0), calibrate(p, 0.5)
    assert sum(soft.values()) == pytest.approx(1.0) and sum(sharp.values()) == pytest.approx(1.0)
    assert soft["squat"] < p["squat"] < sharp["squat"]
    assert max(soft, key=soft.__getitem__) == max(sharp, key=sharp.__getitem__) == "squat"
    assert calibrate(p, 1.0)["squat"] == pytest.approx(p["squat"])


def test_a_clear_set_is_named_and_a_weak_one_is_unknown() -> None:
    sure = [_probs(squat=0.9)] * 10
    assert decide_exercise(sure, open_set=OpenSet(temperature=1.0, min_share=0.4)).label == "squat"
    # Spread over three exercises and rest: none reaches the threshold.
    unsure = [_probs(squat=0.3, lunge=0.25, deadlift=0.2, rest=0.2)] * 10
    decision = decide_exercise(unsure, open_set=OpenSet(temperature=1.0, min_share=0.4))
    assert decision.label == REST
    assert "unknown" in decision.reason and "squat p=0.30" in decision.reason


def test_the_threshold_applies_to_calibrated_probabilities() -> None:
    # 0.5 for the squat passes a 0.4 threshold as it is, but not once softened.
    windows = [_probs(squat=0.5, rest=0.3)] * 6
    assert (
        decide_exercise(windows, open_set=OpenSet(temperature=1.0, min_share=0.4)).label == "squat"
    )
    assert decide_exercise(windows, open_set=OpenSet(temperature=3.0, min_share=0.4)).label == REST


def test_windows_that_flicker_between_two_classes_name_the_set_once() -> None:
    # Every other window says lunge; over the set the squat leads and names it.
    windows = [_probs(squat=0.8, lunge=0.1), _probs(lunge=0.55, squat=0.4)] * 8
    mean = mean_probs(windows, 1.0)
    assert mean["squat"] == pytest.approx(0.6) and mean["lunge"] == pytest.approx(0.325)
    assert (
        decide_exercise(windows, open_set=OpenSet(temperature=1.0, min_share=0.4)).label == "squat"
    )


def test_no_recognition_is_no_exercise() -> None:
    assert decide_exercise([]).label == REST
