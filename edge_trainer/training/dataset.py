"""From labelled clips to arrays of feature windows, with augmentation and rest examples."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise.classifier import CLASSES
from edge_trainer.exercise.features import DEFAULT_WINDOW, WindowSpec, sequence_windows
from edge_trainer.exercise.names import REST
from edge_trainer.training.augment import AugmentSpec, augment_rows, random_mirror, static_hold
from edge_trainer.training.data import Clip

log = logging.getLogger(__name__)


@dataclass
class WindowSet:
    """Feature windows with labels and the clip each came from."""

    x: npt.NDArray[np.float32]
    y: npt.NDArray[np.int64]
    clip: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.y)


def clip_windows(
    clip: Clip,
    rows: npt.NDArray[np.float32] | None = None,
    speed: float = 1.0,
    hop_s: float = 0.2,
    spec: WindowSpec = DEFAULT_WINDOW,
) -> npt.NDArray[np.float32]:
    """Windows of a clip (or of its augmented ``rows``) that lie mostly in an active span."""
    rows = clip.rows if rows is None else rows
    wins, ends = sequence_windows(rows, clip.fps * speed, hop_s, spec)
    if len(wins) == 0:
        return wins
    # Spans are in the clip's own seconds; a faster replay shrinks them.
    starts = ends - spec.duration_s
    keep = np.zeros(len(ends), dtype=bool)
    for start, end in clip.active:
        a, b = start / speed, end / speed
        overlap = np.clip(np.minimum(ends, b) - np.maximum(starts, a), 0, None)
        keep |= overlap >= 0.75 * spec.duration_s
    return np.asarray(wins[keep], dtype=np.float32)


def build_windows(
    clips: list[Clip],
    *,
    seed: int,
    copies: int = 3,
    hop_s: float = 0.2,
    rest_holds: int = 2,
    real_boost: int = 2,
    augment: AugmentSpec | None = None,
    spec: WindowSpec = DEFAULT_WINDOW,
) -> WindowSet:
    """Windows of every clip: the clean clip plus ``copies`` augmented replays.

    Real clips (any source but ``sim``) get ``real_boost`` times as many replays: they
    are the domain the model is used in, and far fewer than the synthetic ones. Each clip
    also yields ``rest_holds`` static holds of one of its poses, labelled rest. Mirroring
    is applied per window at random. Deterministic for a given ``seed``.
    """
    rng = np.random.default_rng(seed)
    aug = augment or AugmentSpec()
    xs: list[npt.NDArray[np.float32]] = []
    ys: list[npt.NDArray[np.int64]] = []
    cs: list[npt.NDArray[np.int64]] = []

    def add(w: npt.NDArray[np.float32], label: str, ci: int) -> None:
        if len(w):
            xs.append(w)
            ys.append(np.full(len(w), CLASSES.index(label), dtype=np.int64))
            cs.append(np.full(len(w), ci, dtype=np.int64))

    for ci, clip in enumerate(clips):
        add(clip_windows(clip, hop_s=hop_s, spec=spec), clip.label, ci)
        for _ in range(copies * (1 if clip.source == "sim" else real_boost)):
            rows, speed = augment_rows(clip.rows, rng, aug)
            add(clip_windows(clip, rows, speed, hop_s * 2, spec), clip.label, ci)
        for _ in range(rest_holds):
            held = static_hold(clip.rows, clip.fps, spec.duration_s + 2.0, rng)
            if held is not None:
                hold_clip = Clip(
                    clip.name,
                    clip.source,
                    clip.group,
                    REST,
                    held,
                    clip.fps,
                    ((0.0, held.shape[0] / clip.fps),),
                )
                add(clip_windows(hold_clip, hop_s=0.25, spec=spec), REST, ci)
    if not xs:
        raise ValueError("no training windows: every clip was too short or empty")
    x = random_mirror(np.concatenate(xs), rng)
    y = np.concatenate(ys)
    counts = Counter(CLASSES[i] for i in y)
    log.info("%d windows from %d clips: %s", len(y), len(clips), dict(sorted(counts.items())))
    return WindowSet(x=x, y=y, clip=np.concatenate(cs))
