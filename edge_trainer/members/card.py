"""The member card: a QR code of the member id inside a black frame, and its printable image.

The card is designed to be found small: the QR code (version 1, 21 modules, error
correction H) sits inside a black square frame on white, so the scanner finds the frame
as a dark quadrilateral with a hole, maps the module grid from its four corners, and
needs about 2.3 pixels a module, not the 4 or more a QR code needs when its own finder
patterns must be found in a cluttered frame.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import ImageFont

from edge_trainer.errors import InputError, missing_dependency
from edge_trainer.members.registry import Member, valid_id

PREFIX = "ET"  # an edge-trainer card; any other QR code is not a member card
QR_MODULES = 21  # version 1
QUIET = 1.0  # white modules between the code and the frame
FRAME = 1.5  # modules of black frame
MARGIN = 1.0  # white modules outside the frame: the frame stands out on any background
# Modules across the black frame's outer edge, and across the whole card.
FRAMED = QR_MODULES + 2 * (QUIET + FRAME)
CARD_MODULES = FRAMED + 2 * MARGIN

# A credit-card-sized card standing up (ISO/IEC 7810 ID-1), at 300 dots per inch.
CARD_MM = (53.98, 85.60)
DPI = 300

Bits = npt.NDArray[np.uint8]


def payload(member_id: str) -> str:
    """What the card's QR code says: the prefix and the member id, nothing else."""
    if not valid_id(member_id):
        raise InputError(f"not a member id: {member_id!r}")
    return PREFIX + member_id


def member_id_of(text: str) -> str | None:
    """The member id a decoded QR text carries, or None when it is not a member card."""
    if text.startswith(PREFIX) and valid_id(text[len(PREFIX) :]):
        return text[len(PREFIX) :]
    return None


def qr_bits(member_id: str) -> Bits:
    """The card's QR code as a 21x21 array, 1 for a dark module."""
    try:
        import segno
    except ImportError as exc:  # a core dependency; only a broken install lacks it
        raise missing_dependency("segno") from exc
    code = segno.make_qr(payload(member_id), version=1, error="H", boost_error=False)
    return np.array(code.matrix, dtype=np.uint8)


@functools.cache
def fixed_modules() -> tuple[npt.NDArray[np.bool_], tuple[Bits, ...]]:
    """Where every card's code is the same whatever its id, and what it holds there.

    Returns:
        A 21x21 mask of the finder patterns, separators, timing patterns, dark module
        and format information, and the code for each of the eight data masks (only
        the masked positions matter; they differ by mask in the format information).
    """
    import segno

    fixed = np.zeros((QR_MODULES, QR_MODULES), bool)
    fixed[:9, :9] = fixed[:9, -8:] = fixed[-8:, :9] = True  # finders, separators, format
    fixed[6, :] = fixed[:, 6] = True  # timing patterns
    fixed[8, -8:] = True  # format information, second copy (row)
    templates = tuple(
        np.array(
            segno.make_qr(PREFIX + "0" * 8, version=1, error="H", mask=m, boost_error=False).matrix,
            dtype=np.uint8,
        )
        for m in range(8)
    )
    return fixed, templates


def repair(bits: Bits) -> Bits:
    """A sampled code with its fixed parts made exact: the decoder then has only the data
    modules' errors to correct, and its own error correction does that."""
    fixed, templates = fixed_modules()
    best = min(templates, key=lambda t: int(np.sum((t != bits) & fixed)))
    out: Bits = np.where(fixed, best, bits).astype(np.uint8)
    return out


def card_face(member_id: str, module_px: int) -> npt.NDArray[np.uint8]:
    """The square part of the card (margin, frame, code) as a grayscale image."""
    bits = qr_bits(member_id)
    size = round(CARD_MODULES * module_px)
    img = np.full((size, size), 255, np.uint8)
    outer = round(MARGIN * module_px)
    inner = round((MARGIN + FRAME) * module_px)
    img[outer : size - outer, outer : size - outer] = 0
    img[inner : size - inner, inner : size - inner] = 255
    start = round((MARGIN + FRAME + QUIET) * module_px)
    code = np.kron(1 - bits, np.ones((module_px, module_px), np.uint8)) * 255
    img[start : start + code.shape[0], start : start + code.shape[1]] = code
    return img


def write_card(member: Member, out: Path) -> Path:
    """Write a printable card (PNG at 300 dpi, or PDF by the suffix) of the card's size.

    Raises:
        InputError: the file cannot be written.
    """
    from PIL import Image, ImageDraw

    width = round(CARD_MM[0] / 25.4 * DPI)
    height = round(CARD_MM[1] / 25.4 * DPI)
    module_px = int(width // CARD_MODULES)
    face = Image.fromarray(card_face(member.id, module_px), "L")
    card = Image.new("L", (width, height), 255)
    card.paste(face, ((width - face.width) // 2, 0))
    draw = ImageDraw.Draw(card)
    name_font = _font(64)
    small = _font(30)
    y = face.height + 40
    for text, font in ((member.name, name_font), ("edge trainer member", small)):
        box = draw.textbbox((0, 0), text, font=font)
        draw.text(((width - (box[2] - box[0])) // 2, y), text, font=font, fill=0)
        y += round(box[3] - box[1]) + 30
    # A light cut line at the card's edge: far too faint to be taken for the frame.
    draw.rectangle((0, 0, width - 1, height - 1), outline=200)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".pdf":
            card.convert("RGB").save(out, "PDF", resolution=DPI)
        else:
            card.save(out, "PNG", dpi=(DPI, DPI))
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return out


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's built-in font at ``size`` (scalable when Pillow has FreeType)."""
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()
