"""The rep counter's knobs and what it finds: CounterParams, RepSpan, CountResult, CountTrace."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

# Frames a count needs at the least: a rep has a start, a far point and an end.
MIN_FRAMES = 3

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CounterParams:
    """The counter's settings. The first four are its knobs; the rest are physical limits.

    The knobs were chosen by subject-held-out cross-validation on real clips (``make
    eval`` re-tunes them on all folds but one and counts the held-out fold with the
    result); the limits come from how people move and how the pose stage behaves and are
    not tuned.

    Attributes:
        min_periodicity: Autocorrelation at the period that a stretch of movement needs
            to count as repeating. Unrelated movement scores under ~0.3 and a steady set
            0.7-0.95.
        enter: An excursion starts when the signal has moved this fraction of the
            typical rep away from rest: above landmark jitter and breathing (a few % of
            a rep), low enough to time the rep's start.
        full: Fraction of the set's typical rep an excursion must reach to be a rep.
        partial: Excursions reaching this fraction but not ``full`` are partial reps,
            reported apart; smaller ones are fidgeting and ignored.
        rhythm: A partial excursion at least this many periods from the reps either
            side of it takes a whole cycle of the set's rhythm: a shallow rep, counted
            (its form rules judge the depth); a bob squeezed between reps stays partial.
            0 turns this off.
        min_amplitude: Least swing, in torso lengths, of the most-moving landmark along
            the movement for a stretch to be movement at all: above BlazePose's jitter
            on a still body (~0.02) and below the smallest real repetition (a foot
            pedalling or a rope turned by the wrists moves ~0.1).
        min_rep_s: Shortest excursion; a faster one is landmark noise (the quickest real
            cycles, a skip or a jumping jack, take ~0.4 s).
        max_rep_s: Longest rep; a slower out-and-back is getting into or out of position.
        max_gap_s: Frames without a pose shorter than this are bridged; longer gaps split
            the movement (a rep is never counted across them). A straight line cannot
            make an out-and-back movement, so bridging never invents a rep.
        smooth_s: Gaussian smoothing (sigma, seconds) of the features before counting:
            removes landmark jitter and keeps a 0.4 s cycle.
        max_travel: Most the hips may move (body heights) between a rep's start and end;
            a walking step moves them ~0.4, a rep done on the spot under 0.1.
        min_isolated_rep_s: Shortest rep outside a repeating stretch: a deliberate single
            rep takes over a second, a hop or a gesture less.
    """

    min_periodicity: float = 0.45
    enter: float = 0.3
    full: float = 0.6
    partial: float = 0.3
    rhythm: float = 0.75
    min_amplitude: float = 0.1
    min_rep_s: float = 0.3
    max_rep_s: float = 12.0
    max_gap_s: float = 1.5
    smooth_s: float = 0.1
    max_travel: float = 0.25
    min_isolated_rep_s: float = 1.0

    def knobs(self) -> dict[str, float]:
        """The tuned settings by name (what ``--json`` and the explain plot report)."""
        return {
            "min_periodicity": self.min_periodicity,
            "enter": self.enter,
            "full": self.full,
            "partial": self.partial,
            "rhythm": self.rhythm,
        }


@dataclass(frozen=True, slots=True)
class RepSpan:
    """One excursion from rest and back, as frame indices into the counted sequence.

    Attributes:
        start: First frame that left rest.
        peak: Frame of the far turning point.
        end: Frame back at rest.
        amplitude: Excursion size in signal units.
        relative: Amplitude relative to the set's typical rep amplitude.
        partial: True when it did not reach the full-rep threshold.
    """

    start: int
    peak: int
    end: int
    amplitude: float
    relative: float
    partial: bool

    def shifted(self, offset: int) -> RepSpan:
        """The same span with every index moved by ``offset`` frames."""
        return RepSpan(
            self.start + offset,
            self.peak + offset,
            self.end + offset,
            self.amplitude,
            self.relative,
            self.partial,
        )

    def overlaps(self, other: RepSpan) -> bool:
        """Whether the two spans share any frame but a boundary one."""
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Rejected:
    """A candidate the counter did not count, and why (frame indices like RepSpan's)."""

    start: int
    peak: int
    end: int
    relative: float
    reason: str

    def shifted(self, offset: int) -> Rejected:
        """The same candidate with every index moved by ``offset`` frames."""
        return Rejected(
            self.start + offset, self.peak + offset, self.end + offset, self.relative, self.reason
        )


@dataclass(frozen=True, slots=True)
class Stretch:
    """A stretch of movement the counter looked at (frame indices, end exclusive).

    Attributes:
        start: First frame.
        end: One past the last frame.
        period_s: Median period of the movement there (NaN for a non-repeating one).
        periodicity: Median periodicity score there.
        amplitude: Swing of the most-moving landmark, torso lengths.
        counted: Whether reps were counted in it.
        reason: Why it was, or was not, counted.
        movers: Each body landmark's share of the movement (``signals.movers``): which
            part of the body moved.
    """

    start: int
    end: int
    period_s: float
    periodicity: float
    amplitude: float
    counted: bool
    reason: str
    movers: tuple[float, ...] = ()

    def holds(self, frame: int) -> bool:
        """Whether ``frame`` lies in this stretch."""
        return self.start <= frame < self.end


@dataclass(frozen=True, slots=True)
class CountTrace:
    """Why the counter counted what it did.

    Attributes:
        signal: What the reps were found in (``whole body``).
        stretches: The repeating stretches (or the single non-repeating one).
        rejected: Candidates not counted, each with its reason.
        periodicity: Per-frame periodicity score.
        period_s: Per-frame period estimate, seconds (NaN: none).
        thresholds: The knobs used (``CounterParams.knobs``).
        notes: Anything else that changed the count (frames left out, and why).
    """

    signal: str
    stretches: tuple[Stretch, ...] = ()
    rejected: tuple[Rejected, ...] = ()
    periodicity: FloatArray = field(default_factory=lambda: np.zeros(0))
    period_s: FloatArray = field(default_factory=lambda: np.zeros(0))
    thresholds: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CountResult:
    """The counter's output for one sequence.

    Attributes:
        reps: Full reps, in order.
        partials: Partial reps (out and back, but short of a full rep's range).
        signal: The motion signal the reps were found in.
        rest_high: Whether rest is the signal's high end.
        typical_amplitude: A typical rep's amplitude in signal units.
        periodicity: Mean periodicity score over the frames of the reps (0: none).
        trace: Why: stretches, rejected candidates, thresholds.
    """

    reps: tuple[RepSpan, ...]
    partials: tuple[RepSpan, ...]
    signal: FloatArray
    rest_high: bool
    typical_amplitude: float
    periodicity: float = 0.0
    trace: CountTrace = field(default_factory=lambda: CountTrace("whole body"))
