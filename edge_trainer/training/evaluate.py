"""``make eval``: counting, the live box, recognition and form on the shared real data.

Every figure that depends on anything tuned is held out first and in-sample second:

- ``counting``: RepCount, the videos, WorkoutTracker, QUVA and the synthetic gym, counted
  as ``edge-trainer analyze`` counts them with knobs chosen without the clip's fold
  (``eval_counting``).
- ``live``: the real videos played through the whole emulated box (``eval_live``): what
  it said and what it stored.
- ``form``: "any fault in the clip" against Pose Trainer's good/bad label, each rule's
  limit chosen without the clip's fold (``eval_form``).
- ``sim``: synthetic-gym sets on their exact landmarks: injected-fault recall/precision
  where the view allows the rule.

Data is read in place from ``../shared/data`` (or ``--data``); a missing folder is
reported and skipped. Video landmarks are cached (``--cache``) so reruns are quick.
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from edge_trainer.config import Config, ExerciseConfig
from edge_trainer.exercise.counting import CounterParams
from edge_trainer.exercise.offline import analyze_rows, offline
from edge_trainer.training.eval_models import SHIPPED_CLASSIFIER, store_or_shipped

log = logging.getLogger(__name__)

DEFAULT_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _labels(folder: Path) -> list[dict[str, str]]:
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _has_pose(rows: npt.NDArray[np.float64]) -> bool:
    """Whether any frame has a landmark (a clip with none is counted 0 reps)."""
    return bool(np.isfinite(rows[..., :2]).any())


def _count(
    rows: npt.NDArray[np.float64], fps: float, cfg: ExerciseConfig, recognizer: Any = None
) -> tuple[int, Any]:
    if not _has_pose(rows):
        return 0, []
    if recognizer is not None:
        recognizer.reset()
    sets, _ = analyze_rows(rows, fps, cfg, recognizer)
    return sum(s.rep_count for s in sets), sets


def _named(sets: Any) -> str:
    """The exercise of the set with the most reps (``-`` when none was counted)."""
    return max(sets, key=lambda s: s.rep_count).exercise if sets else "-"


def _recognizer(models_dir: Path) -> Any:
    return store_or_shipped(models_dir, SHIPPED_CLASSIFIER)


SIM_SEED = 900_000  # far from the seeds the classifier's training clips use
SIM_VIEWS = (("front", 0.0), ("45", 45.0), ("side", 90.0))


def eval_sim(verbose: bool) -> dict[str, float]:
    """Synthetic-gym sets on their ground-truth landmarks: counts, names and faults.

    Every exercise from every view, six reps with a fault injected on reps 2 and 5;
    counted with the exercise given, then named by the classifier with none given.
    The landmarks are the sim's exact ones (no pose-model noise): this checks the
    counter and the rules' geometry; fault recall and precision count only the rules
    whose views include the clip's view.
    """
    from edge_trainer import sim
    from edge_trainer.exercise import form
    from edge_trainer.sim.faults import faults_for

    recognizer = _recognizer(Path(Config().paths.models_dir))
    exact: list[bool] = []
    named: list[bool] = []
    tp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    print("\nsim: synthetic gym, ground-truth landmarks, exercise given (6 reps per clip)")
    for k, exercise in enumerate(sim.exercises()):
        codes = faults_for(exercise)
        injected = tuple((r, codes[i % len(codes)]) for i, r in enumerate((2, 5))) if codes else ()
        row_out = []
        for j, (view, deg) in enumerate(SIM_VIEWS):
            spec = sim.single_set(exercise, 6, deg, faults=injected, seed=SIM_SEED + 3 * k + j)
            _, truth = sim.render_clip(spec)
            rows = truth.landmark_array().astype(np.float64)
            sets, _ = analyze_rows(rows, truth.fps, offline(ExerciseConfig(exercise=exercise)))
            got = [r for s in sets for r in s.reps]
            true_reps = [r for s in truth.sets for r in s.reps]
            exact.append(len(got) == len(true_reps))
            judged = {r.code for r in form.rules_for(exercise) if view in r.views}
            for rep in true_reps:
                a, b = rep.start_frame / truth.fps, rep.end_frame / truth.fps
                match = [g for g in got if g.start_s < b and a < g.end_s]
                found = set(match[0].faults) if match else set()
                for code in judged:
                    want = code in rep.faults
                    if want and code in found:
                        tp[code] += 1
                    elif want:
                        fn[code] += 1
                    elif code in found:
                        fp[code] += 1
            seen = "-"
            if recognizer is not None:
                _, auto = _count(rows, truth.fps, offline(ExerciseConfig()), recognizer)
                seen = _named(auto)
                named.append(seen == exercise)
            mark = "" if seen == exercise else f" ({seen})"
            row_out.append(f"{view} {len(got)}/{len(true_reps)}{mark}")
        if verbose:
            print(f"  {exercise:16s} " + "  ".join(row_out))
    print(f"  exact rep count: {np.mean(exact):.2f} of {len(exact)} clips")
    if named:
        print(f"  exercise named right with none given: {np.mean(named):.2f} of {len(named)} "
              "clips (a wrong name in brackets above; target >= 0.97)")  # fmt: skip
    print(f"  {'fault':28s} {'recall':>6s} {'precision':>9s}")
    codes_seen = sorted(set(tp) | set(fn) | set(fp))
    for code in codes_seen:
        rec = tp[code] / max(tp[code] + fn[code], 1) if tp[code] + fn[code] else float("nan")
        prec = tp[code] / max(tp[code] + fp[code], 1) if tp[code] + fp[code] else float("nan")
        print(f"  {code:28s} {rec:6.2f} {prec:9.2f}")
    all_tp, all_fn, all_fp = sum(tp.values()), sum(fn.values()), sum(fp.values())
    recall = all_tp / max(all_tp + all_fn, 1)
    precision = all_tp / max(all_tp + all_fp, 1)
    print(f"  all injected faults: recall {recall:.2f}, precision {precision:.2f} (target >= 0.9)")
    out = {"sim_exact": float(np.mean(exact)), "sim_recall": recall, "sim_precision": precision}
    if named:
        out["sim_named"] = float(np.mean(named))
    return out


SECTIONS = ("counting", "naming", "live", "form", "sim", "llm")


def main(argv: list[str] | None = None) -> int:
    """Run the evaluations and print their tables."""
    p = argparse.ArgumentParser(prog="python -m edge_trainer.training.evaluate")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    p.add_argument("--cache", type=Path, default=Path("var/eval-cache"), help="landmark cache")
    p.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    p.add_argument("-v", "--verbose", action="store_true", help="print every clip")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    wanted = set(args.only.split(","))
    unknown = wanted - set(SECTIONS)
    if unknown:
        names = ", ".join(sorted(unknown))
        p.error(f"unknown section(s) {names}; choose from {', '.join(SECTIONS)}")
    cfg = Config()
    results: dict[str, float] = {}
    if wanted & {"counting", "naming"}:
        from edge_trainer.training.eval_counting import COUNTED, eval_counting
        from edge_trainer.training.eval_data import load_all, video_rows
        from edge_trainer.training.eval_jobs import Job, run_all
        from edge_trainer.training.eval_models import fold_map, held_out_classifier
        from edge_trainer.training.eval_recognition import eval_recognition

        data = load_all(
            args.data,
            lambda path: video_rows(path, args.cache, cfg),
            (*COUNTED, "penn"),
            args.cache,
        )
        figures, held = eval_counting(data, SHIPPED_CLASSIFIER, args.verbose)
        results.update(figures)
        if "naming" in wanted:
            penn = data.get("penn", [])
            knobs = CounterParams()
            groups = fold_map(SHIPPED_CLASSIFIER)
            jobs = [
                Job(c, knobs, classifier=held_out_classifier(c.group, SHIPPED_CLASSIFIER, groups))
                for c in penn
            ]
            held += zip(penn, run_all(jobs), strict=True)
            named = [(c, o) for c, o in held if c.source != "sim"]
            results.update(
                eval_recognition([c for c, _ in named], [o for _, o in named], args.verbose)
            )
    if "live" in wanted:
        from edge_trainer.training.eval_live import eval_live

        results.update(eval_live(args.data, args.verbose))
    if "form" in wanted:
        folder = args.data / "form_pose"
        if (folder / "labels.csv").is_file():
            from edge_trainer.training.eval_form import eval_form

            results.update(eval_form(folder, args.verbose))
        else:
            print(f"\nform: skipped, no data at {folder}")
    if "sim" in wanted:
        results.update(eval_sim(args.verbose))
    if "llm" in wanted:
        from edge_trainer.coach import evaluate_llm

        results.update(evaluate_llm.run(args.verbose))
    print(f"\nevaluated in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
