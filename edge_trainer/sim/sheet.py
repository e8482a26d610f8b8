"""A contact sheet: one labelled frame per exercise and view, for looking at the mannequin."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from edge_trainer.sim.motions import SPECS
from edge_trainer.sim.render import Renderer
from edge_trainer.sim.spec import single_set

VIEWS = (0.0, 45.0, 90.0)


def contact_sheet(
    path: str | Path,
    exercises: tuple[str, ...] = (),
    views: tuple[float, ...] = VIEWS,
    seed: int = 1,
    tile: tuple[int, int] = (320, 240),
) -> Path:
    """Write a PNG grid (rows: exercises, columns: views) of each rep's turning point."""
    rows = []
    for k, ex in enumerate(exercises or tuple(SPECS)):
        row = []
        for view in views:
            r = Renderer(single_set(ex, 1, view, seed=seed + k, lead_in_s=0.0, noise=0.0))
            frame = r.timeline.sets[0].reps[0].bottom_frame
            img = cv2.resize(r.render(frame), tile, interpolation=cv2.INTER_AREA)
            label = f"{ex} {view:.0f}"
            cv2.putText(img, label, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 3)
            cv2.putText(img, label, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1)
            row.append(img)
        rows.append(np.hstack(row))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out), cv2.cvtColor(np.vstack(rows), cv2.COLOR_RGB2BGR))
    return out
