"""The whole box in run mode on a paced clip: rep-to-voice latency, frame rate, drops."""

from __future__ import annotations

import json
import logging
import statistics
import tempfile
import time
from pathlib import Path

from edge_trainer import config
from edge_trainer.app import App
from edge_trainer.sim.api import write_clip
from edge_trainer.sim.spec import ActivitySpec, ClipSpec, SetSpec

TARGET_MS = 300.0


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    models = Path(config.Config().paths.models_dir).resolve()
    with tempfile.TemporaryDirectory(prefix="bench-appliance-") as tmp:
        root = Path(tmp)
        spec = ClipSpec(
            (ActivitySpec("stand", 1.0, 90.0), SetSpec("squat", 8, 90.0)), seed=11, fps=30.0
        )
        write_clip(spec, root / "squats")
        cfg = config.from_dict(
            {
                "paths": {
                    "state_dir": str(root / "state"),
                    "models_dir": str(models),
                    "output_dir": str(root / "out"),
                },
                "speech": {"kind": "wav"},
                "llm": {"enabled": False},
            }
        )
        app = App(cfg, "run", video=root / "squats.mp4")
        started = time.monotonic()
        app.run()
        wall = time.monotonic() - started
        cues = [
            json.loads(line)
            for line in (root / "state" / "speech" / "cues.jsonl").read_text().splitlines()
        ]
    reps = [c for c in cues if c["kind"] == "rep"]
    spoken = [c["start_latency_ms"] for c in reps if c["outcome"] == "spoken"]
    assert app.pipeline is not None and app.frames is not None
    stats = app.pipeline.stats
    print(f"clip: 8 squats from the side, 30 fps, played in real time ({wall:.1f} s wall)")
    print(
        f"frames processed {stats.frames}, dropped {app.frames.dropped} "
        f"({app.frames.dropped / max(1, stats.frames + app.frames.dropped):.0%}), "
        f"pose {stats.pose_ms_per_frame or 0:.1f} ms/frame"
    )
    print(f"rep cues: {len(spoken)} spoken of {len(reps)} ({[c['outcome'] for c in reps]})")
    if spoken:
        p95 = sorted(spoken)[max(0, round(0.95 * len(spoken)) - 1)]
        med = statistics.median(spoken)
        print(
            f"rep's last frame -> voice starts: median {med:.0f} ms, p95 {p95:.0f} ms, "
            f"max {max(spoken):.0f} ms; median / {TARGET_MS:.0f} ms target = "
            f"{med / TARGET_MS:.2f}"
        )


if __name__ == "__main__":
    main()
