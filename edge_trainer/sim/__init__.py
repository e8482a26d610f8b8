"""Synthetic gym: rendered mannequin workouts with exact ground truth.

Build a ``ClipSpec`` (or use ``single_set`` / ``workout``), then ``write_clip`` it to an
mp4 plus a ``.truth.json`` sidecar, ``render_clip`` it in memory, or stream it through
``synthetic_source``. ``demo_clip`` renders and caches the built-in demo workout.
``exercises`` are the ones it has a motion for. Heavy modules (OpenCV) load on first use
of a rendering function, so importing ``edge_trainer.sim.faults`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from edge_trainer.exercise.names import REST
from edge_trainer.sim.faults import fault_lines, faults_for
from edge_trainer.sim.motions import SPECS
from edge_trainer.sim.spec import (
    ActivitySpec,
    ClipSpec,
    SetSpec,
    parse_faults,
    parse_view,
    random_clip,
    single_set,
    workout,
)
from edge_trainer.sim.truth import RepTruth, SegmentTruth, SetTruth, Truth, load_landmarks

if TYPE_CHECKING:
    from edge_trainer.sim.api import (
        clip_paths,
        demo_clip,
        demo_source,
        demo_spec,
        frame_renderer,
        render_clip,
        synthetic_source,
        write_clip,
    )

_LAZY = {
    "clip_paths", "demo_clip", "demo_source", "demo_spec", "frame_renderer", "render_clip",
    "synthetic_source", "write_clip",
}  # fmt: skip


def exercises() -> tuple[str, ...]:
    """The exercises the synthetic gym has a motion for, in the catalogue's order."""
    return tuple(SPECS)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module("edge_trainer.sim.api"), name)
    raise AttributeError(f"module 'edge_trainer.sim' has no attribute '{name}'")


__all__ = [
    "REST", "ActivitySpec", "ClipSpec", "RepTruth", "SegmentTruth", "SetSpec", "SetTruth",
    "Truth", "clip_paths", "demo_clip", "demo_source", "demo_spec", "exercises", "fault_lines",
    "faults_for", "frame_renderer", "load_landmarks", "parse_faults", "parse_view",
    "random_clip", "render_clip", "single_set", "synthetic_source", "workout", "write_clip",
]  # fmt: skip
