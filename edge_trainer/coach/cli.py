"""The ``edge-trainer summarize`` command: re-run the summary of a stored set."""

from __future__ import annotations

import argparse
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from edge_trainer import config as config_mod


def register(sub: Any) -> None:
    """Add the ``summarize`` subcommand to the CLI."""
    p = sub.add_parser(
        "summarize",
        help="write the summary of a recorded set again (e.g. to try another model)",
        description="Summarise a stored set with the configured LLM (or --model), printing "
        "each sentence as it is accepted, then where the text came from.",
    )
    p.add_argument("--set", dest="set_id", type=int, required=True, metavar="ID", help="set id")
    p.add_argument(
        "--model", type=Path, help="GGUF chat model to use instead of the configured one"
    )
    p.add_argument(
        "--config",
        type=Path,
        help=f"TOML config (default: {config_mod.DEFAULT_CONFIG_PATH} if it exists, "
        "else the built-in defaults)",
    )
    p.add_argument("--db", type=Path, help="history database file (overrides the config)")
    p.add_argument("--no-llm", action="store_true", help="print the deterministic summary only")
    p.add_argument("--facts", action="store_true", help="print the fact sheet first")
    p.set_defaults(func=cmd_summarize)


def cmd_summarize(args: argparse.Namespace) -> int:
    """Run ``edge-trainer summarize``."""
    from edge_trainer.coach.facts import build_facts
    from edge_trainer.coach.llm import check_gguf_file
    from edge_trainer.coach.summary import Summary
    from edge_trainer.coach.worker import SummaryService
    from edge_trainer.models.template import check_gguf_model
    from edge_trainer.session.db import HistoryReader, database_path

    path = args.config
    if path is None and config_mod.DEFAULT_CONFIG_PATH.is_file():
        path = config_mod.DEFAULT_CONFIG_PATH
    cfg = config_mod.load(path)
    db = args.db or database_path(cfg.paths.state_dir, cfg.session.database)
    with HistoryReader(db) as reader:
        stored = reader.get_set(args.set_id)
        prev = reader.previous_set(stored.session_id, stored.exercise, before_set_id=stored.id)
    record = stored.to_record()
    previous = prev.to_record() if prev is not None else None
    llm_cfg = cfg.llm
    if args.model is not None:
        check_gguf_model(args.model)
        check_gguf_file(args.model)  # a bad --model is an error, not a silent fallback
        llm_cfg = replace(llm_cfg, model_path=str(args.model), enabled=True)
    if args.no_llm:
        llm_cfg = replace(llm_cfg, enabled=False)
    if args.facts:
        print(build_facts(record, previous).sheet(), end="\n\n")

    done = threading.Event()
    result: list[Summary] = []

    def on_sentence(text: str) -> None:
        print(text, flush=True)

    def on_done(summary: Summary) -> None:
        result.append(summary)
        done.set()

    service = SummaryService(
        llm_cfg, cfg.paths.models_dir, max_restarts_per_min=cfg.service.max_worker_restarts_per_min
    )
    service.start()
    try:
        service.wait_ready(llm_cfg.load_timeout_s)
        service.request(record, previous, on_sentence, on_done)
        done.wait(llm_cfg.max_seconds + llm_cfg.load_timeout_s + 10.0)
    finally:
        service.close()
    if not result:
        print("(no summary: the service did not answer)", file=sys.stderr)
        return 1
    summary = result[0]
    line = f"source: {summary.source}"
    if summary.reason:
        line += f" ({summary.reason})"
    if summary.stats:
        line += " | " + ", ".join(f"{k}={v:g}" for k, v in sorted(summary.stats.items()))
    print(line, file=sys.stderr)
    return 0
