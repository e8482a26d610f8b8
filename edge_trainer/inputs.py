"""Checks on what a command is given, made before any work starts: files, arrays, rates, videos.

Each check raises ``InputError`` with one line that names the input and what is wrong,
so a fifo never blocks, a device is never read, and a forged array header never
allocates gigabytes.
"""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from edge_trainer.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MIN_FPS = 1.0
MAX_FPS = 240.0
MAX_NPY_BYTES = 2 * 2**30  # a landmark array this big is hours of video; refuse it
MAX_VIDEO_BYTES = 16 * 2**30
# Signatures of still-image formats OpenCV or FFmpeg would read as a one-frame "video".
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"BM", "a BMP image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
)


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symlink"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a fifo (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def regular_file(
    path: Path, what: str = "file", max_bytes: int | None = None, *, follow_symlinks: bool = True
) -> os.stat_result:
    """Check that ``path`` is an existing, readable regular file (of at most ``max_bytes``).

    It is looked at with ``stat`` only, so a fifo or a device is refused without being
    opened (opening a fifo blocks until someone writes to it). With ``follow_symlinks``
    False a symlink is refused too, whatever it points at.

    Returns:
        The file's ``stat`` result.
    """
    try:
        st = path.stat() if follow_symlinks else path.lstat()
    except FileNotFoundError:
        raise InputError(f"cannot read {what} '{path}': no such file") from None
    except OSError as exc:
        raise InputError(f"cannot read {what} '{path}': {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{what} '{path}' is {_kind(st.st_mode)}, not a regular file")
    if not os.access(path, os.R_OK):
        raise InputError(f"cannot read {what} '{path}': permission denied")
    if max_bytes is not None and st.st_size > max_bytes:
        raise InputError(
            f"{what} '{path}' is {st.st_size / 2**20:.0f} MB; at most "
            f"{max_bytes / 2**20:.0f} MB is accepted"
        )
    return st


def output_file(
    path: Path | None, what: str = "output file", *, create_folder: bool = False
) -> None:
    """Check that a file can be written at ``path`` (None passes): its folder exists (or,
    with ``create_folder``, can be made) and is writable, and it is not a fifo, device or
    folder (writing to a fifo blocks)."""
    if path is None:
        return
    try:
        st = path.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise InputError(f"cannot write {what} '{path}': {exc.strerror or exc}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise InputError(f"{what} '{path}' is {_kind(st.st_mode)}, not a regular file")
    folder = path.parent
    if create_folder:
        folder = next((p for p in (folder, *folder.parents) if p.exists()), Path("/"))
    if not folder.is_dir():
        raise InputError(f"cannot write {what} '{path}': no folder '{folder}'")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"cannot write {what} '{path}': folder '{folder}' is not writable")


def fps(value: float | None, what: str = "--fps") -> float | None:
    """A frame rate given on the command line: finite and within 1-240 (None passes)."""
    if value is None:
        return None
    if not math.isfinite(value) or not MIN_FPS <= value <= MAX_FPS:
        raise InputError(
            f"{what} must be a frame rate between {MIN_FPS:g} and {MAX_FPS:g}, got {value}"
        )
    return value


def npy_file(path: Path, max_bytes: int = MAX_NPY_BYTES) -> tuple[tuple[int, ...], str]:
    """Check a ``.npy`` file's header before it is loaded: a numeric array whose stated
    size is sane and matches the file.

    Returns:
        The shape and dtype string the header states.
    """
    from numpy.lib import format as npy_format

    st = regular_file(path, "array file", max_bytes)
    try:
        with path.open("rb") as f:
            major, _minor = npy_format.read_magic(f)  # type: ignore[no-untyped-call]
            if major == 1:
                shape, _fortran, dtype = npy_format.read_array_header_1_0(f)  # type: ignore[no-untyped-call]
            elif major in (2, 3):
                shape, _fortran, dtype = npy_format.read_array_header_2_0(f)  # type: ignore[no-untyped-call]
            else:
                raise ValueError(f"unsupported .npy version {major}")
            offset = f.tell()
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(f"cannot read '{path}' as a .npy array: {exc}") from None
    if dtype.hasobject or dtype.kind not in "fiub":
        raise InputError(f"'{path}' holds {dtype} values; expected numbers")
    count = math.prod(shape)
    need = count * dtype.itemsize
    if need > max_bytes:
        raise InputError(
            f"'{path}' claims shape {shape} ({need / 2**30:.1f} GB); at most "
            f"{max_bytes / 2**30:.0f} GB is accepted"
        )
    if st.st_size - offset < need:
        raise InputError(
            f"'{path}' claims shape {shape} but holds only {st.st_size - offset} of "
            f"{need} data bytes (truncated or forged header)"
        )
    return tuple(int(n) for n in shape), dtype.str


def landmarks(path: Path) -> npt.NDArray[np.float64]:
    """Load and check a landmark ``.npy``: float ``(frames, 33, 4)`` with some pose in it.

    Raises:
        InputError: not a readable .npy, the wrong shape or type, or no pose at all.
    """
    import numpy as np

    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(f"cannot read '{path}' as a .npy array: {exc}") from exc
    if arr.ndim != 3 or arr.shape[1:] != (33, 4):
        raise InputError(
            f"'{path}' has shape {arr.shape}; expected (frames, 33, 4): BlazePose landmarks "
            "x, y, z, visibility"
        )
    if not np.issubdtype(arr.dtype, np.floating):
        raise InputError(f"'{path}' holds {arr.dtype} values; expected floats")
    if arr.shape[0] == 0 or not np.isfinite(arr[..., :2]).any():
        raise InputError(f"'{path}' has no pose in any frame (all NaN or empty)")
    return np.asarray(arr, dtype=np.float64)


def video_file(path: Path, max_bytes: int = MAX_VIDEO_BYTES) -> int:
    """Check that ``path`` is a video with a decodable video stream; returns its frame
    count as the container states it (0 when it does not say)."""
    regular_file(path, "video", max_bytes)
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise InputError(f"cannot read video '{path}': {exc.strerror or exc}") from None
    if not head:
        raise InputError(f"video '{path}' is empty (0 bytes)")
    for magic, what in _IMAGE_MAGIC:
        if head.startswith(magic):
            raise InputError(f"'{path}' is {what}, not a video")
    import cv2

    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    try:
        if not cap.isOpened():
            raise InputError(f"'{path}' has no video stream FFmpeg can decode")
        ok, frame = cap.read()
        if not ok or frame is None:
            raise InputError(f"'{path}' has no decodable video frame")
        return max(0, int(cap.get(cv2.CAP_PROP_FRAME_COUNT)))
    finally:
        cap.release()


def clip(path: Path) -> int:
    """Check what ``analyze`` reads: a landmark ``.npy`` by its header, else a video.

    Returns:
        The frames a video says it holds (0 for a landmark file, or a video that does
        not say).
    """
    if path.suffix.lower() == ".npy":
        npy_file(path)
        return 0
    return video_file(path)
