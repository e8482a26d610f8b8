"""What a form rule is, how its fault is said, and the per-rep measurements rules use."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise import geometry as geo

FloatArray = npt.NDArray[np.float64]
Side = Literal["left", "right"]

# Frames a rep's range needs (a start, a far point, an end), and its extreme (two to
# take a percentile between).
MIN_RANGE_FRAMES = 3
MIN_EXTREME_FRAMES = 2

ALL_VIEWS: frozenset[geo.View] = frozenset(("front", "45", "side"))
SIDE_VIEWS: frozenset[geo.View] = frozenset(("45", "side"))
FRONT_VIEWS: frozenset[geo.View] = frozenset(("front", "45"))


@dataclass(frozen=True)
class RepContext:
    """One rep's landmarks, prepared once and measured by every rule of the exercise.

    Attributes:
        exercise: Exercise name.
        view: Camera view of the rep.
        pts: ``(n, 33, 3)`` normalised landmarks: hip-centred, torso lengths, y up, and
            mirrored (for the whole rep at once) so the person faces +x.
        rest: Index of the frame the rep started in (rest position), normally 0.
        peak: Index of the far turning point (bottom of a squat, top of a curl).
        side: The body side nearer the camera (its landmarks are the reliable ones in a
            side view).
        core: ``(first, last)`` frames of the rep itself when ``pts`` also holds some rest
            position either side of it; None when it is all rep.
    """

    exercise: str
    view: geo.View
    pts: FloatArray
    peak: int
    side: Side
    rest: int = 0
    core: tuple[int, int] | None = None
    _angles: dict[str, FloatArray] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        rows: npt.ArrayLike,
        peak: int,
        exercise: str,
        *,
        view: geo.View | None = None,
        min_visibility: float = geo.MIN_VISIBILITY,
        core: tuple[int, int] | None = None,
    ) -> RepContext:
        """Prepare a rep from its ``(n, 33, 3|4)`` image-coordinate landmarks."""
        arr = np.asarray(rows, dtype=np.float64)
        pts = geo.as_points(arr, min_visibility)
        facing = float(np.nanmedian(geo.facing_sign(pts)))
        norm = geo.normalize(
            arr, mirror=False, min_visibility=min_visibility, anchor_visibility=0.0
        )
        side = geo.visible_side(arr)
        if facing < 0:
            norm = norm[:, geo.MIRROR_INDEX, :].copy()
            norm[..., 0] *= -1.0
            side = "right" if side == "left" else "left"
        v = view or geo.estimate_view(arr, min_visibility)
        return cls(exercise, v, norm, int(np.clip(peak, 0, len(norm) - 1)), side, core=core)

    def angle(self, name: str) -> FloatArray:
        """``(n,)`` 2D joint angle series, e.g. ``left_knee`` (see ``geometry.ANGLES``)."""
        if name not in self._angles:
            _, a, v, c = geo.ANGLES[geo.ANGLE_INDEX[name]]
            self._angles[name] = geo.joint_angle(self.pts, a, v, c)
        return self._angles[name]

    def near(self, joint: str) -> FloatArray:
        """Angle series of ``joint`` (e.g. ``knee``) on the side nearer the camera."""
        return self.angle(f"{self.side}_{joint}")

    def both(self, joint: str) -> FloatArray:
        """``(n, 2)`` angle series of ``joint`` on the left and right side."""
        return np.stack([self.angle(f"left_{joint}"), self.angle(f"right_{joint}")], axis=1)

    def point(self, index: int) -> FloatArray:
        """``(n, 2)`` x, y of one landmark."""
        return self.pts[:, index, :2]

    def mid(self, a: int, b: int) -> FloatArray:
        """``(n, 2)`` midpoint of two landmarks (the visible one if only one is)."""
        return np.asarray(np.nanmean(self.pts[:, [a, b], :2], axis=1))

    def span(self, start: tuple[int, int], end: tuple[int, int]) -> FloatArray:
        """``(n, 2)`` vector from one left/right landmark pair to another, side by side.

        Each side's ``end`` is taken from the same side's ``start`` and the visible sides
        are averaged. Midpoints of each pair would not do: at 45 degrees the far shoulder
        is often hidden while both hips are seen, and the near shoulder alone against
        the hip centre reads as a ~12 degree lean that is not there.
        """
        d = self.pts[:, list(end), :2] - self.pts[:, list(start), :2]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # frames with neither side
            return np.asarray(np.nanmean(d, axis=1))

    def trunk(self) -> FloatArray:
        """``(n, 2)`` hip-to-shoulder vector (see ``span``)."""
        return self.span((geo.L_HIP, geo.R_HIP), (geo.L_SHOULDER, geo.R_SHOULDER))

    def in_rep(self, series: FloatArray) -> FloatArray:
        """The part of a series inside the rep itself (without the rest either side)."""
        if self.core is None:
            return series
        return series[self.core[0] : self.core[1] + 1]

    def at_peak(self, series: FloatArray, window: int = 2) -> float:
        """Median of a series over the frames around the turning point (NaN if unseen)."""
        lo, hi = max(0, self.peak - window), min(len(series), self.peak + window + 1)
        vals = series[lo:hi]
        vals = vals[np.isfinite(vals)]
        return float(np.median(vals)) if vals.size else float("nan")


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's verdict on one rep."""

    code: str
    failed: bool
    value: float
    limit: float
    detail: str


@dataclass(frozen=True, slots=True)
class Fault:
    """How a fault is said.

    Attributes:
        name: A noun phrase for summaries ("Rep 3 showed shallow depth").
        cue: The two-to-four words spoken mid-set ("Go deeper").
    """

    name: str
    cue: str


@dataclass(frozen=True, slots=True)
class Rule:
    """A form rule: a measured quantity, a limit, and the views it can be judged from.

    Attributes:
        code: Fault code, ``<exercise>_<fault>``.
        views: Camera views from which the quantity can be seen (a knee caving in is
            invisible from the side; squat depth is invisible from the front).
        measure: The quantity for a rep, or NaN if the landmarks it needs are missing.
        limit: The threshold.
        fails_above: True if a value above ``limit`` is the fault, False if below.
        unit: Unit of the quantity, for the detail text.
        reason: Why the threshold is where it is.
        fault: How the fault is named in summaries and cued mid-set.
    """

    code: str
    views: frozenset[geo.View]
    measure: Callable[[RepContext], float]
    limit: float
    fails_above: bool
    unit: str
    reason: str
    fault: Fault

    def fails(self, value: float, limit: float | None = None) -> bool:
        """Whether a measured ``value`` is the fault at ``limit`` (default: the rule's)."""
        lim = self.limit if limit is None else limit
        return value > lim if self.fails_above else value < lim

    def judge(self, ctx: RepContext) -> Finding | None:
        """Judge a rep; None when the view or the landmarks do not allow a verdict."""
        if ctx.view not in self.views:
            return None
        with warnings.catch_warnings():
            # Missing landmarks give all-NaN slices; the NaN result means "cannot judge".
            warnings.simplefilter("ignore", RuntimeWarning)
            value = float(self.measure(ctx))
        if not np.isfinite(value):
            return None
        failed = self.fails(value)
        op = ">" if self.fails_above else "<"
        verdict = f"{value:.2f} {op} {self.limit:g}" if failed else f"{value:.2f} ok"
        return Finding(self.code, failed, value, self.limit, f"{verdict} {self.unit}")


def range_of(series: FloatArray) -> float:
    """Peak-to-peak of a series (robust 5-95 percentiles), NaN if too few frames."""
    v = series[np.isfinite(series)]
    if v.size < MIN_RANGE_FRAMES:
        return float("nan")
    return float(np.percentile(v, 95) - np.percentile(v, 5))


def extreme(series: FloatArray, high: bool) -> float:
    """The series' robust extreme (95th or 5th percentile), NaN if too few frames."""
    v = series[np.isfinite(series)]
    if v.size < MIN_EXTREME_FRAMES:
        return float("nan")
    return float(np.percentile(v, 95 if high else 5))


def incline(ctx: RepContext, a: int, b: int) -> FloatArray:
    """``(n,)`` degrees of the a->b segment from vertical-up (0 up, 90 level, 180 down)."""
    d = ctx.pts[:, b, :2] - ctx.pts[:, a, :2]
    return np.asarray(np.degrees(np.arctan2(np.abs(d[:, 0]), d[:, 1])))


def lean_forward(ctx: RepContext) -> FloatArray:
    """``(n,)`` signed trunk lean in degrees: + forward (towards facing), - backward."""
    d = ctx.trunk()
    return np.asarray(np.degrees(np.arctan2(d[:, 0], d[:, 1])))
