"""Every form-fault code the rules report, with how the box names it and how it cues it.

``name`` is a noun phrase for summaries ("Rep 3 showed shallow depth"); ``cue``
is the two-to-four words spoken mid-set ("Go deeper"). The rules, the synthetic gym's
injected faults and the coach all use these codes; a test keeps them in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from edge_trainer.exercise.names import EXERCISES


@dataclass(frozen=True, slots=True)
class Fault:
    """How one fault is named and cued."""

    name: str
    cue: str


FAULTS: dict[str, Fault] = {
    "squat_shallow": Fault("shallow depth", "Go deeper"),
    "squat_knee_valgus": Fault("knees caving in", "Knees out"),
    "squat_torso_lean": Fault("leaning forward too far", "Chest up"),
    "lunge_knee_past_toes": Fault("front knee past the toes", "Knee behind your toes"),
    "lunge_shallow": Fault("shallow lunges", "Lower the back knee"),
    "deadlift_back_round": Fault("a rounded back", "Flat back"),
    "deadlift_no_lockout": Fault("not standing tall at the top", "Stand tall at the top"),
    "push_up_hip_sag": Fault("hips sagging", "Hips up"),
    "push_up_hip_pike": Fault("hips piking up", "Hips down"),
    "push_up_partial": Fault("partial range", "Chest lower"),
    "bench_press_partial": Fault("not touching the chest", "Touch your chest"),
    "bench_press_lockout": Fault("not locking out", "Lock out at the top"),
    "bicep_curl_swing": Fault("swinging the upper arm", "Elbows still"),
    "bicep_curl_partial": Fault("partial curls", "Full range"),
    "tricep_extension_partial": Fault("not straightening the arm", "Full extension"),
    "tricep_extension_elbow_drift": Fault("elbows drifting", "Elbows still"),
    "shoulder_press_lockout": Fault("not locking out overhead", "Lock out overhead"),
    "shoulder_press_back_arch": Fault("arching the back", "Ribs down, don't arch"),
    "lateral_raise_low": Fault("arms below shoulder height", "Up to shoulder height"),
    "lateral_raise_swing": Fault("swinging the body", "No swinging"),
    "front_raise_low": Fault("arms below shoulder height", "Up to shoulder height"),
    "front_raise_swing": Fault("swinging the body", "No swinging"),
    "dumbbell_row_partial": Fault("short rows", "Pull to your hip"),
    "dumbbell_row_torso_rise": Fault("the torso rising", "Keep your back still"),
    "pull_up_chin_below_bar": Fault("chin below the bar", "Chin over the bar"),
    "pull_up_no_full_hang": Fault("no full hang", "Full hang at the bottom"),
    "situp_partial": Fault("not sitting all the way up", "All the way up"),
    "situp_short_range": Fault("short range", "All the way up"),
    "jumping_jack_arms_low": Fault("arms not reaching overhead", "Arms all the way up"),
    "jumping_jack_feet_narrow": Fault("feet not wide enough", "Feet wider"),
}

# A rep that did not reach full range (counted apart, not as a rep).
PARTIAL = Fault("partial reps", "Full range")


def fault(code: str) -> Fault:
    """The fault for a code; an unknown code is named from its own words."""
    known = FAULTS.get(code)
    if known is not None:
        return known
    if code == "partial":
        return PARTIAL
    rest = code
    for name in sorted(EXERCISES, key=len, reverse=True):
        if code.startswith(name + "_"):
            rest = code[len(name) + 1 :]
            break
    words = rest.replace("_", " ").replace("-", " ").strip()
    return Fault(words or "form", f"Check {words}" if words else "Check your form")
