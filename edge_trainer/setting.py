"""How a setting is declared: its default, its one-line meaning and, for numbers, limits."""

from __future__ import annotations

from dataclasses import field
from typing import Any


def setting(default: Any, doc: str, *, limits: tuple[float, float] | None = None) -> Any:
    """Declare a config field with its default, its one-line documentation and, for a
    number (or a list of numbers), the lowest and highest value it may take."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("use tuples for sequence defaults so the config stays immutable")
    metadata: dict[str, Any] = {"doc": doc}
    if limits is not None:
        metadata["limits"] = limits
    return field(default=default, metadata=metadata)
