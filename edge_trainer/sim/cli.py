"""``edge-trainer sim``: render synthetic exercise clips with ground-truth sidecars."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from edge_trainer.errors import InputError


def register(sub: Any) -> None:
    """Add the ``sim`` subcommand."""
    p = sub.add_parser(
        "sim",
        help="render a synthetic exercise clip (mp4 + .truth.json)",
        description=(
            "Render a mannequin doing an exercise, or a whole workout, with exact ground "
            "truth. Examples: 'edge-trainer sim --exercise squat --reps 8 --view side "
            "--faults shallow@3,5 --seed 1 -o clip.mp4'; 'edge-trainer sim workout -o w.mp4'."
        ),
    )
    p.add_argument(
        "mode",
        nargs="?",
        default="clip",
        choices=("clip", "workout", "demo", "sheet", "list"),
        help="clip: one set (default); workout: walk in, squats, rest, push-ups, walk out; "
        "demo: the built-in demo clip; sheet: a PNG of every exercise from 3 views; "
        "list: exercises and fault codes",
    )
    p.add_argument(
        "-o", "--output", type=Path, help="output path; writes PATH.mp4 and PATH.truth.json"
    )
    p.add_argument("--exercise", help="exercise name (see 'edge-trainer sim list')")
    p.add_argument("--reps", type=int, default=8, help="repetitions (default 8)")
    p.add_argument("--view", default="front", help="front, 45, side, or degrees (default front)")
    p.add_argument(
        "--faults",
        action="append",
        default=[],
        metavar="FAULT@REPS",
        help="form fault on some reps, e.g. shallow@3,5 (repeatable)",
    )
    p.add_argument("--variant", default="", help="exercise variant, e.g. hammer for bicep_curl")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--tempo", type=float, default=1.0, help="speed factor (default 1.0)")
    p.add_argument("--width", type=int, default=640)
    p.add_argument("--height", type=int, default=480)
    p.add_argument("--fps", type=float, default=30.0)
    p.add_argument("--camera-height", type=float, help="lens height in metres (default: random)")
    p.add_argument(
        "--distance", type=float, default=1.0,
        help="camera distance as a multiple of the tightest framing (default 1.0)",
    )  # fmt: skip
    p.add_argument("--background", default="gym", choices=("plain", "gradient", "gym"))
    p.add_argument("--noise", type=float, default=2.0, help="sensor noise sigma (default 2)")
    p.add_argument("--blur", action="store_true", help="motion blur")
    p.add_argument("--second-person", action="store_true", help="someone walks past behind")
    p.add_argument("--occluder", action="store_true", help="a box in the foreground")
    p.set_defaults(func=cmd_sim)


def cmd_sim(args: argparse.Namespace) -> int:
    """Run ``edge-trainer sim``."""
    from edge_trainer import sim

    if args.mode == "list":
        print("exercises: " + ", ".join(sim.exercises()))
        for code, text in sim.fault_lines():
            print(f"  {code}: {text}")
        return 0
    if args.output is None:
        raise InputError("give an output path with -o PATH (writes PATH.mp4 + PATH.truth.json)")
    if args.mode == "sheet":
        from edge_trainer.sim.sheet import contact_sheet

        print(contact_sheet(args.output, seed=args.seed))
        return 0
    options: dict[str, Any] = {
        "width": args.width,
        "height": args.height,
        "fps": args.fps,
        "camera_height": args.camera_height,
        "distance_scale": args.distance,
        "background": args.background,
        "noise": args.noise,
        "blur": args.blur,
        "second_person": args.second_person,
        "occluder": args.occluder,
    }
    if args.mode == "demo":
        import shutil

        cached = sim.demo_clip(args.output.parent if args.output.suffix else args.output)
        print(cached)
        if args.output.suffix:
            video, truth_path = sim.clip_paths(args.output)
            shutil.copyfile(cached, video)
            shutil.copyfile(sim.clip_paths(cached)[1], truth_path)
        return 0
    if args.mode == "workout":
        spec = sim.workout(args.seed, **options)
    else:
        if not args.exercise:
            raise InputError("give --exercise (one of: " + ", ".join(sim.exercises()) + ")")
        if args.exercise not in sim.exercises():
            raise InputError(
                f"unknown exercise '{args.exercise}'; known: {', '.join(sim.exercises())}"
            )
        faults = sim.parse_faults(args.exercise, args.faults)
        spec = sim.single_set(
            args.exercise, args.reps, args.view, faults=faults, seed=args.seed,
            variant=args.variant, tempo=args.tempo, **options,
        )  # fmt: skip
    truth = sim.write_clip(spec, args.output)
    video, truth_path = sim.clip_paths(args.output)
    print(
        f"{video}: {truth.frames} frames, {truth.frames / truth.fps:.1f} s, {truth.rep_count} reps"
    )
    for st in truth.sets:
        marks = [f"{r.index}:{'+'.join(r.faults)}" for r in st.reps if r.faults]
        print(f"  {st.exercise}: frames {st.start_frame}-{st.end_frame}, {len(st.reps)} reps"
              + (f", faults {', '.join(marks)}" if marks else ""))  # fmt: skip
    print(f"{truth_path}")
    return 0
