"""The rep counter's thresholds and what it finds: CounterParams, RepSpan, CountResult."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CounterParams:
    """Thresholds of the counter; each default is explained where it is declared.

    Attributes:
        enter: An excursion starts when the signal has moved this fraction of the typical
            rep amplitude away from rest. Low enough to time the rep's start, high enough
            that breathing and landmark jitter (a few % of a rep) do not start one.
        full: Fraction of the typical amplitude an excursion must reach to be a full rep.
            0.6 keeps honest reps that are a little shallower than the set's median and
            rejects the half reps a coach would not count.
        partial: Excursions reaching this fraction but not ``full`` are partial reps;
            smaller ones are fidgeting and are ignored.
        min_rep_s: Shortest excursion; faster ones are landmark noise (a fast jumping
            jack or sit-up cycle takes ~0.5 s, of which ~0.35 s is away from rest).
        max_rep_s: Longest rep; a slower out-and-back is getting into or out of position.
        min_amplitude: Smallest rep amplitude in torso lengths of landmark travel (RMS over
            the body landmarks): below it the person is standing still, however periodic
            the noise looks.
        min_angle_amplitude: The same floor for an exercise's primary signal (joint
            angles, radians): 0.35 (20 degrees) is beyond angle jitter, and the smallest
            real rep (a shrug-sized raise) moves its joint more.
        max_gap_s: Frames without a pose shorter than this are interpolated; longer gaps
            split the sequence (a rep cannot be counted across them). A straight line
            cannot make an out-and-back movement, so bridging never invents a rep; 1.5 s
            stays under the 2 s after which the person counts as gone.
        smooth_s: Gaussian smoothing (sigma, seconds) of the signal before counting;
            ~0.1 s removes the landmark jitter and keeps a 0.5 s rep intact.
        known_full: ``full`` for an exercise with form rules: its range rule (squat depth,
            push-up depth, curl range) flags a short rep, so a rep needs only 0.3 of the
            typical range to count (a half squat is a bad squat, not no squat).
        known_partial: ``partial`` for an exercise with form rules.
        min_periodicity: Autocorrelation at the period a stretch needs to count as
            repeating: 0.45 is well above what unrelated movement scores (< 0.3) and far
            below what a steady set scores (0.7-0.95), leaving room for uneven reps.
        max_travel: Most the hips may move (body heights) between a rep's start and end;
            one walking step moves them ~0.4, a rep done on the spot under 0.1.
        min_isolated_rep_s: Shortest rep outside a repeating stretch (a single rep):
            a deliberate rep takes over a second; a hop or a gesture takes less.
        min_tempo: Shortest rep as a fraction of the median rep of the count (with three
            or more reps to judge by). One set moves at one tempo, slowing as it tires;
            a rep over in under half the usual time is a real rep split in two by a
            jolt in the pose, or a bounce at its end, not another rep.
    """

    enter: float = 0.3
    full: float = 0.6
    partial: float = 0.3
    min_rep_s: float = 0.3
    max_rep_s: float = 12.0
    min_amplitude: float = 0.12
    min_angle_amplitude: float = 0.35
    max_gap_s: float = 1.5
    smooth_s: float = 0.1
    min_periodicity: float = 0.45
    known_full: float = 0.3
    known_partial: float = 0.15
    max_travel: float = 0.25
    min_isolated_rep_s: float = 1.0
    min_tempo: float = 0.5


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
    """

    reps: tuple[RepSpan, ...]
    partials: tuple[RepSpan, ...]
    signal: FloatArray
    rest_high: bool
    typical_amplitude: float
    periodicity: float = 0.0
