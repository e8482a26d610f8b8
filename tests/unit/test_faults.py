"""The fault catalogue covers every code the rules report and the sim injects."""

from __future__ import annotations

from edge_trainer.coach.facts import fault_phrase as summary_name
from edge_trainer.exercise.faults import FAULTS, fault
from edge_trainer.exercise.rules import RULE_CODES
from edge_trainer.sim.faults import FAULT_CODES as SIM_CODES


def test_every_rule_and_sim_code_is_named_and_cued() -> None:
    missing = sorted((set(RULE_CODES) | set(SIM_CODES)) - set(FAULTS))
    assert missing == []


def test_cues_are_short_enough_to_catch_mid_set() -> None:
    long = {code: f.cue for code, f in FAULTS.items() if not 1 <= len(f.cue.split()) <= 5}
    assert long == {}


def test_unknown_codes_are_named_from_their_words() -> None:
    assert fault("squat_toes_out").name == "toes out"
    assert fault("squat_toes_out").cue == "Check toes out"
    assert fault("partial").cue == "Full range"
    assert summary_name("squat_knee_valgus") == "knees caving in"
