"""The project's exceptions: one base class, each subclass also a matching built-in."""


class EdgeTrainerError(Exception):
    """Base of every error edge_trainer raises on purpose.

    The CLI prints these as one line (no traceback unless ``--debug``) and exits 2.
    """


class ConfigError(EdgeTrainerError, ValueError):
    """A configuration file or value is invalid.

    Attributes:
        problems: ``(key path, reason)`` pairs, one per problem found.
    """

    def __init__(self, problems: list[tuple[str, str]], source: str = "config") -> None:
        self.problems = list(problems)
        self.source = source
        lines = "; ".join(f"{path}: {reason}" for path, reason in self.problems)
        super().__init__(f"invalid {source}: {lines}")


class VideoError(EdgeTrainerError, OSError):
    """A video file is missing, unreadable or truncated."""


class CameraError(EdgeTrainerError, OSError):
    """A live camera cannot be opened or stopped delivering frames."""


class ModelError(EdgeTrainerError, ValueError):
    """A model file is missing, corrupt, or not the shape the code expects."""


class InputError(EdgeTrainerError, ValueError):
    """Data given to a command (a landmark file, a frame, an argument) is unusable."""


class DependencyError(EdgeTrainerError, ImportError):
    """An optional package is needed but not installed; the message names the extra."""


class DeviceError(EdgeTrainerError, OSError):
    """A hardware device (display, buttons, speaker) cannot be used."""


def missing_dependency(
    package: str, extra: str | None = None, apt: str | None = None
) -> DependencyError:
    """Build a DependencyError that tells the user exactly what to install.

    Args:
        package: The import name that failed.
        extra: The edge-trainer extra that provides it, if any.
        apt: The Debian package that provides it, if that is the way to get it.
    """
    hints = []
    if extra:
        hints.append(f"pip install 'edge-trainer[{extra}]'")
    if apt:
        hints.append(f"apt install {apt}")
    how = " or ".join(hints) if hints else f"pip install {package}"
    return DependencyError(f"the '{package}' package is not installed; install it with: {how}")
