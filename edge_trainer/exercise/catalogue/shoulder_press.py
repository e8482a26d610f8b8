"""Standing shoulder press: the weight pressed from the shoulders to locked arms overhead."""

from __future__ import annotations

import numpy as np

from edge_trainer.exercise import geometry as geo
from edge_trainer.exercise.catalogue.base import WRISTS, Exercise
from edge_trainer.exercise.rules.base import (
    ALL_VIEWS,
    SIDE_VIEWS,
    Fault,
    RepContext,
    Rule,
    extreme,
    lean_forward,
)
from edge_trainer.exercise.rules.measures import max_elbow

# Frames at the start of a rep whose lean reads its starting posture.
START_FRAMES = 3


def _back_lean(ctx: RepContext) -> float:
    """Largest backward trunk lean of the rep, degrees (positive = leaning back).

    Seen at 45 degrees with the far shoulder hidden, the trunk line runs from the near
    hip to the near shoulder, and the shoulders' extra width over the hips tilts it
    backward by several degrees on an upright body. The lean is then counted from the
    start of the rep (when that reads as backward): what is left is the arch the press
    adds, and an arch held from the first frame goes unflagged in that one case.
    """
    lean = lean_forward(ctx)
    start = 0.0
    head = slice(ctx.rest, ctx.rest + START_FRAMES)
    one_sided = np.isnan(ctx.pts[head, [geo.L_SHOULDER, geo.R_SHOULDER], 0]).any()
    if ctx.view == "45" and one_sided:
        first = lean[head][np.isfinite(lean[head])]
        start = min(float(np.median(first)), 0.0) if first.size else 0.0
    return -(extreme(lean, high=False) - start)


EXERCISE = Exercise(
    name="shoulder_press",
    label=9,
    concentric_first=True,
    velocity_point=WRISTS,
    angle=("left_shoulder", "left_elbow", "left_wrist"),
    rules=(
        Rule(
            "shoulder_press_lockout",
            ALL_VIEWS,
            max_elbow,
            160.0,
            False,
            "deg elbow at the top",
            "locked-out arms overhead read 165-180 degrees; under 160 the press stopped short",
            Fault("not locking out overhead", "Lock out overhead"),
        ),
        Rule(
            "shoulder_press_back_arch",
            SIDE_VIEWS,
            _back_lean,
            10.0,
            True,
            "deg backward lean",
            "a standing press keeps the trunk within ~5 degrees of vertical; leaning back "
            "more than 10 turns it into an incline press off an arched lower back",
            Fault("arching the back", "Ribs down, don't arch"),
        ),
    ),
    movers=("elbow", "forearm", "shoulder"),
)
