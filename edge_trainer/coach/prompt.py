"""What the summary model is told: re-word one true sentence at a time as a coach would.

A 135M model cannot be trusted to pick facts and advice from a fact sheet, but it can
re-word a sentence it is given. So it gets the deterministic summary's sentences one at
a time, after a few worked examples (kept in the cached prompt prefix), and the start of
its answer is written for it: an opener that speaks to the person for what went well,
and the top fault's cue for the fix. What it adds is checked by ``verify``.
"""

from __future__ import annotations

import random

from edge_trainer.coach.summary import CoachLine

SYSTEM_PROMPT = (
    "You are a gym coach. Say each note to the lifter as one short spoken sentence, "
    "using 'you'. Keep its numbers and its fix."
)

# Worked examples: a note and how a coach says it. Their numbers differ from most sets'
# so a copied number is caught by the verifier rather than passing as a fact.
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("8 squats.", "Nice work, you got all 8 squats done."),
    (
        "Reps 3 and 5 showed knees caving in: knees out next set.",
        "Next set, knees out, reps 3 and 5 showed knees caving in.",
    ),
    ("12 push-ups, no form faults.", "Great set, you did 12 push-ups with no form faults."),
    (
        "Rep 4 showed a rounded back: flat back next set.",
        "Next set, flat back, rep 4 showed a rounded back.",
    ),
    ("Speed held well, so try adding a rep next set.", "Your speed held, so add a rep next set."),
)

# How the well line may start: the model goes on from here, so it speaks to the person.
OPENERS = ("Nice work, you", "Good set, you", "Well done, you", "Strong set, you", "You")


def prefill(line: CoachLine, rng: random.Random) -> str:
    """The start of the model's answer for ``line``.

    The well line starts with an opener that addresses the person (varied); a faulted
    set's fix starts with the top fault's cue; a clean set's next step starts free.
    """
    if line.role == "well":
        return rng.choice(OPENERS)
    if line.cue:
        return f"Next set, {line.cue[0].lower()}{line.cue[1:]},"
    return ""


def messages(note: str) -> list[dict[str, str]]:
    """The chat for one note: system prompt, worked examples, then the note."""
    out = [{"role": "system", "content": SYSTEM_PROMPT}]
    for user, assistant in EXAMPLES:
        out += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    out.append({"role": "user", "content": note})
    return out
