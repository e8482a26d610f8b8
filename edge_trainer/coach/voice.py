"""Whether a sentence speaks to the person as a coach (no third person, meta text or
questions) and reads as a sentence."""

from __future__ import annotations

import re

# Speaking about the person instead of to them.
_THIRD = re.compile(
    r"\b(the (person|lifter|athlete|user|client|trainee|individual|participant|exerciser)|"
    r"he|she|his|him|her|hers|himself|herself|themselves)\b",
    re.IGNORECASE,
)
# "they" is fine for body parts ("knees out, they caved in"), not for the person.
_THEY = re.compile(r"\b(they|them|their|they're|they've)\b", re.IGNORECASE)
_PLURAL_PARTS = re.compile(
    r"\b(knees|hips|elbows|arms|feet|legs|shoulders|heels|hands|wrists|reps|sets|ribs)\b",
    re.IGNORECASE,
)
# Talk about the task, the text or the model itself.
_META = re.compile(
    r"\b(summary|summari[sz]e|fact sheet|facts|notes?|rewrite|rewrit\w+|sentences?|"
    r"instructions?|assistant|language model|AI|as requested|here is|here's|spoken|"
    r"coach(es|ing)?|trainer)\b|\b(I|I'm|I'll|I've|I'd|me|my|myself)\b",
)
# Echoes of the system prompt's own words.
_ECHO = re.compile(
    r"\b(you are|you're) (a|an|the) \w*\s?(coach|trainer|assistant)\b|"
    r"\bkeep (its|the) numbers\b|\busing 'you'|\bjust finished a set\b",
    re.IGNORECASE,
)
_LIST = re.compile(r"^\s*(\d+[.)]|[-*\u2022])\s")
# "Your rep next set, so ...": an opening "Your ..." phrase with no verb before its comma.
_VERBLESS_OPENING = re.compile(r"^\s*Your ([^,]*),")
_VERB = re.compile(
    r"\b(was|were|is|are|did|had|got|took|kept|went|made|lost|fell|held|stayed|"
    r"\w+ed|\w+'s)\b",
    re.IGNORECASE,
)
# A capital inside a sentence: no name belongs there, so the model lost the thread.
_STRAY_CAPITAL = re.compile(r"(?<![.!?:])\s(?!I\b)[A-Z][a-z]+")


def garble_problem(sentence: str) -> str | None:
    """Why ``sentence`` reads as broken text (None when it does not)."""
    opening = _VERBLESS_OPENING.match(sentence)
    if opening and not _VERB.search(opening.group(1)):
        return f"garbled: no verb in 'Your {opening.group(1)}'"
    stray = _STRAY_CAPITAL.search(sentence)
    if stray:
        return f"garbled: a stray capital ({stray.group(0).strip()!r})"
    return None


def voice_problem(sentence: str) -> str | None:
    """Why ``sentence`` is not a coach talking to the person (None when it is)."""
    if "?" in sentence:
        return "a question"
    if _LIST.search(sentence):
        return "a list item"
    echo = _ECHO.search(sentence)
    if echo:
        return f"echoes the instructions ({echo.group(0)!r})"
    meta = _META.search(sentence)
    if meta:
        return f"meta text ({meta.group(0)!r})"
    third = _THIRD.search(sentence)
    if third:
        return f"third person ({third.group(0)!r})"
    they = _THEY.search(sentence)
    if they and not _PLURAL_PARTS.search(sentence[: they.start()]):
        return f"third person ({they.group(0)!r})"
    return None
