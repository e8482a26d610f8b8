"""Member cards read from frames: sim gym scenes and real photos with a card warped in,
and never a card read where there is none (the shared real videos, every frame)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from edge_trainer.members.card import CARD_MODULES, payload
from edge_trainer.members.scan import CardScanner
from edge_trainer.sim.api import frame_renderer
from edge_trainer.sim.card import card_texture
from edge_trainer.sim.spec import random_clip
from tests.members_frames import Image, with_cards

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
IMAGES = DATA / "images"
VIDEOS = DATA / "videos"
MEMBER = "K7Q2M9XA"


def read_rate(frames: list[Image]) -> float:
    scanner = CardScanner()
    return sum(payload(MEMBER) in scanner.scan(f).texts for f in frames) / len(frames)


def sim_backgrounds(size: tuple[int, int], n: int) -> list[Image]:
    """Frames of varied synthetic-gym clips (rooms, people, light) at ``size``."""
    out: list[Image] = []
    seed = 500
    while len(out) < n:
        render, frames, _fps = frame_renderer(random_clip(seed, width=size[0], height=size[1]))
        out.extend(render(i, 0.0) for i in np.linspace(0, frames - 1, 10).astype(int))
        seed += 1
    return out[:n]


@pytest.fixture(scope="module")
def texture() -> Image:
    return card_texture(MEMBER)


@pytest.mark.slow
def test_cards_five_percent_of_a_720p_frame_are_read(texture: Image) -> None:
    backgrounds = sim_backgrounds((1280, 720), 100)
    frames = list(with_cards(backgrounds, texture, 0.05, seed=1))
    assert read_rate(frames) >= 0.95
    # Nothing is read in the same scenes without a card.
    scanner = CardScanner()
    assert not any(scanner.scan(bg).texts for bg in backgrounds)


@pytest.mark.slow
def test_a_card_needs_about_two_pixels_a_module(texture: Image) -> None:
    # At 640x480 a card must be wider: the code needs ~2.1 px a module, 28 modules across.
    backgrounds = sim_backgrounds((640, 480), 60)
    wide = 2.1 * CARD_MODULES / 640
    assert read_rate(list(with_cards(backgrounds, texture, wide, seed=2))) >= 0.95
    assert read_rate(list(with_cards(backgrounds, texture, 0.25, seed=3))) >= 0.95
    assert read_rate(list(with_cards(backgrounds, texture, 0.05, seed=4))) < 0.2  # 1.1 px


@pytest.mark.skipif(not IMAGES.is_dir(), reason=f"shared data not found: {IMAGES}")
def test_cards_warped_into_real_photos_are_read(texture: Image) -> None:
    photos = []
    for path in sorted(IMAGES.iterdir()):
        image = cv2.imread(str(path))
        if image is None:
            continue
        # As a 720p camera would see the scene: 1280 pixels wide.
        scale = 1280 / image.shape[1]
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        photos.append(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    assert photos, "no readable image in the shared images folder"
    frames = list(with_cards(photos * (100 // len(photos)), texture, 0.05, seed=5))
    assert read_rate(frames) >= 0.95
    scanner = CardScanner()
    assert not any(scanner.scan(p).texts for p in photos)


@pytest.mark.slow
@pytest.mark.skipif(not VIDEOS.is_dir(), reason=f"shared data not found: {VIDEOS}")
def test_no_card_is_read_in_the_shared_videos() -> None:
    scanner = CardScanner()
    frames = found = 0
    for path in sorted(VIDEOS.glob("*.mp4")):
        cap = cv2.VideoCapture(str(path))
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            frames += 1
            found += len(scanner.scan(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)).texts)
        cap.release()
    assert frames > 3000
    assert found == 0
