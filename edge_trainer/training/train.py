"""Train the exercise classifier and write it, its manifest and its model card: ``make train``.

Usage: ``python -m edge_trainer.training.train [--out models/classifier] [--seed N] ...``
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from edge_trainer.exercise.classifier import CLASSES
from edge_trainer.exercise.features import DEFAULT_WINDOW, FEATURE_VERSION, N_FEATURES
from edge_trainer.models.manifest import Manifest, TensorSpec, write_manifest
from edge_trainer.models.store import entry_for
from edge_trainer.training.card import Section, write_card
from edge_trainer.training.data import (
    DEFAULT_DATA_DIR,
    Clip,
    load_form_pose,
    load_repcount,
)
from edge_trainer.training.dataset import build_windows
from edge_trainer.training.folds import (
    FOLDS_DIR,
    assign_folds,
    fold_folder,
    read_groups,
    write_groups,
)
from edge_trainer.training.metrics import ClipResult, Confusion, evaluate_clips
from edge_trainer.training.model import to_int8_tflite, train_model
from edge_trainer.training.real_sources import EXTRA_SOURCES, load_real

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
MODEL_FILE = "exercise_classifier.tflite"
# Real sources: cross-validated by group, and boosted in training (``build_windows``).
REAL_SOURCES = ("repcount", "form_pose", *EXTRA_SOURCES)


@dataclass(frozen=True)
class Options:
    """What to train on and how (see ``parse`` for each option's meaning)."""

    out: Path
    data_dir: Path
    cache_dir: Path
    pose_models: Path
    seed: int
    epochs: int
    copies: int
    folds: int
    sim_per_view: int
    pose_per_view: int
    heldout_per_view: int
    card_only: bool
    sources: tuple[str, ...]
    eval_cache: Path


def parse(argv: list[str] | None) -> Options:
    """Options from the command line."""
    p = argparse.ArgumentParser(prog="python -m edge_trainer.training.train", description=__doc__)
    p.add_argument("--out", type=Path, default=REPO / "models" / "classifier")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="shared real data")
    p.add_argument("--cache-dir", type=Path, default=REPO / "var" / "cache" / "classifier")
    p.add_argument(
        "--pose-models", type=Path, default=REPO / "var" / "models",
        help="model store with the BlazePose models (landmarks of synthetic clips)",
    )  # fmt: skip
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--copies", type=int, default=3, help="augmented replays per clip")
    p.add_argument(
        "--folds", type=int, default=4,
        help="group-held-out cross-validation folds on real clips (0: skip)",
    )  # fmt: skip
    p.add_argument(
        "--sim-per-view", type=int, default=2,
        help="synthetic clips per exercise and view, per exact-landmark seed",
    )  # fmt: skip
    p.add_argument(
        "--pose-per-view", type=int, default=1,
        help="synthetic clips per exercise and view through the pose stage (slow)",
    )  # fmt: skip
    p.add_argument(
        "--card-only", action="store_true",
        help="judge the models already in --out (and its folds) again and rewrite the card",
    )  # fmt: skip
    p.add_argument(
        "--heldout-per-view", type=int, default=1,
        help="held-out synthetic clips per exercise and view, for the card (0: none; slow)",
    )  # fmt: skip
    p.add_argument(
        "--sources", default="repcount,penn,workouttracker,quva,sim",
        help="comma list of repcount, penn, workouttracker, quva, form_pose, sim",
    )  # fmt: skip
    p.add_argument(
        "--eval-cache", type=Path, default=REPO / "var" / "eval-cache",
        help="landmarks of the real video sets (make eval's cache; filled when missing)",
    )  # fmt: skip
    a = p.parse_args(argv)
    return Options(
        out=a.out, data_dir=a.data_dir, cache_dir=a.cache_dir, pose_models=a.pose_models,
        seed=a.seed, epochs=a.epochs, copies=a.copies, folds=a.folds,
        sim_per_view=a.sim_per_view,
        pose_per_view=a.pose_per_view,
        heldout_per_view=a.heldout_per_view,
        card_only=a.card_only,
        sources=tuple(s.strip() for s in a.sources.split(",") if s.strip()),
        eval_cache=a.eval_cache,
    )  # fmt: skip


def load_sources(opts: Options) -> dict[str, list[Clip]]:
    """Clips per source; a source whose data is absent is reported and left empty.

    Synthetic clips: landmarks from our pose stage for ``seed`` (and, held out, for the
    held-out seed range), plus the renderer's exact landmarks for two more sets of clips
    (``seed`` and ``seed + 1`` drawn with ``sim_per_view``) for variety. Without pose
    models, exact landmarks replace the pose stage's, and the log says so.
    """
    found: dict[str, list[Clip]] = {}
    if "repcount" in opts.sources:
        found["repcount"] = load_repcount(opts.data_dir / "repcount_pose")
    if "form_pose" in opts.sources:
        found["form_pose"] = load_form_pose(opts.data_dir / "form_pose")
    wanted = tuple(s for s in opts.sources if s in EXTRA_SOURCES)
    found.update(load_real(opts.data_dir, opts.eval_cache, wanted, opts.pose_models))
    if "sim" in opts.sources:
        from edge_trainer.training.simdata import sim_clips

        sim = opts.cache_dir / "sim"
        mode = "pose"
        if not (opts.pose_models / "current").exists():
            log.warning(
                "no pose models in %s ('edge-trainer models fetch-pose'); synthetic clips "
                "use the renderer's exact landmarks instead of our pose stage's",
                opts.pose_models,
            )
            mode = "truth"
        per = opts.sim_per_view
        found["sim"] = (
            sim_clips(
                sim, opts.seed, mode=mode, per_view=opts.pose_per_view,
                models_dir=opts.pose_models,
            )
            + sim_clips(sim, opts.seed, mode="truth", per_view=per)
            + sim_clips(sim, opts.seed + 1, mode="truth", per_view=per)
        )  # fmt: skip
        if opts.heldout_per_view > 0:
            found["sim_heldout"] = sim_clips(
                opts.cache_dir / "sim_heldout", opts.seed, mode=mode,
                per_view=opts.heldout_per_view, heldout=True, models_dir=opts.pose_models,
            )  # fmt: skip
    for name, clips in found.items():
        log.info("source %s: %d clips", name, len(clips))
    return found


def fit_and_export(clips: list[Clip], opts: Options, path: Path, seed: int) -> int:
    """Build windows, train, convert to int8 TFLite at ``path``; returns the file size."""
    ws = build_windows(clips, seed=seed, copies=opts.copies)
    model = train_model(ws.x, ws.y, len(CLASSES), seed=seed, epochs=opts.epochs)
    rep = ws.x[np.random.default_rng(seed).permutation(len(ws.x))[:400]]
    return to_int8_tflite(model, rep, path)


def cross_validate(real: list[Clip], other: list[Clip], opts: Options) -> list[ClipResult]:
    """Group-held-out K-fold over the real clips: each is judged by a model that never saw
    its group (synthetic clips are always in training).

    Each fold's model is kept under ``folds/`` in the output with the fold map, so
    ``make eval`` can name and count the real clips through classifiers that never saw them.
    """
    fold_of = assign_folds((c.group for c in real), opts.folds, opts.seed)
    for k in range(opts.folds):
        test = [c for c in real if fold_of[c.group] == k]
        train = [c for c in real if fold_of[c.group] != k] + other
        if not test:
            continue
        log.info(
            "fold %d/%d: %d test clips, %d training clips", k + 1, opts.folds, len(test), len(train)
        )
        folder = fold_folder(opts.out, k)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / MODEL_FILE
        fit_and_export(train, opts, path, opts.seed + k)
        held = sorted({c.group for c in test})
        provenance = (
            f"{_made_by(opts, opts.seed + k)}: fold {k + 1} of {opts.folds}, trained without "
            f"{', '.join(held)}"
        )
        write_manifest(folder, _manifest(path, f"{_model_id(opts)}-fold{k}", provenance))
    write_groups(opts.out, fold_of, opts.seed)
    return judge_folds(real, opts)


def judge_folds(real: list[Clip], opts: Options) -> list[ClipResult]:
    """Each real clip judged by the fold model in ``opts.out`` that never saw its group
    (just trained, or kept from a run before ``--card-only``); a clip of a group no fold
    held out is left out."""
    fold_of = read_groups(opts.out)
    results: list[ClipResult] = []
    for k in sorted(set(fold_of.values())):
        test = [c for c in real if fold_of.get(c.group) == k]
        if test:
            results += evaluate_clips(fold_folder(opts.out, k) / MODEL_FILE, test)
    return results


def held_out_sections(results: list[ClipResult]) -> list[Section]:
    """The card's cross-validation results, one section per real source."""
    method = (
        "Each clip judged by a model trained without any clip of its group (the fold models "
        "are kept in `folds/`; `make eval` names and counts the real clips through them). "
        "A clip is decided as one set over the whole clip."
    )
    by_source: dict[str, list[ClipResult]] = {}
    for r in results:
        by_source.setdefault(r.name.split("/")[0], []).append(r)
    return [
        Section(f"Real clips held out: {source}", method, found)
        for source, found in by_source.items()
    ]


def main(argv: list[str] | None = None) -> int:
    """Train, evaluate and write the model, manifest and card; returns an exit code."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    opts = parse(argv)
    started = time.monotonic()
    sources = load_sources(opts)
    real = [c for name in REAL_SOURCES for c in sources.get(name, [])]
    synthetic = sources.get("sim", [])
    if not real and not synthetic:
        print("no training data found (shared data and synthetic gym both absent)", file=sys.stderr)
        return 2
    sections: list[Section] = []
    model_path = opts.out / MODEL_FILE
    if opts.card_only:
        if not model_path.is_file():
            print(f"no model at {model_path} to judge (--card-only)", file=sys.stderr)
            return 2
        sections += held_out_sections(judge_folds(real, opts))
        size = model_path.stat().st_size
    else:
        # Fold models of an earlier run would no longer match the model trained now.
        shutil.rmtree(opts.out / FOLDS_DIR, ignore_errors=True)
        if opts.folds > 1 and real:
            sections += held_out_sections(cross_validate(real, synthetic, opts))
        opts.out.mkdir(parents=True, exist_ok=True)
        size = fit_and_export(real + synthetic, opts, model_path, opts.seed)
    videos = (
        load_real(opts.data_dir, opts.eval_cache, ("videos",), opts.pose_models).get("videos", [])
        if (opts.pose_models / "current").exists()
        else []
    )
    if videos:
        sections.append(Section(
            "Real videos through our pose stage (never used in training)",
            "../shared/data/videos: each whole clip (title cards and walking included) "
            "decided as one set; the two no-exercise clips should come out `rest`.",
            evaluate_clips(model_path, videos),
        ))  # fmt: skip
    if sources.get("sim_heldout"):
        sections.append(Section(
            "Held-out synthetic clips (seeds never used in training)",
            "Each clip's exercise span and its non-exercise spans judged separately.",
            evaluate_clips(model_path, sources["sim_heldout"]),
        ))  # fmt: skip
    write_outputs(opts, model_path, sources, sections)
    for sec in sections:
        conf = Confusion.of(sec.results)
        log.info("%s: %.1f%% of %d clips", sec.title, 100 * conf.accuracy(), len(sec.results))
    log.info("done in %.0f s: %s (%d bytes)", time.monotonic() - started, model_path, size)
    return 0


def write_outputs(
    opts: Options, model_path: Path, sources: dict[str, list[Clip]], sections: list[Section]
) -> None:
    """The manifest, labels and model card next to the model."""
    counts: dict[str, int] = {}
    for source, clips in sources.items():
        for name in {c.name.split(":")[0] for c in clips}:
            # Synthetic clips are named sim/<mode>-<key>: count pose-stage and exact apart.
            key = f"{source} ({name.split('/')[1].split('-')[0]})" if "sim" in source else source
            counts[key] = counts.get(key, 0) + 1
    provenance = (
        f"{_made_by(opts, opts.seed)} sources={','.join(f'{k}:{n}' for k, n in counts.items())}"
    )
    manifest = _manifest(model_path, _model_id(opts), provenance)
    write_manifest(opts.out, manifest)
    (opts.out / "labels.txt").write_text("\n".join(CLASSES) + "\n", encoding="utf-8")
    entry = manifest.models["classifier"]
    write_card(opts.out / "MODEL_CARD.md", entry, counts=counts, sections=sections)


def _made_by(opts: Options, seed: int) -> str:
    """The command and settings that trained a model, for its provenance."""
    return f"edge_trainer.training.train seed={seed} epochs={opts.epochs} copies={opts.copies}"


def _model_id(opts: Options) -> str:
    return f"classifier-fv{FEATURE_VERSION}-seed{opts.seed}"


def _manifest(model_path: Path, model_id: str, provenance: str) -> Manifest:
    """The manifest of a classifier folder holding the model at ``model_path``."""
    entry = entry_for(
        model_path, "classifier",
        inputs=(TensorSpec((1, DEFAULT_WINDOW.frames, N_FEATURES), "int8", "features"),),
        outputs=(TensorSpec((1, len(CLASSES)), "int8", "probs"),),
        labels=CLASSES, feature_version=FEATURE_VERSION, provenance=provenance,
    )  # fmt: skip
    return Manifest(
        id=model_id,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        models={"classifier": entry},
        provenance=provenance,
    )


if __name__ == "__main__":
    raise SystemExit(main())
