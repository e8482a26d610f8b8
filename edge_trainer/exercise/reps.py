"""The rep counter: finds repetitions of the dominant motion in a landmark sequence.

It works without knowing the exercise. The landmarks are normalised (hip-centred, scaled
by the torso) and the motion signal is the first principal component of the body
landmarks' trajectories: the one direction in pose space along which the body moves
most. For a known exercise a primary signal (a joint angle or a limb height) may be used
instead. Reps are then out-and-back excursions from the rest position, found with
hysteresis thresholds set relative to the typical excursion of this set, so the same
code counts a squat, a pull-up or a movement it has never seen.

Pure numpy, no state: ``count_reps`` is called on the frames of the current set as they
grow (live) and once more on the whole set at its end (the correction pass).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise.counting import CounterParams, CountResult, RepSpan
from edge_trainer.exercise.excursions import excursions, find_reps, rest_is_high
from edge_trainer.exercise.filters import (
    envelope,
    fill_gaps,
    main_axis,
    moving_mean,
    principal_signal,
    smooth,
    typical_amplitude,
)
from edge_trainer.exercise.periodic import PeriodCache, periodicity, runs
from edge_trainer.exercise.signals import (
    in_posture,
    joint_signal,
    motion_features,
    on_the_spot,
    rest_hint,
    usable_columns,
)

FloatArray = npt.NDArray[np.float64]


def _count_run(
    feats: FloatArray,
    t: FloatArray,
    period_s: float,
    params: CounterParams,
    rest_hint: FloatArray | None = None,
) -> tuple[list[RepSpan], list[RepSpan], FloatArray, bool, float]:
    """Count one periodic run: detrend over a period, project on its main axis, count.

    ``rest_hint`` is a per-frame signal that is high at rest (from the exercise's joint
    angles); without it rest is guessed from where the run starts, ends and dwells.
    """
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0 / 30.0
    half = max(1, round(period_s / dt / 2))
    ok = np.all(np.isfinite(feats), axis=1)
    if ok.sum() < 3:
        return [], [], np.full(len(feats), np.nan), False, 0.0
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
    if amp <= 1e-9:
        return [], [], sig, False, 0.0
    rest_high = _hinted_rest(raw, rest_hint)
    if rest_high is None:
        v = raw[np.isfinite(raw)]
        rest_high = rest_is_high(raw, float(np.percentile(v, 5)), float(np.percentile(v, 95)))
    direction = -1.0 if rest_high else 1.0
    # Rest and far levels follow the local envelope (over 1.5 periods), so a set whose
    # depth drifts is still counted rep by rep; the envelope's span never drops below
    # half the typical amplitude, so a pause does not magnify jitter into reps.
    win = max(3, round(1.5 * period_s / dt))
    lo_env, hi_env = envelope(sig, win)
    spread = np.fmax(hi_env - lo_env, 0.5 * amp)
    rest = hi_env if rest_high else lo_env
    u = direction * (sig - rest) / spread
    found, found_partials = excursions(u, t, params, amp)

    # Full or partial is judged against the run's typical rep, not the local envelope
    # (next to a half rep the envelope shrinks to it).
    # The raw projection measures it: within one rep drift is small, and the detrended
    # signal's amplitude depends on how the rep's time splits between its phases.
    def height(span: RepSpan) -> float:
        return float(abs(raw[span.peak] - np.nanmean([raw[span.start], raw[span.end]])))

    # A typical rep is the median of the taller half of the excursions.
    heights = sorted(height(span) for span in found + found_partials)
    typical = max(float(np.median(heights[len(heights) // 2 :])), 1e-9) if heights else 1.0
    reps, partials = [], []
    for span in found + found_partials:
        rel = height(span) / typical
        judged = RepSpan(span.start, span.peak, span.end, rel * typical, rel, rel < params.full)
        if rel >= params.full:
            reps.append(judged)
        elif rel >= params.partial:
            partials.append(judged)
    return (
        sorted(reps, key=lambda r: r.start),
        sorted(partials, key=lambda r: r.start),
        sig,
        rest_high,
        amp,
    )


def _hinted_rest(sig: FloatArray, rest_hint: FloatArray | None) -> bool | None:
    """Whether rest is the signal's high end, read from the exercise's ``rest_hint``.

    None without a usable hint (the caller then guesses rest from the signal itself).
    """
    if rest_hint is None:
        return None
    both = np.isfinite(sig) & np.isfinite(rest_hint)
    if both.sum() <= 3 or np.std(rest_hint[both]) == 0 or np.std(sig[both]) == 0:
        return None
    return bool(np.corrcoef(sig[both], rest_hint[both])[0, 1] > 0)


def _shift(spans: list[RepSpan], offset: int) -> list[RepSpan]:
    return [
        RepSpan(
            r.start + offset, r.peak + offset, r.end + offset, r.amplitude, r.relative, r.partial
        )
        for r in spans
    ]


def _overlap(a: RepSpan, b: RepSpan) -> bool:
    return a.start < b.end and b.start < a.end


def _dedupe(spans: list[RepSpan]) -> list[RepSpan]:
    """Sort spans and drop ones overlapping an earlier one (runs padded into each other)."""
    out: list[RepSpan] = []
    for s in sorted(spans, key=lambda r: r.start):
        if out and _overlap(out[-1], s):
            continue
        out.append(s)
    return out


def count_reps(
    rows: npt.ArrayLike,
    t: npt.ArrayLike,
    params: CounterParams | None = None,
    *,
    primary: npt.ArrayLike | None = None,
    cache: PeriodCache | None = None,
    rest_hint: npt.ArrayLike | None = None,
) -> CountResult:
    """Count the reps in a ``(T, 33, 3|4)`` landmark sequence.

    Reps are counted where the motion repeats (periodicity score >= ``min_periodicity``).

    Args:
        rows: Landmarks per frame, NaN rows where no person was found.
        t: ``(T,)`` frame times in seconds, increasing.
        params: Counter thresholds (defaults documented on ``CounterParams``).
        primary: Optional exercise-specific signal, ``(T, k)`` joint angles in radians
            (``signals.joint_signal``); None uses the body landmarks' motion
            (class-agnostic).
        cache: Periodicity of past windows, kept by a live caller between recounts.
        rest_hint: ``(T,)`` signal that is high in the rest position (the exercise's
            joint angles oriented by ``signals.rest_hint``); None guesses rest.
    """
    p = params or CounterParams()
    arr = np.asarray(rows, dtype=np.float64)
    tt = np.asarray(t, dtype=np.float64)
    hints = None if rest_hint is None else np.asarray(rest_hint, dtype=np.float64)
    empty = CountResult((), (), np.full(len(arr), np.nan), False, 0.0)
    if len(arr) < 3:
        return empty
    if primary is not None:
        feats = usable_columns(np.asarray(primary, dtype=np.float64).reshape(len(arr), -1))
        unit = p.min_angle_amplitude
    else:
        feats = usable_columns(motion_features(arr))
        unit = p.min_amplitude
    if feats.shape[1] == 0:
        return empty
    feats = smooth(fill_gaps(feats, tt, p.max_gap_s), tt, p.smooth_s)
    # A main-axis swing of A moves each of k coordinate pairs by about A / sqrt(k).
    floor = unit * np.sqrt(max(feats.shape[1] / 2, 1.0))
    per = periodicity(feats, tt, cache=cache)
    active = per.score >= p.min_periodicity
    dt = float(np.median(np.diff(tt)))
    reps: list[RepSpan] = []
    partials: list[RepSpan] = []
    signal = np.full(len(arr), np.nan)
    amps: list[float] = []
    rest_votes = 0
    for a, b in runs(active):
        period = float(np.nanmedian(per.period_s[a:b]))
        # Set edges score lower (the window hangs over idle time): widen by two periods.
        pad = round(2 * period / dt)
        a2, b2 = max(0, a - pad), min(len(arr), b + pad)
        hint = None if hints is None else hints[a2:b2]
        r, pr, sig, rest_high, amp = _count_run(feats[a2:b2], tt[a2:b2], period, p, hint)
        if amp < floor:
            continue
        reps += _shift(r, a2)
        partials += _shift(pr, a2)
        signal[a2:b2] = sig
        amps.append(amp)
        rest_votes += 1 if rest_high else -1
    if not amps:
        res = _isolated_reps(feats, tt, p, floor, hints)
        reps, partials = list(res.reps), list(res.partials)
        signal, rest_high, amp = res.signal, res.rest_high, res.typical_amplitude
    else:
        reps = _dedupe(reps)
        partials = [q for q in _dedupe(partials) if not any(_overlap(q, r) for r in reps)]
        rest_high, amp = rest_votes > 0, float(np.median(amps))
    on_spot = on_the_spot(arr, p.max_travel)
    reps = [r for r in reps if on_spot(r.start, r.end)]
    partials = [r for r in partials if on_spot(r.start, r.end)]
    # How regular the counted reps are: lets count_exercise pick between signals.
    covered = np.zeros(len(arr), dtype=bool)
    for rep in reps:
        covered[rep.start : rep.end + 1] = True
    score = float(np.mean(per.score[covered])) if covered.any() else 0.0
    return CountResult(tuple(reps), tuple(partials), signal, rest_high, amp, score)


def _isolated_reps(
    feats: FloatArray,
    t: FloatArray,
    params: CounterParams,
    floor: float,
    rest_hint: FloatArray | None = None,
) -> CountResult:
    """Reps in a sequence with no repeating stretch: a single rep, or a few slow ones.

    Without repetition to confirm them, an excursion counts only if the body returns to
    the pose it started from (it ends nearer its start than half its way out): getting
    into position, sitting down or walking off ends somewhere else.
    It must also last ``min_isolated_rep_s``: a lone quick bob (a hop, a gesture, a
    stumble) is not a deliberate rep.
    """
    sig, _ = principal_signal(feats)
    # With a rep or two in view the ends of the sequence may disagree (the first live
    # count of a set ends mid-rep); the exercise's joints then say which end rest is.
    res = find_reps(sig, t, params, amplitude_floor=floor, tie=_hinted_rest(sig, rest_hint))

    def returns(r: RepSpan) -> bool:
        out = np.linalg.norm(feats[r.peak] - feats[r.start])
        back = np.linalg.norm(feats[r.end] - feats[r.start])
        slow = t[r.end] - t[r.start] >= params.min_isolated_rep_s
        return bool(back <= 0.5 * out and slow)

    reps = tuple(r for r in res.reps if returns(r))
    partials = tuple(r for r in res.partials if returns(r))
    return CountResult(reps, partials, sig, res.rest_high, res.typical_amplitude)


# Least time in the exercise's posture for the posture rule to apply: about one rep.
MIN_POSTURE_S = 1.0


def count_exercise(
    rows: npt.ArrayLike,
    t: npt.ArrayLike,
    exercise: str | None,
    params: CounterParams | None = None,
    caches: dict[str, PeriodCache] | None = None,
) -> CountResult:
    """Count reps of a known (or ``unknown``) exercise.

    With a primary signal for the exercise both it and the whole-body motion are counted
    and the count whose reps repeat more regularly (higher mean periodicity over the rep
    frames) wins: the joint angles are cleaner when the camera sees them, the whole body
    when it does not (an elbow pointing at the camera barely changes its 2D angle).
    With no repetition in either, a rep of the joints counts where the body shows none.
    Reps far quicker than the rest of the count are dropped (``CounterParams.min_tempo``).
    ``caches`` keeps each signal's periodicity between live recounts.
    """
    store = {} if caches is None else caches
    tt = np.asarray(t, dtype=np.float64)
    rows = _working_frames(exercise, np.asarray(rows, dtype=np.float64), tt)
    angles = joint_signal(exercise, rows)
    base = params or CounterParams()
    if angles is not None:
        # A known exercise has range rules (squat_shallow, push_up_partial, ...): a short
        # rep is counted and flagged by them; only a barely started one is partial.
        params = replace(base, full=base.known_full, partial=base.known_partial)
    hint = rest_hint(exercise, angles)
    body = count_reps(rows, tt, params, cache=store.setdefault("body", {}), rest_hint=hint)
    if angles is None:
        return _in_tempo(body, tt, base.min_tempo)
    joints = count_reps(
        rows, tt, params, primary=angles, cache=store.setdefault(f"{exercise}", {}), rest_hint=hint
    )
    return _in_tempo(_more_regular(joints, body), tt, base.min_tempo)


def _more_regular(joints: CountResult, body: CountResult) -> CountResult:
    """The count of the joints or of the whole body, whichever repeats more regularly."""
    if _alternating(len(joints.reps), len(body.reps)):
        return joints
    if joints.periodicity == 0.0 and body.periodicity == 0.0 and not body.reps:
        # No repetition in either to compare (a lone rep, two slow ones) and nothing in
        # the whole body: a rep the joints show counts (the body may not have returned
        # to where it started: a lifter who leans back, an athlete dropping off the bar).
        return joints
    return joints if joints.periodicity > body.periodicity else body


def _in_tempo(result: CountResult, t: FloatArray, fraction: float) -> CountResult:
    """The count without reps lasting under ``fraction`` of its median rep (``min_tempo``).

    Judged on the chosen count only, after the signals were compared as they were found.
    """
    if len(result.reps) < 3:
        return result
    took = [t[r.end] - t[r.start] for r in result.reps]
    least = fraction * float(np.median(took))
    kept = tuple(r for r, d in zip(result.reps, took, strict=True) if d >= least)
    return replace(result, reps=kept)


def _working_frames(exercise: str | None, rows: FloatArray, t: FloatArray) -> FloatArray:
    """The rows with frames out of the exercise's posture blanked (``signals.in_posture``).

    Blank frames are a gap to the counter, so getting into position (standing to plank)
    and whatever was done standing before it are neither counted nor allowed to set the
    typical rep size. With under ``MIN_POSTURE_S`` in posture the rule is not applied:
    the exercise itself is then in doubt (a squat recognised as a push-up is counted).
    """
    mask = in_posture(exercise, rows)
    if mask is None or len(t) < 2:
        return rows
    dt = float(np.median(np.diff(t)))
    if mask.sum() * dt < MIN_POSTURE_S:
        return rows
    out = rows.copy()
    out[~mask] = np.nan
    return out


def _alternating(joint_reps: int, body_reps: int) -> bool:
    """Whether the joints count one rep per side where the body counts one per pair.

    Alternating lunges or curls repeat as a whole body only every second rep (left,
    then right), and that longer period can look the more regular; the joint signal is
    the same for either side, so twice the body's count there is the true one.
    """
    if body_reps < 2:
        return False
    return joint_reps == 2 * body_reps or (body_reps >= 3 and abs(joint_reps - 2 * body_reps) <= 1)
