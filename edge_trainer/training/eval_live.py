"""``make eval`` live: each real video played through the whole emulated box, as heard.

Every clip of ``videos/`` and ``workouttracker/`` is played by ``edge-trainer demo
--video`` (the same program the Pi runs, every device emulated, a fresh history) and
judged by what a person in front of the box would hear and what the box stored: the
last rep number spoken, the reps stored, how often the spoken count started again, and
whether every spoken rep is in the store.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import sqlite3
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge_trainer.config import Config
from edge_trainer.training.eval_data import shoot
from edge_trainer.training.eval_models import (
    SHIPPED_CLASSIFIER,
    fold_map,
    held_out_classifier,
    store_with_classifier,
)

log = logging.getLogger(__name__)

LIVE_SOURCES = ("videos", "workouttracker")
TARGET = 0.90
# A clip that takes longer than this to play is reported as failed.
CLIP_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class Heard:
    """What the box said and stored for one clip.

    Attributes:
        spoken: Rep numbers in the order they were spoken.
        stored: Full reps stored over all sets.
        stored_rows: Rep rows in the store (full ones, announced or later discounted).
        sets: Sets stored.
        error: Why the clip could not be played ("" when it was).
    """

    spoken: tuple[int, ...]
    stored: int
    stored_rows: int
    sets: int
    error: str = ""

    @property
    def last_spoken(self) -> int:
        """The last rep number spoken (0 when none was)."""
        return self.spoken[-1] if self.spoken else 0

    @property
    def restarts(self) -> int:
        """Times the spoken count went back to a number it had passed."""
        return sum(1 for a, b in zip(self.spoken, self.spoken[1:], strict=False) if b <= a)


# A rep's number as the box says it: alone ("7"), after the exercise's name ("Squats.
# 1"), or before the correction for a faulty rep ("4. Go deeper").
_NUMBER = re.compile(r"(?:^|\. )(\d+)(?:\.|$)")


def spoken_reps(index: Path) -> tuple[int, ...]:
    """Rep numbers actually spoken, in order, from a speech ``cues.jsonl``.

    A faulty rep's number goes out in its fault cue, so both kinds are read.
    """
    out: list[int] = []
    if not index.is_file():
        return ()
    for line in index.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry.get("kind") not in ("rep", "fault") or entry.get("outcome") != "spoken":
            continue
        m = _NUMBER.search(str(entry.get("text", "")))
        if m:
            out.append(int(m.group(1)))
    return tuple(out)


def stored_reps(database: Path) -> tuple[int, int, int]:
    """``(reps in closed sets, full rep rows, sets)`` from a history database."""
    if not database.is_file():
        return 0, 0, 0
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        reps, sets = db.execute("SELECT COALESCE(SUM(rep_count), 0), COUNT(*) FROM sets").fetchone()
        rows = db.execute("SELECT COUNT(*) FROM reps WHERE partial = 0").fetchone()[0]
    return int(reps), int(rows), int(sets)


def play(video: Path, models_dir: Path, work: Path) -> Heard:
    """Play ``video`` through ``edge-trainer demo`` with a fresh history under ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    config = work / "config.toml"
    config.write_text(
        f'[paths]\nstate_dir = "{(work / "state").as_posix()}"\n'
        f'models_dir = "{models_dir.resolve().as_posix()}"\n'
        "[llm]\nenabled = false\n",
        encoding="utf-8",
    )
    out = work / "out"
    cmd = [sys.executable, "-m", "edge_trainer", "demo", "--config", str(config)]
    cmd += ["--video", str(video), "--output", str(out)]
    try:
        done = subprocess.run(
            cmd, check=False, capture_output=True, text=True, timeout=CLIP_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return Heard((), 0, 0, 0, f"timed out after {CLIP_TIMEOUT_S:.0f} s")
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return Heard((), 0, 0, 0, f"exit {done.returncode}: {tail}")
    reps, rows, sets = stored_reps(work / "state" / Config().session.database)
    return Heard(spoken_reps(out / "speech" / "cues.jsonl"), reps, rows, sets)


def _clips(data: Path) -> list[tuple[str, Path, int]]:
    out = []
    for source in LIVE_SOURCES:
        folder = data / source
        if not (folder / "labels.csv").is_file():
            print(f"  {source}: skipped, no data at {folder}")
            continue
        with (folder / "labels.csv").open(newline="", encoding="utf-8") as fh:
            labelled = {r["file"]: int(r["reps"]) for r in csv.DictReader(fh)}
        names = sorted(p.name for p in folder.glob("*.mp4")) if source == "videos" else labelled
        out += [(source, folder / n, labelled.get(n, 0)) for n in names]
    return out


def eval_live(data: Path, verbose: bool = False) -> dict[str, float]:
    """Play every live clip through the box; print and return what was heard."""
    print("\nlive box: each video through `edge-trainer demo --video` (emulated devices)")
    clips = _clips(data)
    if not clips:
        return {}
    live_models = Path(Config().paths.models_dir)
    groups = fold_map(SHIPPED_CLASSIFIER)
    with tempfile.TemporaryDirectory(prefix="live-eval-") as tmp, ThreadPoolExecutor(2) as pool:
        stores: dict[Path, Path] = {}
        models = []
        for source, path, _ in clips:
            # A clip the shipped classifier was trained on is played with the fold model
            # that never saw its group.
            folder = held_out_classifier(shoot(source, path.name), SHIPPED_CLASSIFIER, groups)
            if folder == SHIPPED_CLASSIFIER:
                models.append(live_models)
                continue
            if folder not in stores:
                dest = Path(tmp) / f"models-{len(stores)}"
                stores[folder] = store_with_classifier(live_models, folder, dest)
            models.append(stores[folder])
        heard = list(
            pool.map(lambda k: play(clips[k][1], models[k], Path(tmp) / str(k)), range(len(clips)))
        )
    rows = []
    for (source, path, true), h in zip(clips, heard, strict=True):
        rows.append(
            (
                abs(h.last_spoken - true) <= 1,
                abs(h.stored - true) <= 1,
                h.restarts,
                max(0, len(h.spoken) - h.stored_rows),
            )
        )
        if verbose or h.error:
            print(
                f"  {source:14s} {path.name[:36]:36s} true {true:3d}  said {h.last_spoken:3d}"
                f"  stored {h.stored:3d} in {h.sets} set(s)  restarts {h.restarts}"
                + (f"  FAILED: {h.error}" if h.error else "")
            )
    said, stored, restarts, missing = (np.asarray(c) for c in zip(*rows, strict=True))
    print(
        f"  {len(rows)} clips: last rep number spoken within +-1 {said.mean():.2f}, stored count "
        f"within +-1 {stored.mean():.2f} (targets >= {TARGET}); clips where the spoken count "
        f"started again {int((restarts > 0).sum())}; spoken reps missing from the store "
        f"{int(missing.sum())}"
    )
    return {
        "live_said_pm1": float(said.mean()),
        "live_stored_pm1": float(stored.mean()),
        "live_restarts": float((restarts > 0).sum()),
        "live_missing": float(missing.sum()),
    }
