"""How well cards are read: by size in sim scenes and real photos, and false reads in videos.

python -m edge_trainer.training.eval_cards [--data ../shared/data] [--videos]
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from edge_trainer.members.card import CARD_MODULES, payload
from edge_trainer.members.scan import CardScanner
from edge_trainer.sim.api import frame_renderer
from edge_trainer.sim.card import Image, card_texture, with_cards
from edge_trainer.sim.spec import random_clip

MEMBER = "K7Q2M9XA"
WIDTHS = (0.035, 0.04, 0.045, 0.05, 0.07, 0.09, 0.10, 0.15, 0.25, 0.5)


def sim_scenes(size: tuple[int, int], n: int, first_seed: int = 500) -> list[Image]:
    """Frames of varied synthetic-gym clips (rooms, people, light) at ``size``."""
    out: list[Image] = []
    seed = first_seed
    while len(out) < n:
        render, frames, _fps = frame_renderer(random_clip(seed, width=size[0], height=size[1]))
        out.extend(render(i, 0.0) for i in np.linspace(0, frames - 1, 10).astype(int))
        seed += 1
    return out[:n]


def photos(folder: Path, width: int) -> list[Image]:
    """The real photos in ``folder``, RGB, scaled to ``width`` pixels wide."""
    out: list[Image] = []
    for path in sorted(folder.iterdir()):
        image = cv2.imread(str(path))
        if image is None:
            continue
        scale = width / image.shape[1]
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        out.append(np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), np.uint8))
    return out


def read_rate(frames: Iterable[Image], scanner: CardScanner) -> tuple[int, int]:
    """``(frames read, frames)``."""
    read = total = 0
    for frame in frames:
        total += 1
        read += payload(MEMBER) in scanner.scan(frame).texts
    return read, total


def video_false_reads(folder: Path, scanner: CardScanner) -> tuple[int, int]:
    """``(cards read, frames)`` over every frame of every video in ``folder``."""
    found = frames = 0
    for path in sorted(folder.glob("*.mp4")):
        cap = cv2.VideoCapture(str(path))
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            frames += 1
            rgb = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), np.uint8)
            found += len(scanner.scan(rgb).texts)
        cap.release()
    return found, frames


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--frames", type=int, default=100, help="frames per condition")
    parser.add_argument("--videos", action="store_true", help="also scan every video frame")
    args = parser.parse_args()
    scanner = CardScanner()
    texture = card_texture(MEMBER)
    sources = {
        f"sim {w}x{h}": sim_scenes((w, h), args.frames) for w, h in ((640, 480), (1280, 720))
    }
    if (args.data / "images").is_dir():
        pics = photos(args.data / "images", 1280)
        sources["photos 1280 wide"] = (pics * args.frames)[: args.frames]
    print("card width (% of frame; px a module) -> frames read")
    for name, scenes in sources.items():
        width = scenes[0].shape[1]
        cells = []
        for i, frac in enumerate(WIDTHS):
            read, total = read_rate(with_cards(scenes, texture, frac, seed=i), scanner)
            cells.append(f"{frac:.1%} ({frac * width / CARD_MODULES:.1f}): {read}/{total}")
        print(f"  {name}: " + ", ".join(cells))
    if args.videos and (args.data / "videos").is_dir():
        found, frames = video_false_reads(args.data / "videos", scanner)
        print(f"shared videos: {found} card(s) read in {frames} frames without a card")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
