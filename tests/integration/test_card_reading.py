"""Member cards read from frames: sim gym scenes and real photos with a card warped in,
and never a card read where there is none (the shared real videos, every frame)."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge_trainer.members.card import CARD_MODULES
from edge_trainer.members.scan import CardScanner
from edge_trainer.sim.card import Image, card_texture, with_cards
from edge_trainer.training import eval_cards as evaluate

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
IMAGES = DATA / "images"
VIDEOS = DATA / "videos"
MEMBER = evaluate.MEMBER


def read_rate(frames: list[Image]) -> float:
    read, total = evaluate.read_rate(frames, CardScanner())
    return read / total


@pytest.fixture(scope="module")
def texture() -> Image:
    return card_texture(MEMBER)


@pytest.mark.slow
def test_cards_five_percent_of_a_720p_frame_are_read(texture: Image) -> None:
    backgrounds = evaluate.sim_scenes((1280, 720), 100)
    frames = list(with_cards(backgrounds, texture, 0.05, seed=1))
    assert read_rate(frames) >= 0.95
    # Nothing is read in the same scenes without a card.
    scanner = CardScanner()
    assert not any(scanner.scan(bg).texts for bg in backgrounds)


@pytest.mark.slow
def test_a_card_needs_about_two_pixels_a_module(texture: Image) -> None:
    # At 640x480 a card must be wider: the code needs ~2.1 px a module, 28 modules across.
    backgrounds = evaluate.sim_scenes((640, 480), 60)
    wide = 2.1 * CARD_MODULES / 640
    assert read_rate(list(with_cards(backgrounds, texture, wide, seed=2))) >= 0.95
    assert read_rate(list(with_cards(backgrounds, texture, 0.25, seed=3))) >= 0.95
    assert read_rate(list(with_cards(backgrounds, texture, 0.05, seed=4))) < 0.2  # 1.1 px


@pytest.mark.skipif(not IMAGES.is_dir(), reason=f"shared data not found: {IMAGES}")
def test_cards_warped_into_real_photos_are_read(texture: Image) -> None:
    photos = evaluate.photos(IMAGES, 1280)  # as a 720p camera would see the scene
    assert photos, "no readable image in the shared images folder"
    frames = list(with_cards(photos * (100 // len(photos)), texture, 0.05, seed=5))
    assert read_rate(frames) >= 0.95
    scanner = CardScanner()
    assert not any(scanner.scan(p).texts for p in photos)


@pytest.mark.slow
@pytest.mark.skipif(not VIDEOS.is_dir(), reason=f"shared data not found: {VIDEOS}")
def test_no_card_is_read_in_the_shared_videos() -> None:
    found, frames = evaluate.video_false_reads(VIDEOS, CardScanner())
    assert frames > 3000
    assert found == 0
