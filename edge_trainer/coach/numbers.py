"""Numbers in a sentence, written in digits or words, and which exercise names it uses."""

from __future__ import annotations

import re
from dataclasses import dataclass

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

_WORD_RE = re.compile(r"\d+(?:\.\d+)?(?:st|nd|rd|th)?%?|[A-Za-z]+(?:'[a-z]+)?|%")
_DIGITS_RE = re.compile(r"(\d+(?:\.\d+)?)(?:st|nd|rd|th)?%?")

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
            "lunges": "lunge", "curl": "bicep_curl", "jumpingjack": "jumping_jack",
            "dumbbell_row": "row", "shoulder_press": "overhead_press"}  # fmt: skip
_TERM_RES = {
    code: re.compile(rf"\b(?:{rx})\b", re.IGNORECASE) for code, rx in EXERCISE_TERMS.items()
}


def numbers_in(text: str) -> list[tuple[str, float]]:
    """Every number in ``text``, written in digits or in words, with how it was written.

    ``"eight reps, 1.5 s, twenty-one, the third rep"`` gives 8, 1.5, 21 and 3.
    """
    return [(m.written, m.value) for m in mentions(text)]


@dataclass(frozen=True, slots=True)
class Mention:
    """A number in a sentence and the words around it (lower case), to tell its role."""

    written: str
    value: float
    before: tuple[str, ...]
    after: tuple[str, ...]
    percent: bool


def words_of(text: str) -> list[str]:
    """The words, numbers and ``%`` signs of ``text``, in order."""
    return _WORD_RE.findall(text.replace("-", " "))


def mentions(text: str) -> list[Mention]:
    """Every number in ``text`` with its neighbouring words."""
    words = words_of(text)
    low = [w.lower() for w in words]
    out: list[Mention] = []
    for start, end, written, value in _scan(words):
        after = tuple(low[end:])
        pct = written.endswith("%") or (bool(after) and after[0] in ("percent", "%"))
        out.append(Mention(written, value, tuple(low[:start]), after, pct))
    return out


def _scan(words: list[str]) -> list[tuple[int, int, str, float]]:
    found: list[tuple[int, int, str, float]] = []
    i = 0
    while i < len(words):
        w = words[i]
        lw = w.lower()
        m = _DIGITS_RE.fullmatch(w)
        if m:
            found.append((i, i + 1, w, float(m.group(1))))
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
            found.append((start, i, " ".join(words[start:i]), value))
            continue
        if lw in _ORDINALS:
            found.append((i, i + 1, w, float(_ORDINALS[lw])))
        elif lw == "hundred" and found:
            s0, _e, text_, value = found.pop()
            found.append((s0, i + 1, f"{text_} hundred", value * 100))
        i += 1
    return found


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
