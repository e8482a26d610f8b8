"""``make eval``'s LLM section: the provisioned model coaching made-up sets, and the verifier
scored against a corpus of real model sentences labelled by reading them.

Live part: each of ``SETS`` made-up fact sheets (``sample_sets``) is summarised by the
model the way the box does it (one re-worded line at a time, each checked). It prints how
many model sentences were accepted, why the others were not, how many faulted sets had
the model name the top fault's fix, how many summaries passed the voice checks, and the
time to the first sentence.

Corpus part: ``llm_sentences.jsonl`` beside this module holds model sentences with the
facts they were written for and a label given by a person reading each one (``good``,
``wrong_number``, ``contradiction``, ``meta``, ``third_person``, ``garbled``), in parts.
``-1`` parts come from the first prompt (worked examples in the coach's own words),
``-2`` parts from the current one (examples that copy the note's words): ``tuning`` parts
were read while the verifier's rules were written, ``held-out`` parts after. Some rules
changed after a held-out part was first scored (held-out-1 first scored precision 0.833,
recall 1.000; held-out-2 0.950, 0.826), so their figures now flatter the verifier a
little. ``no-start`` is the model starting its answers itself, which the box never asks.
The verifier's precision and recall at catching the bad ones are measured on each part,
and so is the number of false sentences (a wrong number or a contradiction) it let through.

``python -m edge_trainer.coach.evaluate_llm --draft FILE`` writes new unlabelled sentences
for such a corpus.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from edge_trainer.coach.claims import says_cue
from edge_trainer.coach.facts import FaultFact, PreviousFacts, SetFacts, build_facts
from edge_trainer.coach.prompt import prefill
from edge_trainer.coach.summary import coach_lines
from edge_trainer.coach.verify import check_sentence
from edge_trainer.coach.voice import voice_problem

log = logging.getLogger(__name__)

CORPUS = Path(__file__).with_name("llm_sentences.jsonl")
SETS = 48
SEED = 18
BAD_LABELS = ("wrong_number", "contradiction", "meta", "third_person", "garbled")


def facts_to_json(facts: SetFacts) -> dict[str, Any]:
    """A fact sheet as plain JSON."""
    return dataclasses.asdict(facts)


def facts_from_json(data: dict[str, Any]) -> SetFacts:
    """The fact sheet ``facts_to_json`` wrote."""
    faults = tuple(FaultFact(f["code"], f["phrase"], tuple(f["reps"])) for f in data["faults"])
    prev = PreviousFacts(**data["previous"]) if data["previous"] else None
    return SetFacts(**{**data, "faults": faults, "previous": prev})


def _model_path() -> Path | None:
    from edge_trainer import config as config_mod
    from edge_trainer.errors import EdgeTrainerError
    from edge_trainer.models.store import resolve

    cfg = config_mod.load(config_mod.find(None))
    if cfg.llm.model_path:
        return Path(cfg.llm.model_path)
    try:
        return resolve(Path(cfg.paths.models_dir), "llm", verify=False)[0]
    except EdgeTrainerError as exc:
        log.info("no LLM model: %s", exc)
        return None


def generate(model: Any, sets: int, seed: int, starts: bool = True) -> list[dict[str, Any]]:
    """Summarise ``sets`` made-up sets with ``model``; one row per model sentence.

    ``starts=False`` lets the model begin its answers itself (the raw model, for the corpus).
    """
    from edge_trainer.coach.llm import GenerationStats
    from edge_trainer.coach.sample_sets import sample_sets

    rng = random.Random(seed)
    rows = []
    for number, (record, previous) in enumerate(sample_sets(sets, seed)):
        facts = build_facts(record, previous)
        st = GenerationStats()
        for index, line in enumerate(coach_lines(facts)):
            start = prefill(line, rng) if starts else ""
            sentence = model.say(
                line.text, start, max_tokens=40, deadline=time.monotonic() + 10.0, stats=st
            )
            rows.append(
                {
                    "set": number,
                    "line": index,
                    "role": line.role,
                    "cue": line.cue,
                    "note": line.text,
                    "sentence": sentence or "",
                    "facts": facts_to_json(facts),
                    "first_sentence_s": st.first_sentence_s,
                }
            )
    return rows


def _kind(reason: str) -> str:
    """A rejection reason without its particulars, for counting ("N is not the rep count")."""
    general = re.sub(r"'[^']*'|\d+(?:\.\d+)?", "N", reason)
    return general.split(" (")[0].strip()


def live_figures(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Figures of one live run: acceptance, reasons, fix named, voice, latency."""
    by_set: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_set.setdefault(row["set"], []).append(row)
    accepted = 0
    reasons: Counter[str] = Counter()
    faulted = fix_said = fix_named = voice_ok = 0
    firsts = []
    for set_rows in by_set.values():
        facts = facts_from_json(set_rows[0]["facts"])
        voice = True
        for row in set_rows:
            verdict = check_sentence(row["sentence"], facts, cue=row["cue"])
            accepted += verdict.ok
            if not verdict.ok:
                reasons[_kind(verdict.reason)] += 1
            voice &= bool(row["sentence"]) and voice_problem(row["sentence"]) is None
            if row["cue"]:
                faulted += 1
                fix_said += says_cue(row["sentence"], row["cue"])
                fix_named += verdict.ok
        voice_ok += voice
        if set_rows[0]["first_sentence_s"] is not None:
            firsts.append(set_rows[0]["first_sentence_s"])
    n = len(rows)
    print(f"  model sentences accepted: {accepted} of {n} ({accepted / n:.0%}); the rest are "
          "spoken in their deterministic wording")  # fmt: skip
    for reason, count in reasons.most_common(8):
        print(f"    rejected {count}x: {reason}")
    print(f"  faulted sets whose model sentence names the top fault's fix: {fix_said} of "
          f"{faulted} ({fix_said / max(1, faulted):.0%}; its answer starts with the cue), and "
          f"passes the verifier: {fix_named} ({fix_named / max(1, faulted):.0%}); spoken "
          f"summaries naming it: {faulted} of {faulted} (a rejected fix sentence is spoken "
          "in its plain wording)")  # fmt: skip
    print(f"  summaries passing the voice checks (second person, no meta text, questions "
          f"or echoed instructions): {voice_ok} of {len(by_set)} "
          f"({voice_ok / len(by_set):.0%})")  # fmt: skip
    med = statistics.median(firsts) if firsts else float("nan")
    print(f"  time to first sentence (in process): median {med:.2f} s, "
          f"max {max(firsts, default=float('nan')):.2f} s")  # fmt: skip
    return {
        "llm_accepted": accepted / n,
        "llm_fix_said": fix_said / max(1, faulted),
        "llm_fix_named": fix_named / max(1, faulted),
        "llm_voice_ok": voice_ok / len(by_set),
        "llm_first_sentence_s": med,
    }


def corpus_figures(path: Path = CORPUS) -> dict[str, float]:
    """The verifier against the labelled corpus: precision and recall at catching bad ones,
    over the whole corpus and over each of its parts (``split``)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    out = _scores(rows, "labelled corpus")
    for split in sorted({r["split"] for r in rows}):
        _scores([r for r in rows if r["split"] == split], f"  {split} part")
    return out


def _scores(rows: list[dict[str, Any]], name: str) -> dict[str, float]:
    labels: Counter[str] = Counter(r["label"] for r in rows)
    tp = fp = fn = 0
    let_through: Counter[str] = Counter()
    for row in rows:
        facts = facts_from_json(row["facts"])
        rejected = not check_sentence(row["sentence"], facts, cue=row["cue"]).ok
        bad = row["label"] in BAD_LABELS
        tp += rejected and bad
        fp += rejected and not bad
        fn += bad and not rejected
        if bad and not rejected:
            let_through[row["label"]] += 1
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, tp + fn)
    false = [r for r in rows if r["label"] in ("wrong_number", "contradiction")]
    pad = "  " + " " * (len(name) - len(name.lstrip()))
    print(f"  {name}: {len(rows)} model sentences "
          f"({', '.join(f'{k} {v}' for k, v in labels.most_common())})")  # fmt: skip
    print(f"{pad}verifier at catching bad sentences: precision {precision:.3f}, recall "
          f"{recall:.3f} ({tp} caught, {fp} good rejected, {fn} bad accepted)")  # fmt: skip
    wrong = let_through["wrong_number"] + let_through["contradiction"]
    caught = 1.0 - wrong / max(1, len(false))
    print(f"{pad}accepted sentences with a wrong number or a contradiction: {wrong} of "
          f"{len(false)} (recall on false sentences {caught:.3f})"
          + (f" ({dict(let_through)})" if let_through else ""))  # fmt: skip
    return {"llm_precision": precision, "llm_recall": recall, "llm_accepted_wrong": wrong}


def run(verbose: bool = False) -> dict[str, float]:
    """The LLM section of ``make eval``; skipped with a reason when no model is installed."""
    print("\nLLM summaries:")
    results: dict[str, float] = {}
    if CORPUS.is_file():
        results.update(corpus_figures())
    path = _model_path()
    if path is None:
        print("  live run skipped: no LLM model installed ('edge-trainer models provision')")
        return results
    try:
        from edge_trainer.coach.llm import LlamaSummarizer
        from edge_trainer.coach.llm_process import free_cores

        model = LlamaSummarizer(path, threads=free_cores(1))
    except Exception as exc:  # a missing llama_cpp or a broken file: say why, go on
        print(f"  live run skipped: {exc}")
        return results
    print(f"  model {path.name}: {SETS} made-up sets (seed {SEED}), one thread")
    try:
        rows = generate(model, SETS, SEED)
    finally:
        model.close()
    if verbose:
        for row in rows:
            print(f"    [{row['set']}.{row['line']}] {row['sentence']}")
    results.update(live_figures(rows))
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the LLM section, or draft unlabelled corpus sentences with ``--draft``."""
    p = argparse.ArgumentParser(prog="python -m edge_trainer.coach.evaluate_llm")
    p.add_argument("--draft", type=Path, help="write unlabelled sentences to this JSONL file")
    p.add_argument("--sets", type=int, default=SETS, help="made-up sets for --draft")
    p.add_argument("--seed", type=int, default=SEED + 1, help="seed of the --draft sets")
    p.add_argument("--no-start", action="store_true", help="--draft: no answer starts given")
    p.add_argument("-v", "--verbose", action="store_true", help="print every sentence")
    args = p.parse_args(argv)
    if args.draft is None:
        run(args.verbose)
        return 0
    from edge_trainer.coach.llm import LlamaSummarizer

    path = _model_path()
    if path is None:
        print("error: no LLM model installed", file=sys.stderr)
        return 2
    model = LlamaSummarizer(path, threads=1)
    rows = generate(model, args.sets, args.seed, starts=not args.no_start)
    model.close()
    with args.draft.open("w", encoding="utf-8") as out:
        for row in rows:
            keep = {k: row[k] for k in ("role", "cue", "note", "sentence", "facts")}
            out.write(json.dumps({**keep, "label": ""}) + "\n")
    print(f"wrote {len(rows)} unlabelled sentences to {args.draft}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
