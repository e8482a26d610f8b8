"""The classifier's model card: data, method, metrics and confusion matrices, in Markdown."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edge_trainer.exercise.classifier import CLASSES
from edge_trainer.exercise.features import DEFAULT_WINDOW, FEATURE_VERSION, N_FEATURES
from edge_trainer.models.manifest import ModelEntry
from edge_trainer.training.metrics import ClipResult, Confusion

_SOURCE_TEXT = {
    "repcount": "`repcount`: RepCount test-split landmark sequences from "
    "../shared/data/repcount_pose (real people; per-frame min-max normalised by their "
    "source). Windows inside the span of the annotated repetitions only; `pommel_horse` "
    "trained as `rest`. 30 fps assumed.",
    "form_pose": "`form_pose`: Pose Trainer sequences (real people; COCO joints). "
    "`shoulder_shrug` trained as `rest`. 30 fps assumed.",
    "sim": "`sim`: synthetic-gym clips (edge_trainer/sim): one set of an exercise between "
    "non-exercise movement (standing, walking in or out, stretching, picking up, sitting), "
    "or movement only, in front, 45 degree and side views turned either way, 15 fps. "
    "`(pose)` clips were rendered and passed through our own BlazePose stage, so they "
    "carry its real noise; `(truth)` clips use the renderer's exact landmarks.",
    "sim_heldout": "`sim_heldout`: synthetic clips from a seed range never used in "
    "training, through our pose stage; evaluation only.",
    "penn": "`penn`: Penn Action clips from ../shared/data/penn_action (real people, "
    "hand-annotated joints, no face or feet, z = 0). Squat, push-up, pull-up, bench "
    "press, jumping jack and sit-up as themselves; its sports (baseball, bowling, golf, "
    "clean and jerk, jump rope, guitar, tennis) as `rest`. Whole clip, 30 fps assumed.",
    "workouttracker": "`workouttracker`: WorkoutTracker stock-footage clips from "
    "../shared/data/workouttracker through our own BlazePose stage. Push-ups, pull-ups "
    "and squats as themselves; parallel-bar dips as `rest`. Whole clip.",
    "quva": "`quva`: QUVA Repetition clips from ../shared/data/quva through our own "
    "BlazePose stage: repetitive movements outside our list (rope skipping, pommel "
    "horse, keep-ups, upright rows, bikes, hula hoop, dribbling) as `rest`; its lying "
    "triceps extension and bar press as themselves. Whole clip.",
}
# What a model trained on each source is bound by (the data README's terms).
_TERMS = {
    "repcount": "RepCount (Hu et al., CVPR 2022), landmarks by "
    "DanielC-MST/RepCount-Using-Skeleton-Information: no licence stated",
    "penn": "Penn Action (Zhang, Zhu & Derpanis, ICCV 2013): **research use only**",
    "workouttracker": "calimiro-ai/WorkoutTracker: its README says MIT; the repository has "
    "no LICENSE file",
    "quva": "QUVA Repetition (Runia, Snoek & Smeulders, CVPR 2018), as copied in "
    "dylan-plummer/speed-counting: no licence stated",
    "form_pose": "Pose Trainer (stevenzchen/pose-trainer): GPL-3.0",
    "sim": "the project's own synthetic gym: this project's licence",
}


@dataclass(frozen=True)
class Section:
    """One evaluation in the card: a title, how it was done, and its clip results."""

    title: str
    method: str
    results: list[ClipResult]


def _per_class(results: list[ClipResult]) -> str:
    rows = ["| class | clips | right |", "|---|---|---|"]
    for label in CLASSES:
        subset = [r for r in results if r.truth == label]
        if subset:
            right = sum(r.decided == label for r in subset)
            rows.append(f"| {label} | {len(subset)} | {right} |")
    return "\n".join(rows)


def _errors(results: list[ClipResult]) -> str:
    wrong = [r for r in results if r.truth != r.decided]
    if not wrong:
        return "none"
    return ", ".join(f"`{r.name}` {r.truth} -> {r.decided}" for r in wrong)


def _section(sec: Section) -> list[str]:
    conf = Confusion.of(sec.results)
    moment = sum(r.window_acc for r in sec.results) / len(sec.results) if sec.results else 0.0
    return [
        f"### {sec.title}",
        "",
        sec.method,
        "",
        f"Exercise decided right for **{conf.accuracy():.1%}** of {len(sec.results)} clips; "
        f"the live (smoothed) label is right {moment:.1%} of the time on average.",
        "",
        _per_class(sec.results),
        "",
        "Confusion matrix (rows: truth, columns: decided):",
        "",
        conf.markdown(),
        "",
        f"Misrecognised: {_errors(sec.results)}.",
        "",
    ]


def write_card(
    path: Path,
    entry: ModelEntry,
    *,
    counts: dict[str, int],
    sections: list[Section],
) -> None:
    """Write ``MODEL_CARD.md`` for the trained classifier."""
    spec = DEFAULT_WINDOW
    sources = ", ".join(f"{k}: {n} clips" for k, n in counts.items()) or "none"
    lines = [
        "# Exercise classifier",
        "",
        f"`{entry.file}`: {entry.size} bytes, sha256 `{entry.sha256}`, "
        f"feature version {FEATURE_VERSION}.",
        "",
        "## What it does",
        "",
        f"Given {spec.frames} samples at {spec.rate_hz:g} Hz ({spec.duration_s:.2f} s) of pose "
        f"features ({N_FEATURES} per sample: 13 body joints min-max scaled per axis and "
        "centred on the hips, 8 joint angles, torso direction; see "
        "`edge_trainer/exercise/features.py`), it gives the probability of each of "
        f"{len(CLASSES)} classes: {', '.join(CLASSES)}. `rest` means not exercising, or an "
        "exercise it does not know. The runtime averages the four mirror variants of each "
        "window, smooths over time and decides a set's exercise from the whole set "
        "(`edge_trainer/exercise/recognition.py`).",
        "",
        "Full-integer int8 TFLite (int8 input and output), run with LiteRT.",
        "",
        "## Training data",
        "",
        f"Sources: {sources}.",
        "",
    ]
    present = dict.fromkeys(k.split(" ")[0] for k in counts)
    lines += [f"- {_SOURCE_TEXT[k]}" for k in present if k in _SOURCE_TEXT]
    lines += [
        "- Every clip is replayed with augmentation (camera roll, landmark jitter, dropped "
        "joints and frames, 0.75-1.35x speed, random mirroring); still holds of poses taken "
        "from every clip are added as `rest`.",
        "",
        "Terms of each training source (an owner should know what the shipped model learnt "
        "from; sources with research-only or unknown terms are marked so):",
        "",
    ]
    lines += [f"- `{k}`: {_TERMS[k]}" for k in present if k in _TERMS]
    lines += [
        "",
        "The real dev sets are also evaluation sets, so their figures below come from "
        "group-held-out cross-validation: each real clip is judged by a model trained "
        "without any clip of its group (a RepCount `stuN` subject, a WorkoutTracker shoot; "
        "every other clip is its own group); synthetic clips are in every fold's training "
        "set. The shipped model is then trained on all clips, so do not re-measure it on "
        "the real dev clips it was trained on and call that held out. The clips of "
        "../shared/data/videos are never used in training: they are the data set no model "
        "has seen.",
        "",
        "## Results",
        "",
    ]
    for sec in sections:
        lines += _section(sec)
    lines += [
        "## Limits",
        "",
        "- Classes with no real training clips (see the sources above) are learnt from the "
        "synthetic gym only; expect lower accuracy on real people for them.",
        "- The frame rate of the real dev sets is assumed; very slow or very fast reps "
        "outside the augmented speed range may be misread.",
        "- The min-max normalisation discards the body's aspect; a pose is told apart by "
        "where its joints sit relative to each other, so unusual camera angles can confuse "
        "lying and standing exercises.",
        "",
        f"Provenance: {entry.provenance}",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
