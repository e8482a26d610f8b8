"""Every code the rules report and the sim injects is named and cued."""

from __future__ import annotations

from edge_trainer.coach.facts import fault_phrase as summary_name
from edge_trainer.exercise import catalogue
from edge_trainer.exercise.faults import fault, known_faults
from edge_trainer.sim.faults import fault_lines


def test_every_rule_and_sim_code_is_named_and_cued() -> None:
    rule_codes = {r.code for e in catalogue.exercises() for r in e.rules}
    sim_codes = {code for code, _ in fault_lines()}
    missing = sorted((rule_codes | sim_codes) - set(known_faults()))
    assert missing == []


def test_cues_are_short_enough_to_catch_mid_set() -> None:
    long = {code: f.cue for code, f in known_faults().items() if not 1 <= len(f.cue.split()) <= 5}
    assert long == {}


def test_unknown_codes_are_named_from_their_words() -> None:
    assert fault("squat_toes_out").name == "toes out"
    assert fault("squat_toes_out").cue == "Check toes out"
    assert fault("partial").cue == "Full range"
    assert summary_name("squat_knee_valgus") == "knees caving in"
