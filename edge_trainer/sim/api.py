"""The synthetic gym's public functions: render, write, stream and the cached demo clip."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from edge_trainer.camera.synthetic import SyntheticSource
from edge_trainer.errors import VideoError
from edge_trainer.sim.render import Renderer, spec_summary
from edge_trainer.sim.spec import ActivitySpec, ClipSpec, SetSpec
from edge_trainer.sim.truth import Truth

log = logging.getLogger(__name__)

Image = npt.NDArray[np.uint8]

# Bump when the renderer or motions change in a way that should regenerate cached clips.
SIM_VERSION = "3"
DEMO_SEED = 2026
# The demo member: the card held up at the start of the demo clip signs them in.
DEMO_MEMBER_ID = "DEMO2026"
DEMO_MEMBER_NAME = "Alex"
DEMO_CARD_S = 1.6


def render_clip(spec: ClipSpec) -> tuple[Iterator[Image], Truth]:
    """Frames (RGB, rendered lazily as the iterator is consumed) and the clip's truth."""
    renderer = Renderer(spec)
    truth = renderer.truth()
    return (renderer.render(i) for i in range(renderer.frames)), truth


def clip_paths(path: str | Path) -> tuple[Path, Path]:
    """``(<path>.mp4, <path>.truth.json)``; a trailing ``.mp4`` on ``path`` is dropped."""
    p = Path(path)
    base = p.with_suffix("") if p.suffix.lower() == ".mp4" else p
    return base.with_name(base.name + ".mp4"), base.with_name(base.name + ".truth.json")


def write_clip(spec: ClipSpec, path: str | Path) -> Truth:
    """Render ``spec`` to ``<path>.mp4`` plus ``<path>.truth.json``; returns the truth.

    Both files are written under temporary names and renamed into place, so a reader
    never sees half a clip. Raises VideoError if the video cannot be written.
    """
    video, truth_path = clip_paths(path)
    video.parent.mkdir(parents=True, exist_ok=True)
    renderer = Renderer(spec)
    truth = renderer.truth()
    tmp_video = video.with_name(f".{video.stem}.{os.getpid()}.partial.mp4")
    writer = cv2.VideoWriter(
        str(tmp_video), cv2.VideoWriter.fourcc(*"mp4v"), spec.fps, (spec.width, spec.height)
    )
    if not writer.isOpened():
        raise VideoError(f"cannot write video '{video}': OpenCV has no mp4v encoder")
    try:
        for i in range(renderer.frames):
            writer.write(cv2.cvtColor(renderer.render(i), cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
    tmp_truth = truth_path.with_name(f".{truth_path.name}.{os.getpid()}.partial")
    truth.save(tmp_truth)
    os.replace(tmp_video, video)
    os.replace(tmp_truth, truth_path)
    log.info("wrote %s (%d frames) and %s", video, renderer.frames, truth_path)
    return truth


def frame_renderer(spec: ClipSpec) -> tuple[Callable[[int, float], Image], int, float]:
    """``(render(index, t) -> RGB image, frames, fps)`` for ``SyntheticSource``."""
    renderer = Renderer(spec)
    return renderer.render, renderer.frames, renderer.fps


def synthetic_source(spec: ClipSpec) -> SyntheticSource:
    """A frame source that renders ``spec`` on the fly, without writing a file."""
    render, frames, fps = frame_renderer(spec)
    return SyntheticSource(render, frames, fps)


def demo_spec(fps: float = 30.0) -> ClipSpec:
    """The built-in demo workout: a member card held up, walk in, 6 squats at 45 degrees,
    rest, 5 push-ups from the side, walk out (about 50 s)."""
    return ClipSpec(
        (
            ActivitySpec("walk_in"),
            ActivitySpec("stand", 1.0, 45.0),
            SetSpec("squat", 6, 45.0, ((4, "squat_shallow"),), tempo=1.25, fatigue=0.2),
            # Long enough for the set to end and its summary to be spoken before the next.
            ActivitySpec("stand", 14.0, 45.0),
            SetSpec("push_up", 5, 90.0, ((4, "push_up_hip_sag"),), tempo=1.1),
            ActivitySpec("stand", 1.5, 20.0),
            ActivitySpec("walk_out"),
        ),
        seed=DEMO_SEED,
        fps=fps,
        background="gym",
        card_id=DEMO_MEMBER_ID,
        card_s=DEMO_CARD_S,
    )


def spec_key(spec: ClipSpec) -> str:
    """A short hash of the spec and the sim version: the cache key of a rendered clip."""
    text = json.dumps(spec_summary(spec), sort_keys=True) + SIM_VERSION
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def demo_clip(cache_dir: str | Path) -> Path:
    """Path of the demo clip's mp4 in ``cache_dir``, rendering it on first use.

    The truth sits next to it as ``<name>.truth.json``.
    """
    spec = demo_spec()
    base = Path(cache_dir) / f"demo-workout-{spec_key(spec)}"
    video, truth = clip_paths(base)
    if video.is_file() and truth.is_file():
        return video
    log.info("rendering the demo clip into %s (first use)", video)
    write_clip(spec, base)
    return video


def demo_source(fps: float = 30.0) -> SyntheticSource:
    """The demo workout as a live-rendered frame source."""
    return synthetic_source(demo_spec(fps))
