"""Claims a sentence makes about a set (form, speed, the last set) checked against its facts."""

from __future__ import annotations

import re

from edge_trainer.coach.facts import SetFacts
from edge_trainer.exercise.faults import PARTIAL, fault, known_faults

# Praise of the form as a whole: false when any fault was seen.
_FORM_PRAISE = re.compile(
    r"\b(no (form )?(faults?|errors?|mistakes?|issues?|problems?)|without (any |a )?"
    r"(faults?|errors?|mistakes?)|fault[- ]free|perfect|flawless|clean|spotless|"
    r"(good|great|excellent|solid|nice|proper|strong|textbook) (form|technique)|"
    r"nailed|exceptional|every rep was|(solid|good|great|perfect|clean|strong) reps?)\b",
    re.IGNORECASE,
)
# Words that claim a fault happened.
_FAULT_WORDS = re.compile(
    r"\b(faults?|cav(e|ed|es|ing)|sag(ged|ging|s)?|round(ed|ing)?|swing(ing|s)?|swung|"
    r"shallow|lean(ed|ing)?|arch(ed|ing)?|pik(e|ed|ing)|drift(ed|ing)?|flar(e|ed|ing)|"
    r"short rows?|partial|below)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"\b(no|not|never|without|zero|didn't|did not|wasn't|weren't)\b", re.I)
_IMPERATIVE_NO = re.compile(r"^\s*(don't|do not|never|no more|avoid|stop)\b", re.IGNORECASE)
_SPEED = r"(speed|velocity|pace|power|bar speed)"
_SPEED_HELD = re.compile(
    rf"\b{_SPEED}\b[^.]{{0,20}}\b(held|stayed|steady|consistent|kept up|maintained|"
    rf"did not drop|didn't drop)\b|\b(no|without)( any)? (speed|velocity) loss\b|"
    rf"\b(kept|held|maintained) (your |the )?{_SPEED}\b|\bdid(n't| not) lose\b",
    re.IGNORECASE,
)
_SPEED_LOST = re.compile(
    rf"\b{_SPEED}\b[^.]{{0,20}}\b(dropped|drop|fell|fall|faded|slowed|decreased|went down|"
    rf"loss)\b|\b(lost|losing)\b[^.]{{0,20}}\b{_SPEED}\b",
    re.IGNORECASE,
)
_COMPARE = re.compile(
    r"\b(than (last|your last|the last|before|previous|your previous)|since (last|your last)|"
    r"last (set|time)|previous set|improv\w*|better than|up from|down from|beat)\b",
    re.IGNORECASE,
)
_UP_WORDS = re.compile(r"\b(more|improv\w*|better|up from|beat|added|extra)\b", re.IGNORECASE)
_DOWN_WORDS = re.compile(r"\b(fewer|less|down from|worse|dropped)\b", re.IGNORECASE)
_SAME = re.compile(r"\b(same|matched|equal(led)?)\b", re.IGNORECASE)
_ADD_REP = re.compile(
    r"\b(add(ed|ing)?|one more|another|extra) (a |one |an extra |another )?rep\b", re.IGNORECASE
)
_ADDED_REP = re.compile(r"\b(you )?(added|did) (a|one|an extra|another|one more) rep\b", re.I)
_TAIL_NEGATION = re.compile(r"\b(no|not|never|didn't|wasn't|weren't|isn't)\b", re.IGNORECASE)
_ADVICE = re.compile(
    r"\W*(keep|stay|hold|go|push|pull|lower|lock|stand|touch|brace|drive|squeeze|sit|reach|"
    r"bring|try|focus|make|let|you (can|should|need to|must|will))\b",
    re.IGNORECASE,
)
_PAST = re.compile(
    r"\b(was|were|did|didn't|showed|had|went|got)\b|\b(?!need\b|speed\b)\w+ed\b", re.IGNORECASE
)
# Words that add nothing to a repeated cue ("no swinging, no swinging next set").
_FILLER = {"next", "set", "it", "that", "this", "again", "not", "ever", "every", "rep"}
_LINKS = {"and", "on", "in", "show", "showed", "was", "were", "is", "had"}
_STOP = {"your", "the", "a", "to", "at", "all", "way", "don't", "do", "not", "keep", "go", "of",
         "too", "far", "very", "much", "enough", "bit", "little", "just"}  # fmt: skip


def _stem(word: str) -> str:
    word = word.lower().strip("'")
    for end in ("ing", "ed", "er", "es", "s"):
        if len(word) > len(end) + 2 and word.endswith(end):
            return word[: -len(end)]
    return word


def _content_stems(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[A-Za-z']+", text) if w.lower() not in _STOP]


def says_cue(sentence: str, cue: str) -> bool:
    """The sentence says the cue: every content word of it ("Knees out": knee, out)."""
    have = set(_content_stems(sentence))
    need = _content_stems(cue) or [_stem(w) for w in re.findall(r"[A-Za-z']+", cue)]
    return all(w in have for w in need)


def _mentions(sentence: str, phrase: str) -> bool:
    """``phrase`` (a fault's name or cue) is said in ``sentence``, give or take endings."""
    have = _content_stems(sentence)
    need = _content_stems(phrase)
    if len(need) < 2:  # one word ("up") says too little to name a fault
        return False
    n = len(need)
    return any(have[i : i + n] == need for i in range(len(have) - n + 1))


def _other_fault(sentence: str, facts: SetFacts) -> str | None:
    own = {f.phrase for f in facts.faults} | {fault(f.code).cue for f in facts.faults}
    if facts.partial_reps:
        own |= {PARTIAL.name, PARTIAL.cue}
    own_stems = {w for text in own for w in _content_stems(text)}
    for known in known_faults().values():
        for phrase in (known.name, known.cue):
            if phrase in own or set(_content_stems(phrase)) <= own_stems:
                continue
            if _mentions(sentence, phrase):
                return phrase
    return None


def _fault_claim_problem(sentence: str, facts: SetFacts) -> str | None:
    claim = _FAULT_WORDS.search(sentence)
    if not facts.faults:
        if claim and not _NEGATION.search(sentence[: claim.start()]):
            return f"claims a fault ({claim.group(0)!r}) on a set without any"
        return None
    praise = _FORM_PRAISE.search(sentence)
    if praise:
        return f"praises the form ({praise.group(0)!r}) of a set with faults"
    # Its own cues are instructions ("no swinging"), not denials.
    for f in facts.faults:
        sentence = re.sub(re.escape(fault(f.code).cue), " ", sentence, flags=re.IGNORECASE)
    claim = _FAULT_WORDS.search(sentence)
    if claim and not _IMPERATIVE_NO.search(sentence):
        neg = _NEGATION.search(sentence[: claim.start()])
        if neg and claim.start() - neg.end() < 40:
            return f"denies a fault the facts list ({neg.group(0)} ... {claim.group(0)})"
    return None


_SLOW_LOWERING = re.compile(
    r"\b(your|the|a|that) slow (lowering|descent)\b|\blowering (was )?(slow|controlled)\b",
    re.IGNORECASE,
)


def _speed_problem(sentence: str, facts: SetFacts) -> str | None:
    slow = _SLOW_LOWERING.search(sentence)
    if slow and facts.avg_down_s is not None and facts.avg_down_s < 1.0:
        return f"calls the lowering slow ({slow.group(0)!r}) but it took {facts.avg_down_s} s"
    loss = facts.velocity_loss_pct
    held = _SPEED_HELD.search(sentence)
    if held and (loss is None or loss >= 15):
        return f"says speed held ({held.group(0)!r}) but " + (
            "no speed was measured" if loss is None else f"it dropped {loss}%"
        )
    lost = _SPEED_LOST.search(sentence)
    if lost and (loss is None or loss < 15):
        return f"says speed dropped ({lost.group(0)!r}) but " + (
            "no speed was measured" if loss is None else f"it held (loss {loss}%)"
        )
    return None


def _compare_problem(sentence: str, facts: SetFacts) -> str | None:
    cmp = _COMPARE.search(sentence)
    if cmp is None:
        return None
    if facts.compared is None:
        return f"compares with a previous set ({cmp.group(0)!r}) but there is none"
    diff = facts.reps - facts.compared.reps
    if _UP_WORDS.search(sentence) and diff <= 0:
        return f"says more than last set, but it was {'fewer' if diff else 'the same'}"
    if _DOWN_WORDS.search(sentence) and diff >= 0:
        return f"says fewer than last set, but it was {'more' if diff else 'the same'}"
    if _SAME.search(sentence) and diff != 0:
        return "says the same as last set, but it was not"
    return None


def _rep_advice_problem(sentence: str, facts: SetFacts) -> str | None:
    if _ADDED_REP.search(sentence) and (
        facts.compared is None or facts.reps <= facts.compared.reps
    ):
        return "claims a rep was added, which the facts do not say"
    loss = facts.velocity_loss_pct
    if _ADD_REP.search(sentence) and (facts.faults or loss is None or loss >= 15):
        return "advises adding a rep, but the set had faults or lost speed"
    return None


def _fault_stems(text: str) -> set[str]:
    """Content stems of a fault phrase, keeping its negation ("not locking out": not, lock, out)."""
    text = re.sub(r"n't\b|\bno\b", " not", text.lower())
    return {_stem(w) for w in re.findall(r"[a-z']+", text) if w == "not" or w not in _STOP}


def _names_fault(have: set[str], why: set[str], fault_stems: set[str]) -> bool:
    """The words ``have`` say the fault: every word its name adds to the cue (``why``;
    "partially" counts for "partial"), with its "not" when it has one."""
    content = why - {"not"}
    if not content:
        # "not" alone is too little: "lock out, it didn't show" must say what did not happen.
        return fault_stems <= have
    if "not" in why and "not" not in have:
        return False
    return all(any(h[:5] == w[:5] for h in have) for w in content)


def fix_tail_problem(sentence: str, cue: str, facts: SetFacts) -> str | None:
    """What is wrong with the words after a faulted set's cue (None: nothing).

    They must say why: name the top fault (the words its name adds to the cue, so "knees
    caving in" after "Knees out" needs "caving in"), name one of its reps and nothing
    else, deny the cue
    ("go deeper, you did not go deeper"), repeat the cue, or give more advice without
    saying what happened ("keep your body still"). A denial of a fault
    named without a "not" ("elbows still, it's not swinging") is a contradiction.
    """
    top = facts.faults[0]
    at = sentence.lower().find(cue.lower())
    tail = sentence[at + len(cue) :] if at >= 0 else sentence
    have = _fault_stems(tail)
    cue_stems = _fault_stems(cue)
    fault_stems = _fault_stems(top.phrase)
    why = fault_stems - cue_stems
    named = _names_fault(have, why, fault_stems)
    reps = {str(i) for i in top.reps}
    said_reps = re.findall(r"\breps? ((?:\d+(?:,? (?:and )?)?)+)", tail, re.IGNORECASE)
    named_reps = {n for group in said_reps for n in re.findall(r"\d+", group)}
    if named_reps - reps:
        wrong = ", ".join(sorted(named_reps - reps, key=int))
        return f"rep {wrong} did not show {top.phrase!r}"
    by_rep = bool(named_reps)
    # A faulted rep named alone ("elbows still, rep 9") is enough; what it "showed" must
    # be the fault itself.
    extra = {w for w in have if not w.isdigit()} - cue_stems - _FILLER - _LINKS
    shown = re.search(r"\b(showed|shows|was|were|is|had)\b(.*)", tail, re.IGNORECASE)
    described = _fault_stems(shown.group(2)) - _FILLER - _LINKS if shown else set()
    by_rep = by_rep and not extra and not {w for w in described if not w.isdigit()}
    # The cue said again ("no swinging, no swinging"), not a description ("it locked out").
    describes = re.match(r"\W*(it|they|you|that)\b", tail, re.IGNORECASE)
    repeated = not describes and have <= cue_stems | _FILLER
    # More advice in other words ("keep your body still", "you can go deeper") claims nothing.
    advice = bool(_ADVICE.match(tail)) and not _PAST.search(tail)
    # The cue denied is the fault said ("go deeper, you did not go deeper").
    negated_cue = "not" in have and cue_stems <= have
    if not (named or by_rep or repeated or negated_cue or advice):
        return f"does not say what went wrong ({top.phrase!r}) after the fix"
    neg = _TAIL_NEGATION.search(tail)
    if neg and "not" not in fault_stems and not (repeated or negated_cue or advice):
        return f"denies the fault after its cue ({neg.group(0)!r})"
    return None


def contradiction(sentence: str, facts: SetFacts) -> str | None:
    """What ``sentence`` claims against the facts (None when nothing)."""
    other = _other_fault(sentence, facts)
    if other is not None:
        return f"names a fault that is not in the facts ({other!r})"
    for check in (_fault_claim_problem, _speed_problem, _compare_problem, _rep_advice_problem):
        problem = check(sentence, facts)
        if problem is not None:
            return problem
    partial_fault = any("partial" in f.phrase for f in facts.faults)
    if re.search(r"\bpartials?\b", sentence, re.I) and not facts.partial_reps and not partial_fault:
        return "mentions partial reps but there were none"
    return None
