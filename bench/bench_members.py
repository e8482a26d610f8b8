"""Card scanning cost: per frame averaged over the demo session, and per scan by frame size."""

from __future__ import annotations

import logging
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from edge_trainer import config
from edge_trainer.app import App
from edge_trainer.commands import register_demo_member
from edge_trainer.members.scan import CardScanner
from edge_trainer.sim.card import card_texture, with_cards
from edge_trainer.training.eval_cards import MEMBER, sim_scenes

TARGET_MS = 1.0  # scanning CPU per frame, averaged over a session


def _per_scan_ms(frames: list[np.ndarray], scanner: CardScanner, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        for frame in frames:
            started = time.thread_time()
            scanner.scan(frame)
            times.append((time.thread_time() - started) * 1000.0)
    return statistics.median(times)


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    models = Path(config.Config().paths.models_dir).resolve()
    with tempfile.TemporaryDirectory(prefix="bench-members-") as tmp:
        root = Path(tmp)
        base = config.Config()
        cfg = config.replace(
            base,
            paths=config.replace(
                base.paths,
                state_dir=str(root / "state"),
                models_dir=str(models),
                output_dir=str(root / "out"),
            ),
            llm=config.replace(base.llm, enabled=False),  # the LLM's CPU is not measured here
        )
        register_demo_member(cfg)
        # The demo workout (card held up, squats, rest, push-ups) frame by frame.
        app = App(cfg, "demo")
        app.run()
    reader = app.card_reader
    assert reader is not None and app.pipeline is not None and app.outputs is not None
    pose_ms = app.pipeline.stats.pose_ms_per_frame or 0.0
    per_frame = reader.cpu_ms_per_frame
    print(
        f"demo session: {reader.frames} frames, {reader.scans} scans (every "
        f"{reader.every}th frame outside sets), signed in: "
        f"{', '.join(g.name for g in app.outputs.greetings) or 'nobody'}"
    )
    print(
        f"card scanning {per_frame:.3f} ms/frame averaged over the session "
        f"({1000 * reader.scan_cpu_s / max(1, reader.scans):.1f} ms a scan); "
        f"/ {TARGET_MS:.0f} ms target = {per_frame / TARGET_MS:.2f}; "
        f"same-run pose {pose_ms:.1f} ms/frame, scanning / pose = {per_frame / pose_ms:.3f}"
    )
    scanner = CardScanner()
    texture = card_texture(MEMBER)
    for size in ((640, 480), (1280, 720)):
        scenes = sim_scenes(size, 20)
        empty = _per_scan_ms(scenes, scanner)
        carded = _per_scan_ms(list(with_cards(scenes, texture, 0.15, seed=1)), scanner)
        print(
            f"one scan at {size[0]}x{size[1]}: {empty:.1f} ms without a card, "
            f"{carded:.1f} ms reading one (median, CPU time)"
        )


if __name__ == "__main__":
    main()
