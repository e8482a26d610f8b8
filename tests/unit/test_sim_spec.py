"""Clip specs: view and fault parsing, validation errors, the fault list."""

from __future__ import annotations

import pytest

from edge_trainer.errors import InputError
from edge_trainer.exercise import catalogue
from edge_trainer.sim import ClipSpec, SetSpec, exercises, fault_lines, faults_for
from edge_trainer.sim.motions import SPECS
from edge_trainer.sim.spec import parse_faults, parse_view, single_set


def test_every_exercise_has_a_spec_and_every_fault_an_owner() -> None:
    assert exercises() == catalogue.names()
    codes = [code for code, _ in fault_lines()]
    for code, text in fault_lines():
        assert text and code == code.lower()
        assert any(code.startswith(ex + "_") for ex in exercises()), code
    for ex, spec in SPECS.items():
        assert set(spec.faults) == set(faults_for(ex))
    assert len(set(codes)) == len(codes)


def test_parse_view_names_and_degrees() -> None:
    assert parse_view("front") == 0.0
    assert parse_view("side") == 90.0
    assert parse_view("45") == 45.0
    assert parse_view("-30") == -30.0
    with pytest.raises(InputError):
        parse_view("upside-down")


def test_parse_faults_short_and_full_codes() -> None:
    got = parse_faults("squat", ["shallow@3,5", "squat_knee_valgus@2"])
    assert got == ((2, "squat_knee_valgus"), (3, "squat_shallow"), (5, "squat_shallow"))
    with pytest.raises(InputError, match="unknown fault"):
        parse_faults("squat", ["hip_sag@1"])
    with pytest.raises(InputError, match="needs reps"):
        parse_faults("squat", ["shallow"])
    with pytest.raises(InputError, match="bad rep"):
        parse_faults("squat", ["shallow@x"])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ClipSpec(()), "at least one segment"),
        (ClipSpec((SetSpec("yoga"),)), "unknown exercise"),
        (ClipSpec((SetSpec("squat", 0),)), "reps"),
        (ClipSpec((SetSpec("squat", 3, faults=((4, "squat_shallow"),)),)), "rep 4"),
        (ClipSpec((SetSpec("squat", 3, faults=((1, "push_up_partial"),)),)), "does not belong"),
        (ClipSpec((SetSpec("squat"),), fps=0.5), "fps"),
        (ClipSpec((SetSpec("squat"),), background="beach"), "background"),
    ],
)
def test_bad_specs_are_rejected(spec: ClipSpec, message: str) -> None:
    with pytest.raises(InputError, match=message):
        spec.validate()


def test_single_set_wraps_the_set_in_standing() -> None:
    spec = single_set("bicep_curl", 4, "side", variant="hammer", seed=3)
    kinds = [type(s).__name__ for s in spec.segments]
    assert kinds == ["ActivitySpec", "SetSpec", "ActivitySpec"]
    s = spec.segments[1]
    assert isinstance(s, SetSpec)
    assert (s.exercise, s.reps, s.view, s.variant) == ("bicep_curl", 4, 90.0, "hammer")


def test_random_clips_are_valid_varied_and_reproducible() -> None:
    from edge_trainer.sim import random_clip

    specs = [random_clip(seed) for seed in range(40)]
    for spec in specs:
        spec.validate()
    assert random_clip(7) == random_clip(7)
    sets = [s.segments[1] for s in specs]
    assert len({s.exercise for s in sets if isinstance(s, SetSpec)}) >= 10
    assert any(isinstance(s, SetSpec) and s.faults for s in sets)
