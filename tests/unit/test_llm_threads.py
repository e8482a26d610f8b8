"""The LLM worker's llama.cpp threads: the cores the frame path leaves free."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge_trainer import config
from edge_trainer.coach.llm_process import WorkerSpec, free_cores


@pytest.mark.parametrize(
    ("cores", "frame_threads", "free"), [(2, 2, 1), (2, 1, 1), (4, 2, 2), (4, 1, 3), (1, 2, 1)]
)
def test_free_cores(cores: int, frame_threads: int, free: int) -> None:
    assert free_cores(frame_threads, cores) == free


def test_threads_zero_means_the_free_cores_and_a_number_is_kept() -> None:
    auto = WorkerSpec.from_config(config.LlmConfig(), Path("m.gguf"), frame_threads=2)
    assert auto.threads == free_cores(2)
    fixed = WorkerSpec.from_config(config.LlmConfig(threads=3), Path("m.gguf"), frame_threads=2)
    assert fixed.threads == 3


def test_negative_threads_are_refused() -> None:
    with pytest.raises(config.ConfigError, match=r"llm\.threads"):
        config.from_dict({"llm": {"threads": -1}})
