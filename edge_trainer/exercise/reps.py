"""The rep counter: repetitions of the whole body's movement, whatever the exercise.

One mechanism counts every movement. The body landmarks are taken around the hip centre
in torso lengths; a windowed autocorrelation finds, around each frame, the period of
the movement and how repetitive it is (``periodic``). Where it repeats, the movement is
detrended over its period and projected on its main axis, and each out-and-back
excursion from rest that reaches ``CounterParams.full`` of the stretch's typical rep is
a rep (``excursions``). A sequence with no repeating stretch can still hold a rep or two
done slowly: an excursion then counts when the body returns to where it started.

The exercise, when known, never adds or drops a rep inside a set: it only says where a
set can be (a push-up set only in a plank) and which end of the movement is rest
(``count_exercise``). Every count carries a ``CountTrace``: the stretches looked at, the
candidates rejected and why, and the thresholds.

Pure numpy, no state: the analyzer calls it on the frames of the current set as
they grow (live) and once more on the whole set at its end.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise.counting import (
    MIN_FRAMES,
    CounterParams,
    CountResult,
    CountTrace,
    Rejected,
    RepSpan,
    Stretch,
)
from edge_trainer.exercise.excursions import excursions, rest_is_high
from edge_trainer.exercise.filters import (
    envelope,
    fill_gaps,
    main_axis,
    moving_mean,
    smooth,
    typical_amplitude,
)
from edge_trainer.exercise.geometry import TINY
from edge_trainer.exercise.periodic import (
    PEAK_SHARE,
    PeriodCache,
    Periodicity,
    periodicity,
    runs,
)
from edge_trainer.exercise.signals import (
    in_posture,
    motion_features,
    movers,
    on_the_spot,
    symmetric_features,
    usable_columns,
)

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
SIGNAL = "whole body"
ALTERNATING = "whole body, sides averaged"
# The sides' average is counted instead of the whole body where it repeats about as
# clearly (``periodic.PEAK_SHARE`` of the score) at under this share of the whole body's
# period: the body alternates sides, one rep a side.
SHORTER = 0.75
# A stretch is counted on the sides' average when it alternates for most of its length.
MOSTLY = 0.5

# Least time in the exercise's posture for the posture rule to apply: about one rep.
MIN_POSTURE_S = 1.0


@dataclass
class _Found:
    """Reps, partials and rejected candidates gathered over a sequence."""

    reps: list[RepSpan] = field(default_factory=list)
    partials: list[RepSpan] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


@dataclass(frozen=True)
class _Run:
    """What counting one stretch found (indices relative to the stretch)."""

    found: _Found
    signal: FloatArray
    rest_high: bool
    amplitude: float
    swing: float
    axis: FloatArray = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True)
class _View:
    """The body's movement as the counter sees it: features and their periodicity."""

    name: str
    feats: FloatArray
    columns: npt.NDArray[np.bool_]
    per: Periodicity

    @classmethod
    def of(
        cls, name: str, raw: FloatArray, t: FloatArray, p: CounterParams, cache: PeriodCache | None
    ) -> _View:
        """Gap-filled, smoothed usable columns of ``raw`` and their periodicity."""
        columns = usable_columns(raw)
        feats = smooth(fill_gaps(raw[:, columns], t, p.max_gap_s), t, p.smooth_s)
        return cls(name, feats, columns, periodicity(feats, t, cache=cache))

    def movers(self, axis: FloatArray) -> tuple[float, ...]:
        """Each body landmark's share of the movement along ``axis`` (``signals.movers``)."""
        return tuple(movers(axis, self.columns)) if axis.size else ()


def _swing(amplitude: float, axis: FloatArray) -> float:
    """How far the most-moving coordinate travels in a typical rep along ``axis``."""
    return float(amplitude * np.max(np.abs(axis))) if axis.size else 0.0


def _judge_heights(
    found: _Found, raw: FloatArray, params: CounterParams, typical_of: list[RepSpan]
) -> _Found:
    """Re-judge full and partial against the stretch's typical rep in ``raw``.

    Within one rep drift is small, so the raw projection measures its height better
    than the detrended signal (whose amplitude depends on how a rep's time splits
    between its phases); next to a half rep the local envelope shrinks to it.
    """

    def height(span: RepSpan) -> float:
        return float(abs(raw[span.peak] - np.nanmean([raw[span.start], raw[span.end]])))

    # A typical rep is the median of the taller half of the excursions.
    heights = sorted(height(s) for s in typical_of)
    typical = max(float(np.median(heights[len(heights) // 2 :])), 1e-9) if heights else 1.0
    out = _Found(rejected=list(found.rejected))
    for span in found.reps + found.partials:
        rel = height(span) / typical
        judged = RepSpan(span.start, span.peak, span.end, rel * typical, rel, rel < params.full)
        if rel >= params.full:
            out.reps.append(judged)
        elif rel >= params.partial:
            out.partials.append(judged)
        else:
            out.rejected.append(
                Rejected(span.start, span.peak, span.end, rel, f"too small ({rel:.2f} of a rep)")
            )
    out.reps.sort(key=lambda r: r.start)
    out.partials.sort(key=lambda r: r.start)
    return out


def _count_run(
    feats: FloatArray,
    t: FloatArray,
    period_s: float,
    params: CounterParams,
    core: tuple[int, int] | None = None,
) -> _Run:
    """Count one repeating stretch: detrend over a period, project on its main axis, count.

    Rest is where the stretch (padded) starts and finishes, or where its repeating
    ``core`` frames dwell when the ends disagree (``rest_is_high``).
    """
    empty = _Run(_Found(), np.full(len(feats), np.nan), False, 0.0, 0.0)
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0 / 30.0
    half = max(1, round(period_s / dt / 2))
    ok = np.all(np.isfinite(feats), axis=1)
    if ok.sum() < MIN_FRAMES:
        return empty
    # Remove the slow drift (shifting on the bench, walking the hands) so the main axis
    # is the repeated motion itself; keep the raw projection to find the rest end.
    local = feats - moving_mean(feats, half)
    x = local[ok]
    w = main_axis(x - x.mean(axis=0))
    sig = np.full(len(feats), np.nan)
    sig[ok] = x @ w
    raw = np.full(len(feats), np.nan)
    raw[ok] = (feats[ok] - feats[ok].mean(axis=0)) @ w
    amp = typical_amplitude(sig, t)
    if amp <= TINY:
        return empty
    v = raw[np.isfinite(raw)]
    lo, hi = float(np.percentile(v, 5)), float(np.percentile(v, 95))
    a, b = core or (0, len(sig))
    # The range the repeated movement covers; the padding may hold getting into position.
    inside = raw[a:b][np.isfinite(raw[a:b])]
    reach = None
    if inside.size:
        reach = (float(np.percentile(inside, 5)), float(np.percentile(inside, 95)))
    rest_high = rest_is_high(raw, lo, hi, sig[a:b], reach)
    # Rest and far levels follow the local envelope (over 1.5 periods), so a set whose
    # depth drifts is still counted rep by rep; the envelope's span never drops below
    # half the typical amplitude, so a pause does not magnify jitter into reps.
    lo_env, hi_env = envelope(sig, max(3, round(1.5 * period_s / dt)))
    spread = np.fmax(hi_env - lo_env, 0.5 * amp)
    rest = hi_env if rest_high else lo_env
    u = (-1.0 if rest_high else 1.0) * (sig - rest) / spread
    exc = excursions(u, t, params, amp)
    found = _Found(exc.reps, exc.partials, exc.rejected)
    judged = _judge_heights(found, raw, params, found.reps + found.partials)
    rhythmic = _in_rhythm(judged, params.rhythm * period_s / dt) if params.rhythm > 0 else judged
    return _Run(rhythmic, sig, rest_high, amp, _swing(amp, w), w)


def _in_rhythm(found: _Found, spacing: float) -> _Found:
    """Count a short excursion that takes a whole cycle of the set's rhythm as a rep.

    A shallow rep in a steady set turns where the next rep was due: at least
    ``spacing`` frames (``CounterParams.rhythm`` periods) after the rep before it and
    before the rep after it. A bob between two reps, or a twitch at the end of one, is
    squeezed in between and stays partial. A shallow rep counted this way keeps its
    relative size; its form rules judge the depth.
    """
    if not found.reps:
        return found
    peaks = sorted(r.peak for r in found.reps)
    out = _Found(list(found.reps), [], list(found.rejected))
    for q in found.partials:
        k = int(np.searchsorted(peaks, q.peak))
        before = peaks[k - 1] if k > 0 else None
        after = peaks[k] if k < len(peaks) else None
        spaced = (before is None or q.peak - before >= spacing) and (
            after is None or after - q.peak >= spacing
        )
        if spaced and (before is not None or after is not None):
            out.reps.append(RepSpan(q.start, q.peak, q.end, q.amplitude, q.relative, False))
        else:
            out.partials.append(q)
    out.reps.sort(key=lambda r: r.start)
    return out


def _dedupe(spans: list[RepSpan], rejected: list[Rejected]) -> list[RepSpan]:
    """Sort spans and drop ones overlapping an earlier one (stretches padded into each other)."""
    out: list[RepSpan] = []
    for s in sorted(spans, key=lambda r: r.start):
        if out and out[-1].overlaps(s):
            rejected.append(
                Rejected(s.start, s.peak, s.end, s.relative, "found twice (overlapping stretches)")
            )
            continue
        out.append(s)
    return out


def count_reps(
    rows: npt.ArrayLike,
    t: npt.ArrayLike,
    params: CounterParams | None = None,
    *,
    caches: dict[str, PeriodCache] | None = None,
) -> CountResult:
    """Count the reps in a ``(T, 33, 3|4)`` landmark sequence, whatever the movement.

    Args:
        rows: Landmarks per frame, NaN rows where no person was found.
        t: ``(T,)`` frame times in seconds, increasing.
        params: Counter settings (defaults documented on ``CounterParams``).
        caches: Periodicity of past windows per view of the movement, kept by a live
            caller between recounts.
    """
    p = params or CounterParams()
    arr = np.asarray(rows, dtype=np.float64)
    tt = np.asarray(t, dtype=np.float64)
    nothing = np.full(len(arr), np.nan)
    if len(arr) < MIN_FRAMES:
        return CountResult((), (), nothing, False, 0.0, trace=CountTrace(SIGNAL))
    raw = motion_features(arr)
    if not usable_columns(raw).any():
        trace = CountTrace(SIGNAL, thresholds=p.knobs(), notes=("no body landmarks seen",))
        return CountResult((), (), nothing, False, 0.0, trace=trace)
    store: dict[str, PeriodCache] = {} if caches is None else caches
    body = _View.of(SIGNAL, raw, tt, p, store.setdefault("body", {}))
    sides = _View.of(ALTERNATING, symmetric_features(raw), tt, p, store.setdefault("sides", {}))
    # Where the sides' average repeats as clearly at a clearly shorter period, the body
    # alternates sides and that period is the rep's.
    with np.errstate(invalid="ignore"):
        alternate = (
            (sides.per.period_s < SHORTER * body.per.period_s)
            & (sides.per.score >= PEAK_SHARE * body.per.score)
            & (sides.per.score > 0)
        )
    per = Periodicity(
        np.where(alternate, sides.per.score, body.per.score),
        np.where(alternate, sides.per.period_s, body.per.period_s),
    )
    dt = float(np.median(np.diff(tt)))
    found = _Found()
    signal = np.full(len(arr), np.nan)
    stretches: list[Stretch] = []
    amps: list[float] = []
    rest_votes = 0
    for a, b in runs(per.score >= p.min_periodicity):
        period = float(np.nanmedian(per.period_s[a:b]))
        # Stretch edges score lower (the window hangs over idle time): widen by two
        # periods (a rep found twice where widened stretches overlap is kept once).
        pad = round(2 * period / dt)
        a2, b2 = max(0, a - pad), min(len(arr), b + pad)
        view = sides if alternate[a:b].mean() > MOSTLY else body
        run = _count_run(view.feats[a2:b2], tt[a2:b2], period, p, (a - a2, b - a2))
        score = float(np.median(per.score[a:b]))
        parts = view.movers(run.axis)
        if run.swing < p.min_amplitude:
            reason = f"movement too small ({run.swing:.3f} < {p.min_amplitude} torso lengths)"
            stretches.append(Stretch(a2, b2, period, score, run.swing, False, reason, parts))
            continue
        why = "repeating" if view is body else "repeating, alternating sides"
        stretches.append(Stretch(a2, b2, period, score, run.swing, True, why, parts))
        found.reps += [r.shifted(a2) for r in run.found.reps]
        found.partials += [r.shifted(a2) for r in run.found.partials]
        found.rejected += [r.shifted(a2) for r in run.found.rejected]
        signal[a2:b2] = run.signal
        amps.append(run.amplitude)
        rest_votes += 1 if run.rest_high else -1
    if amps:
        reps = _dedupe(found.reps, found.rejected)
        partials = [q for q in _dedupe(found.partials, []) if not any(q.overlaps(r) for r in reps)]
        rest_high, amp = rest_votes > 0, float(np.median(amps))
    else:
        lone = _isolated_reps(body.feats, tt, p)
        found.rejected += lone.found.rejected
        reps, partials = lone.found.reps, lone.found.partials
        signal, rest_high, amp = lone.signal, lone.rest_high, lone.amplitude
        counted = bool(reps or partials)
        why = "no repetition: reps that return to their start" if counted else "no repetition"
        parts = body.movers(lone.axis)
        stretches.append(Stretch(0, len(arr), float("nan"), 0.0, lone.swing, counted, why, parts))
    on_spot = on_the_spot(arr, p.max_travel)
    kept = [r for r in reps if on_spot(r.start, r.end)]
    found.rejected += [
        Rejected(r.start, r.peak, r.end, r.relative, "the hips travelled (walking, not a rep)")
        for r in reps
        if r not in kept
    ]
    partials = [r for r in partials if on_spot(r.start, r.end)]
    return CountResult(
        tuple(kept),
        tuple(partials),
        signal,
        rest_high,
        amp,
        _mean_score(per, kept, len(arr)),
        CountTrace(
            SIGNAL,
            tuple(stretches),
            tuple(sorted(found.rejected, key=lambda r: r.start)),
            per.score,
            per.period_s,
            p.knobs(),
        ),
    )


def _mean_score(per: Periodicity, reps: list[RepSpan], n: int) -> float:
    """Mean periodicity over the frames of the reps (0 without reps)."""
    covered = np.zeros(n, dtype=bool)
    for rep in reps:
        covered[rep.start : rep.end + 1] = True
    return float(np.mean(per.score[covered])) if covered.any() else 0.0


def _isolated_reps(feats: FloatArray, t: FloatArray, params: CounterParams) -> _Run:
    """Reps in a sequence with no repeating stretch: a single rep, or a few slow ones.

    Without repetition to confirm them, an excursion counts only if the body returns to
    the pose it started from (it ends nearer its start than half its way out): getting
    into position, sitting down or walking off ends somewhere else. It must also last
    ``min_isolated_rep_s``: a lone quick bob (a hop, a gesture, a stumble) is not a
    deliberate rep.
    """
    ok = np.all(np.isfinite(feats), axis=1)
    empty = _Run(_Found(), np.full(len(feats), np.nan), False, 0.0, 0.0)
    if ok.sum() < MIN_FRAMES:
        return empty
    x = feats[ok] - feats[ok].mean(axis=0)
    w = main_axis(x)
    sig = np.full(len(feats), np.nan)
    sig[ok] = x @ w
    amp = typical_amplitude(sig, t)
    swing = _swing(amp, w)
    if amp <= TINY or swing < params.min_amplitude:
        return _Run(_Found(), sig, False, amp, swing)
    v = sig[ok]
    lo, hi = float(np.percentile(v, 5)), float(np.percentile(v, 95))
    rest_high = rest_is_high(sig, lo, hi)
    rest = hi if rest_high else lo
    u = (sig - rest) * (-1.0 if rest_high else 1.0) / amp
    exc = excursions(u, t, params, amp)
    found = _Found(rejected=exc.rejected)

    def why_not(r: RepSpan) -> str:
        out = np.linalg.norm(feats[r.peak] - feats[r.start])
        back = np.linalg.norm(feats[r.end] - feats[r.start])
        if back > 0.5 * out:
            return "ended away from where it started (a change of position)"
        if t[r.end] - t[r.start] < params.min_isolated_rep_s:
            return f"a lone quick movement ({t[r.end] - t[r.start]:.2f} s)"
        return ""

    for kind, spans in (("rep", exc.reps), ("partial", exc.partials)):
        for r in spans:
            reason = why_not(r)
            if reason:
                found.rejected.append(Rejected(r.start, r.peak, r.end, r.relative, reason))
            elif kind == "rep":
                found.reps.append(r)
            else:
                found.partials.append(r)
    return _Run(found, sig, rest_high, amp, swing, w)


def count_exercise(
    rows: npt.ArrayLike,
    t: npt.ArrayLike,
    exercise: str | None,
    params: CounterParams | None = None,
    caches: dict[str, PeriodCache] | None = None,
) -> CountResult:
    """Count reps with what the exercise, if known, says about where a set can be.

    The count is ``count_reps``'s: the exercise only leaves out the frames outside its
    working posture (``signals.in_posture``: a push-up only in a plank, so getting down
    to the floor is not a rep). ``caches`` keeps the periodicity between live recounts.
    """
    store: dict[str, PeriodCache] = {} if caches is None else caches
    tt = np.asarray(t, dtype=np.float64)
    rows, note = _working_frames(exercise, np.asarray(rows, dtype=np.float64), tt)
    result = count_reps(rows, tt, params, caches=store)
    if note:
        trace = replace(result.trace, notes=(*result.trace.notes, note))
        result = replace(result, trace=trace)
    return result


def _working_frames(
    exercise: str | None, rows: FloatArray, t: FloatArray
) -> tuple[FloatArray, str]:
    """The rows with frames out of the exercise's posture blanked, and a note if any were.

    Blank frames are a gap to the counter, so getting into position (standing to plank)
    and whatever was done standing before it are neither counted nor allowed to set the
    typical rep size. With under ``MIN_POSTURE_S`` in posture the rule is not applied:
    the exercise itself is then in doubt.
    """
    mask = in_posture(exercise, rows)
    steps = np.diff(t)
    if mask is None or not steps.size:
        return rows, ""
    dt = float(np.median(steps))
    seen = np.isfinite(rows[:, :, :2]).any(axis=(1, 2))
    if mask.sum() * dt < MIN_POSTURE_S or mask[seen].all():
        return rows, ""
    out = rows.copy()
    out[~mask] = np.nan
    left = float((seen & ~mask).sum() * dt)
    return out, f"{left:.1f} s out of the {exercise} posture left out"
