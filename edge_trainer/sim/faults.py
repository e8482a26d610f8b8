"""Form-fault codes shared by the synthetic gym and the form rules, one line each."""

from __future__ import annotations

# (code, description). Codes are ``<exercise>_<fault>``; the sim injects them per rep and
# the form rules in ``edge_trainer.exercise`` report the same strings.
FAULTS: tuple[tuple[str, str], ...] = (
    ("squat_shallow", "squat stops well above parallel (hips stay above the knees)"),
    ("squat_knee_valgus", "knees cave in towards each other at the bottom"),
    ("squat_torso_lean", "torso leans too far forward at the bottom"),
    ("lunge_knee_past_toes", "front knee travels well past the toes"),
    ("deadlift_back_round", "back rounds instead of staying flat in the hinge"),
    ("push_up_hip_sag", "hips sag below the shoulder-ankle line"),
    ("push_up_hip_pike", "hips pike above the shoulder-ankle line"),
    ("push_up_partial", "push-up stops well short of the bottom"),
    ("bicep_curl_swing", "upper arm swings forward and the torso rocks back"),
    ("bicep_curl_partial", "curl stops well short of full elbow flexion"),
    ("shoulder_press_lockout", "press stops short of locking the arms out overhead"),
    ("shoulder_press_back_arch", "lower back arches and the torso leans back"),
)

FAULT_CODES: tuple[str, ...] = tuple(code for code, _ in FAULTS)
FAULT_DESCRIPTIONS: dict[str, str] = dict(FAULTS)


def faults_for(exercise: str) -> tuple[str, ...]:
    """Fault codes that belong to ``exercise`` (codes start with ``<exercise>_``)."""
    return tuple(c for c in FAULT_CODES if c.startswith(exercise + "_"))
