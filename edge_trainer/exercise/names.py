"""The two labels that are not exercises: ``rest`` (not exercising) and ``unknown``."""

# Not exercising: standing, walking, resting. The classifier's extra class.
REST = "rest"

# Repeated movement the classifier does not know: still counted, reported as this.
UNKNOWN = "unknown"
