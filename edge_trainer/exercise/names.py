"""The exercise names the product knows, shared by the classifier, rules, sim and UI."""

EXERCISES: tuple[str, ...] = (
    "squat", "lunge", "deadlift", "push_up", "pull_up", "situp", "jumping_jack",
    "bicep_curl", "tricep_extension", "shoulder_press", "lateral_raise", "front_raise",
    "dumbbell_row", "bench_press",
)  # fmt: skip

# Not exercising: standing, walking, resting. The classifier's extra class.
REST = "rest"

# Repeated movement the classifier does not know: still counted, reported as this.
UNKNOWN = "unknown"
