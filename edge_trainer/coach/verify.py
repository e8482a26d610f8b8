"""Checks a model-written sentence against the facts: every number in its role, every claim.

A sentence passes only when each number it says fills the role the facts give that
number (the rep count, a faulted or the slowest rep, seconds up or down, the velocity
loss, the difference from the previous set in the right direction), its claims agree
with the facts (see ``claims``), and it speaks to the person as a coach would (see
``voice``). The fix line of a faulted set must also say the top fault's cue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edge_trainer.coach.claims import contradiction, fix_tail_problem, says_cue
from edge_trainer.coach.facts import SetFacts, fmt_number
from edge_trainer.coach.numbers import Mention, mentions, numbers_in, other_exercises_named
from edge_trainer.coach.voice import garble_problem, voice_problem

__all__ = ["Verdict", "allowed_numbers", "check_sentence", "check_summary", "numbers_in"]

_LEAK_RE = re.compile(r"<\||\|>|</s>|<s>|\[/?INST\]|<<|>>|#")
_SECONDS = ("s", "sec", "secs", "second", "seconds")
_REP_WORDS = ("rep", "reps", "repetition", "repetitions")
_MORE = ("more", "extra")
_FEWER = ("fewer", "less")
_UP_WORDS = ("up", "lift", "lifting", "lifted", "rise", "rising", "pull", "press", "pushed")
_DOWN_WORDS = ("down", "lower", "lowering", "lowered", "descent", "eccentric")
_CLEAN_WORDS = ("clean", "perfect", "good", "solid", "great", "flawless", "strong")
_SLOW_WORDS = ("slow", "slowed", "slowest", "slower", "grind", "grinder", "ground")
MAX_WORDS = 26  # a spoken sentence of a short summary; longer ones ramble


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a text passed, and why not."""

    ok: bool
    reason: str = ""


def allowed_numbers(facts: SetFacts) -> frozenset[float]:
    """The numbers a summary of these facts may say: those on its fact sheet."""
    return frozenset(v for _, v in numbers_in(facts.sheet()))


def _near(value: float, options: set[float]) -> bool:
    return any(abs(value - o) < 1e-6 for o in options)


def _rep_numbers(found: list[Mention]) -> set[int]:
    """Indexes (into ``found``) of numbers that name a rep: "rep 4", "reps 2, 8 and 14"."""
    out: set[int] = set()
    for k, m in enumerate(found):
        prev = m.before[-1] if m.before else ""
        named = prev in _REP_WORDS or prev in ("#", "number")
        listed = k - 1 in out and prev in ("and", "or", found[k - 1].written.lower())
        ordinal = m.written.lower().endswith(("st", "nd", "rd", "th")) and m.after[:1] == ("rep",)
        if named or listed or ordinal:
            out.add(k)
    return out


def _role_problem(m: Mention, is_rep_number: bool, f: SetFacts, words: set[str]) -> str | None:
    """Why the number ``m`` does not fit its role in these facts (None: it fits)."""
    said = fmt_number(m.value)
    ahead: list[str] = []
    for w in m.after[:2]:
        if w[:1].isdigit():
            break
        ahead.append(w)
    if m.percent:
        if f.velocity_loss_pct is None or m.value != f.velocity_loss_pct:
            return f"{said}% is not the velocity loss"
        return None
    if m.after[:1] and m.after[0] in _SECONDS:
        options = {v for v in (f.avg_up_s, f.avg_down_s, f.slowest_up_s) if v is not None}
        if words & set(_DOWN_WORDS) and not words & set(_UP_WORDS):
            options = {f.avg_down_s} if f.avg_down_s is not None else set()
        elif words & set(_UP_WORDS) and not words & set(_DOWN_WORDS):
            options = {v for v in (f.avg_up_s, f.slowest_up_s) if v is not None}
        return None if _near(m.value, options) else f"{said} s is not a time in the facts"
    if m.before[-1:] == ("added",) and f.compared is not None:
        ahead = ["more"]  # "you added 2 rows": the change from last set
    if any(w in _MORE or w in _FEWER for w in ahead):
        if f.compared is None:
            return f"'{m.written} more/fewer' needs a previous set"
        diff = f.reps - f.compared.reps
        more = any(w in _MORE for w in ahead)
        if m.value != abs(diff) or diff == 0 or (diff > 0) != more:
            return f"'{m.written} {'more' if more else 'fewer'}' is not the change from last set"
        return None
    if is_rep_number:
        fault_reps = {i for x in f.faults for i in x.reps}
        slow = {f.slowest_rep} if f.slow_rep_stands_out and f.slowest_rep else set()
        allowed = (slow if words & set(_SLOW_WORDS) else set()) | fault_reps
        if words & set(_SLOW_WORDS) and not f.faults:
            allowed = slow
        if int(m.value) != m.value or int(m.value) not in allowed:
            return f"rep {said} is neither a faulted nor the slowest rep"
        return None
    return _count_problem(m, f)


def _count_problem(m: Mention, f: SetFacts) -> str | None:
    said = fmt_number(m.value)
    near = m.after[:3]
    if "partial" in near or "partials" in near:
        return None if m.value == f.partial_reps else f"{said} is not the partial count"
    fault_counts = {float(len(x.reps)) for x in f.faults}
    fault_counts.add(float(len({i for x in f.faults for i in x.reps})))
    if m.before[-1:] in (("on",), ("in",)) and near[:1] and near[0] in _REP_WORDS:
        if _near(m.value, fault_counts):
            return None
        return f"{said} is not how many reps had a fault"
    if any(w in _CLEAN_WORDS for w in (*m.before[-1:], *near[:1])):
        if m.value == f.clean_reps:
            return None
        return f"{said} is not the count of clean reps ({f.clean_reps})"
    if m.value == f.reps:
        return None
    return f"{said} is not the rep count ({f.reps})"


def check_sentence(
    sentence: str,
    facts: SetFacts,
    allowed: frozenset[float] | None = None,
    cue: str = "",
) -> Verdict:
    """Check one model sentence against the facts.

    Args:
        sentence: The sentence.
        facts: The set's facts.
        allowed: Unused, kept for callers that pass the sheet's numbers.
        cue: The top fault's cue when this sentence is the fix of a faulted set: it must
            say it.
    """
    del allowed
    leak = _LEAK_RE.search(sentence)
    if leak:
        return Verdict(False, f"markup {leak.group(0)!r} in the text")
    if not re.search(r"[A-Za-z]{2,}", sentence):
        return Verdict(False, "no words")
    problem = voice_problem(sentence) or garble_problem(sentence)
    if problem is not None:
        return Verdict(False, problem)
    found = mentions(sentence)
    reps_named = _rep_numbers(found)
    words = set(re.findall(r"[a-z']+", sentence.lower()))
    for k, m in enumerate(found):
        problem = _role_problem(m, k in reps_named, facts, words)
        if problem is not None:
            return Verdict(False, problem)
    others = other_exercises_named(sentence, facts.exercise)
    if others:
        return Verdict(False, f"names another exercise ({others[0]!r})")
    problem = contradiction(sentence, facts)
    if problem is not None:
        return Verdict(False, problem)
    if cue and not says_cue(sentence, cue):
        return Verdict(False, f"does not say the fix ({cue!r})")
    problem = fix_tail_problem(sentence, cue, facts) if cue else None
    if problem is not None:
        return Verdict(False, problem)
    if len(sentence.split()) > MAX_WORDS:
        return Verdict(False, f"{len(sentence.split())} words, more than {MAX_WORDS}")
    return Verdict(True)


def check_summary(
    sentences: list[str] | tuple[str, ...], facts: SetFacts, max_chars: int, max_sentences: int
) -> Verdict:
    """Check a whole summary: every sentence, the sentence count and the length cap."""
    if not sentences:
        return Verdict(False, "empty")
    if len(sentences) > max_sentences:
        return Verdict(False, f"{len(sentences)} sentences, more than {max_sentences}")
    length = len(" ".join(sentences))
    if length > max_chars:
        return Verdict(False, f"{length} characters, more than {max_chars}")
    for s in sentences:
        verdict = check_sentence(s, facts)
        if not verdict.ok:
            return verdict
    return Verdict(True)
