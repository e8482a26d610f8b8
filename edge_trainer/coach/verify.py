"""Checks that a model-written summary says nothing the facts do not support."""

from __future__ import annotations

import re
from dataclasses import dataclass

from edge_trainer.coach.facts import SetFacts

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "dozen": 12,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
# "first" and "second" are left out on purpose: "first" rarely carries a count and
# "second" is mostly the unit of time.
_ORDINALS = {
    "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
# "one" after these words is a pronoun ("a good one"), not a count.
_PRONOUN_ONE = {"a", "the", "this", "that", "each", "every", "no", "any", "another", "next",
                "last", "good", "hard", "tough", "solid", "strong", "great", "which"}  # fmt: skip

_WORD_RE = re.compile(r"\d+(?:[.,]\d+)?(?:st|nd|rd|th)?%?|[A-Za-z]+")
_DIGITS_RE = re.compile(r"(\d+(?:[.,]\d+)?)(?:st|nd|rd|th)?%?")

# Exercise names a summary might use, by canonical code. A summary may only name its own.
EXERCISE_TERMS: dict[str, str] = {
    "squat": r"squats?",
    "push_up": r"push[- ]?ups?|press[- ]?ups?",
    "pull_up": r"pull[- ]?ups?|chin[- ]?ups?",
    "situp": r"sit[- ]?ups?|crunch(?:es)?",
    "lunge": r"lunges?",
    "deadlift": r"dead[- ]?lifts?",
    "jumping_jack": r"jumping[- ]jacks?|star jumps?",
    "bench_press": r"bench(?:[- ]press(?:es)?)?",
    "front_raise": r"front raises?",
    "bicep_curl": r"(?:biceps? )?curls?",
    "overhead_press": r"(?:overhead|shoulder|military) press(?:es)?",
    "plank": r"planks?",
    "burpee": r"burpees?",
    "pommel_horse": r"pommel horse",
    "row": r"(?:bent[- ]over |barbell |dumbbell )rows?",
}
_ALIASES = {"pushup": "push_up", "pullup": "pull_up", "sit_up": "situp", "squats": "squat",
            "lunges": "lunge", "curl": "bicep_curl", "jumpingjack": "jumping_jack"}  # fmt: skip
_TERM_RES = {
    code: re.compile(rf"\b(?:{rx})\b", re.IGNORECASE) for code, rx in EXERCISE_TERMS.items()
}
_LEAK_RE = re.compile(r"<\||\|>|</s>|<s>|\[/?INST\]|<<|>>|#")


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a text passed, and why not."""

    ok: bool
    reason: str = ""


def numbers_in(text: str) -> list[tuple[str, float]]:
    """Every number in ``text``, written in digits or in words, with how it was written.

    ``"eight reps, 1.5 s, twenty-one, the third rep"`` gives 8, 1.5, 21 and 3.
    """
    found: list[tuple[str, float]] = []
    words = _WORD_RE.findall(text.replace("-", " "))
    i = 0
    while i < len(words):
        w = words[i]
        lw = w.lower()
        m = _DIGITS_RE.fullmatch(w)
        if m:
            found.append((w, float(m.group(1).replace(",", "."))))
            i += 1
            continue
        if lw in _TENS or lw in _UNITS:
            if lw == "one" and i > 0 and words[i - 1].lower() in _PRONOUN_ONE:
                i += 1
                continue
            start = i
            value = float(_TENS.get(lw, _UNITS.get(lw, 0)))
            i += 1
            if lw in _TENS and i < len(words) and words[i].lower() in _UNITS:
                value += _UNITS[words[i].lower()]
                i += 1
            elif lw in _TENS and i < len(words) and words[i].lower() in _ORDINALS:
                value += _ORDINALS[words[i].lower()]
                i += 1
            if (
                i + 1 < len(words)
                and words[i].lower() == "point"
                and words[i + 1].lower() in _UNITS
            ):
                value += _UNITS[words[i + 1].lower()] / 10
                i += 2
            found.append((" ".join(words[start:i]), value))
            continue
        if lw in _ORDINALS:
            found.append((w, float(_ORDINALS[lw])))
        elif lw == "hundred" and found:
            text_, value = found.pop()
            found.append((f"{text_} hundred", value * 100))
        i += 1
    return found


def allowed_numbers(facts: SetFacts) -> frozenset[float]:
    """The numbers a summary of these facts may say: those on its fact sheet."""
    return frozenset(v for _, v in numbers_in(facts.sheet()))


def canonical_exercise(name: str) -> str:
    """The EXERCISE_TERMS code for a recorded exercise name (itself if unknown)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    return _ALIASES.get(key, key)


def other_exercises_named(text: str, exercise: str) -> list[str]:
    """Exercise names in ``text`` that are not ``exercise``."""
    own = canonical_exercise(exercise)
    own_re = _TERM_RES.get(own)
    # Blank out the set's own name first, so "bench press" does not also read as "press".
    rest = own_re.sub(" ", text) if own_re else text
    return [
        m.group(0) for code, rx in _TERM_RES.items() if code != own for m in [rx.search(rest)] if m
    ]


def check_sentence(
    sentence: str, facts: SetFacts, allowed: frozenset[float] | None = None
) -> Verdict:
    """Check one sentence: its numbers are in the facts and it names no other exercise."""
    if allowed is None:
        allowed = allowed_numbers(facts)
    leak = _LEAK_RE.search(sentence)
    if leak:
        return Verdict(False, f"markup {leak.group(0)!r} in the text")
    for written, value in numbers_in(sentence):
        if not any(abs(value - a) < 1e-6 for a in allowed):
            return Verdict(False, f"number {written!r} is not in the facts")
    others = other_exercises_named(sentence, facts.exercise)
    if others:
        return Verdict(False, f"names another exercise ({others[0]!r})")
    if not re.search(r"[A-Za-z]{2,}", sentence):
        return Verdict(False, "no words")
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
    allowed = allowed_numbers(facts)
    for s in sentences:
        verdict = check_sentence(s, facts, allowed)
        if not verdict.ok:
            return verdict
    return Verdict(True)
