"""Annotated video for ``analyze --annotate``: skeleton, live rep count and fault flags."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from edge_trainer.errors import VideoError
from edge_trainer.events import Event, FormFault, RepCompleted, SetEnded, SetStarted
from edge_trainer.exercise import geometry as geo

# Bones drawn between BlazePose landmarks.
BONES = (
    (geo.L_SHOULDER, geo.R_SHOULDER), (geo.L_HIP, geo.R_HIP),
    (geo.L_SHOULDER, geo.L_HIP), (geo.R_SHOULDER, geo.R_HIP),
    (geo.L_SHOULDER, geo.L_ELBOW), (geo.L_ELBOW, geo.L_WRIST),
    (geo.R_SHOULDER, geo.R_ELBOW), (geo.R_ELBOW, geo.R_WRIST),
    (geo.L_HIP, geo.L_KNEE), (geo.L_KNEE, geo.L_ANKLE),
    (geo.R_HIP, geo.R_KNEE), (geo.R_KNEE, geo.R_ANKLE),
    (geo.L_ANKLE, geo.L_FOOT), (geo.R_ANKLE, geo.R_FOOT),
)  # fmt: skip
CANVAS = (480, 640)  # height, width for landmark-only input
FAULT_SHOW_S = 2.0


def _frames(src: Path, n: int) -> Iterator[npt.NDArray[np.uint8]]:
    """BGR frames of the source video, or blank canvases for a landmark file."""
    if src.suffix.lower() == ".npy":
        for _ in range(n):
            yield np.full((*CANVAS, 3), 32, dtype=np.uint8)
        return
    cap = cv2.VideoCapture(str(src))
    try:
        for _ in range(n):
            ok, bgr = cap.read()
            if not ok:
                return
            yield np.asarray(bgr, dtype=np.uint8)
    finally:
        cap.release()


def _draw_skeleton(img: npt.NDArray[np.uint8], row: npt.NDArray[np.float64]) -> None:
    h, w = img.shape[:2]
    pts = geo.as_points(row, 0.3)
    xy = pts[:, :2] * (w, h)
    for a, b in BONES:
        if np.isfinite(xy[[a, b]]).all():
            pa = (int(xy[a, 0]), int(xy[a, 1]))
            pb = (int(xy[b, 0]), int(xy[b, 1]))
            cv2.line(img, pa, pb, (80, 220, 80), 2, cv2.LINE_AA)
    for i in geo.BODY_LANDMARKS:
        if np.isfinite(xy[i]).all():
            cv2.circle(img, (int(xy[i, 0]), int(xy[i, 1])), 4, (255, 255, 255), -1)


def write_annotated(
    src: Path,
    out: Path,
    rows: Sequence[npt.NDArray[np.float64] | None],
    events: Sequence[Event],
    fps: float,
) -> None:
    """Write ``out`` (mp4): each frame with its skeleton, the live rep count and faults.

    Raises:
        VideoError: the output cannot be opened for writing.
    """
    frames = _frames(src, len(rows))
    first = next(frames, None)
    if first is None:
        raise VideoError(f"cannot read frames of '{src}' to annotate")
    h, w = first.shape[:2]
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), fps, (w, h))
    if not writer.isOpened():
        raise VideoError(f"cannot write video '{out}'")
    ordered = sorted(events, key=lambda e: e.t)
    k = 0
    count = 0
    exercise = ""
    faults: list[tuple[float, str]] = []
    try:
        for i, img in enumerate(_chain(first, frames)):
            t = i / fps
            while k < len(ordered) and ordered[k].t <= t:
                ev = ordered[k]
                k += 1
                if isinstance(ev, SetStarted):
                    count, exercise = 0, ev.exercise
                elif isinstance(ev, RepCompleted):
                    count = ev.rep.index
                elif isinstance(ev, FormFault):
                    faults.append((ev.t, ev.fault))
                elif isinstance(ev, SetEnded):
                    count, exercise = ev.record.rep_count, ev.record.exercise
            row = rows[i] if i < len(rows) else None
            if row is not None:
                _draw_skeleton(img, row)
            _text(img, f"{exercise} reps {count}", 30, (255, 255, 255))
            recent = [f for ft, f in faults if t - ft <= FAULT_SHOW_S]
            for j, fault in enumerate(recent[-3:]):
                _text(img, fault, 60 + 26 * j, (0, 0, 255))
            writer.write(img)
    finally:
        writer.release()


def _chain(
    first: npt.NDArray[np.uint8], rest: Iterator[npt.NDArray[np.uint8]]
) -> Iterator[npt.NDArray[np.uint8]]:
    yield first
    yield from rest


def _text(img: npt.NDArray[np.uint8], text: str, y: int, colour: tuple[int, int, int]) -> None:
    cv2.putText(img, text, (10, y), cv2.FONT_HERSHEY_SIMPLEX, 0.7, colour, 2, cv2.LINE_AA)
