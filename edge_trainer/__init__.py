"""edge_trainer: an AI personal trainer that runs entirely on a Raspberry Pi."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("edge-trainer")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
