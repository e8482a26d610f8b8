"""The exercise stage's settings: the ``[exercise]`` section of the config file.

They live with the stage because the stage is pure and imports nothing of the app; the
config file's loader reads them as one of its sections.
"""

from __future__ import annotations

from dataclasses import dataclass

from edge_trainer.setting import setting


@dataclass(frozen=True, slots=True)
class ExerciseConfig:
    """Recognition, counting and form checks."""

    exercise: str = setting("auto", "fixed exercise name, or 'auto' to recognise it")
    set_end_pause_s: float = setting(6.0, "seconds without a rep that end a set", limits=(1, 120))
    person_lost_s: float = setting(
        2.0,
        "seconds without a pose before the person counts as gone (ends the set)",
        limits=(0.2, 60),
    )
    min_set_reps: int = setting(
        2,
        "full reps a recognised set needs to be kept (a chosen exercise keeps any): one "
        "slow movement is more often someone getting into position than a one-rep set",
        limits=(1, 20),
    )
    live_recount_s: float = setting(
        0.25,
        "seconds between live rep counts: lower speaks each rep sooner and costs CPU "
        "(0.25 s keeps the rep-to-voice latency near 200 ms)",
        limits=(0.05, 5),
    )
    min_visibility: float = setting(
        0.5, "landmarks seen less clearly than this are ignored by the form rules", limits=(0, 1)
    )
