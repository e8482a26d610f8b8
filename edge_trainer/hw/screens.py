"""The OLED screens: one frozen state per screen and the code that draws it at 128x64.

A screen state holds only what is shown, so two equal states draw the same pixels and
the display skips the redraw. Text uses Pillow's built-in bitmap font (6x11 cells,
21 characters a line), scaled up with nearest-neighbour for the big numbers: crisp on a
1-bit panel and the same pixels on every machine, unlike an anti-aliased TrueType font.
"""

from __future__ import annotations

import functools
import textwrap
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

WIDTH = 128
HEIGHT = 64
BAR_H = 11  # the inverted title bar
LINE_H = 11  # one line of the bitmap font
_CAP_TOP = 2  # first row of capitals and digits inside a bitmap-font cell
TEMPO_SCALE_S = 5.0  # a rep this long fills the whole tempo bar
SUMMARY_LINES = 4  # body lines visible on the summary screen under the title bar
_SUMMARY_TEXT_W = WIDTH - 6  # room for the scroll bar
SUMMARY_LINE_S = 1.5  # seconds each scroll step stays on screen
SUMMARY_HOLD_STEPS = 2  # extra steps the first and last page stay before wrapping round

Fill = int  # 0 black, 255 white on a mode "1" image


@dataclass(frozen=True, slots=True)
class IdleScreen:
    """Nobody training: a prompt and the exercise mode."""

    prompt: str = "Step in to start"
    exercise: str = "auto"
    muted: bool = False


@dataclass(frozen=True, slots=True)
class LiveSetScreen:
    """A set in progress.

    Attributes:
        exercise: Exercise name as the classifier reports it (``squat``, ``push_up``).
        reps: Full reps so far.
        set_number: 1-based set number in the session.
        partial_reps: Partial reps so far (not counted as reps).
        eccentric_s: Lowering time of the last rep, for the tempo bar.
        concentric_s: Lifting time of the last rep, for the tempo bar.
        fault: Short phrase of the last rep's fault (``"Knees out"``), or None.
        muted: Spoken cues are muted.
    """

    exercise: str
    reps: int
    set_number: int = 1
    partial_reps: int = 0
    eccentric_s: float | None = None
    concentric_s: float | None = None
    fault: str | None = None
    muted: bool = False


@dataclass(frozen=True, slots=True)
class FaultScreen:
    """A short full-screen flash when a form fault is found."""

    phrase: str
    rep_index: int


@dataclass(frozen=True, slots=True)
class RestScreen:
    """Between sets: the rest timer counting down, then up (overtime) once it passes 0.

    Attributes:
        remaining_s: Whole seconds left; negative once the rest target has passed.
        target_s: The rest target, for the progress bar.
        exercise: The exercise of the set just finished.
        reps: Reps in the set just finished.
        set_number: Number of the set just finished.
    """

    remaining_s: int
    target_s: int
    exercise: str
    reps: int
    set_number: int = 1


@dataclass(frozen=True, slots=True)
class SummaryScreen:
    """A set summary, scrolled a line at a time; build it with ``summary_screen``."""

    title: str
    text: str
    first_line: int = 0


@dataclass(frozen=True, slots=True)
class StatusScreen:
    """A status or error the owner should see (camera lost, model updating)."""

    title: str
    message: str = ""
    level: Literal["info", "error"] = "error"


Screen = IdleScreen | LiveSetScreen | FaultScreen | RestScreen | SummaryScreen | StatusScreen


@functools.cache
def _font() -> ImageFont.ImageFont:
    return ImageFont.load_default_imagefont()


def text_width(text: str) -> int:
    """Width in pixels of ``text`` in the screen font."""
    return int(_font().getlength(text))


def wrap(text: str, width_px: int = WIDTH - 4) -> list[str]:
    """Split ``text`` into lines no wider than ``width_px`` (words longer are cut)."""
    chars = max(1, width_px // text_width("M"))
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(para, chars, break_on_hyphens=False) or [""])
    return lines


def summary_screen(title: str, text: str, elapsed_s: float) -> SummaryScreen:
    """The summary screen as it should look ``elapsed_s`` after it first appeared.

    Short texts never scroll. Longer ones hold on the first page, step one line every
    ``SUMMARY_LINE_S``, hold on the last page, then start again.
    """
    extra = len(wrap(text, _SUMMARY_TEXT_W)) - SUMMARY_LINES
    if extra <= 0:
        return SummaryScreen(title, text, 0)
    cycle = extra + 2 * SUMMARY_HOLD_STEPS + 1
    step = int(max(0.0, elapsed_s) / SUMMARY_LINE_S) % cycle
    first = min(extra, max(0, step - SUMMARY_HOLD_STEPS))
    return SummaryScreen(title, text, first)


def exercise_label(name: str) -> str:
    """``push_up`` -> ``PUSH UP``, as shown in title bars."""
    return name.replace("_", " ").upper()


def render(screen: Screen, draw: ImageDraw.ImageDraw) -> None:
    """Draw ``screen`` on a blank 128x64 canvas (luma's ``canvas`` or ``render_image``)."""
    if isinstance(screen, IdleScreen):
        _draw_idle(draw, screen)
    elif isinstance(screen, LiveSetScreen):
        _draw_live(draw, screen)
    elif isinstance(screen, FaultScreen):
        _draw_fault(draw, screen)
    elif isinstance(screen, RestScreen):
        _draw_rest(draw, screen)
    elif isinstance(screen, SummaryScreen):
        _draw_summary(draw, screen)
    elif isinstance(screen, StatusScreen):
        _draw_status(draw, screen)
    else:
        raise TypeError(f"not a screen state: {type(screen).__name__}")


def render_image(screen: Screen) -> Image.Image:
    """Draw ``screen`` into a new mode "1" 128x64 image (previews and tests)."""
    image = Image.new("1", (WIDTH, HEIGHT), 0)
    render(screen, ImageDraw.Draw(image))
    return image


# --- drawing primitives -------------------------------------------------------------


def _text(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, fill: Fill = 255) -> None:
    draw.text(xy, text, font=_font(), fill=fill)


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, fill: Fill = 255) -> None:
    _text(draw, ((WIDTH - text_width(text)) // 2, y), text, fill)


@functools.lru_cache(maxsize=64)
def _big_bitmap(text: str, scale: int) -> Image.Image | None:
    """``text`` with each font pixel as a ``scale`` square, cropped to its ink."""
    glyphs = Image.new("L", (max(1, text_width(text)), LINE_H), 0)
    ImageDraw.Draw(glyphs).text((0, 0), text, font=_font(), fill=255)
    box = glyphs.getbbox()
    if box is None:
        return None
    # Crop from the cap line, not the ink, so strings of different letters line up.
    glyphs = glyphs.crop((box[0], _CAP_TOP, box[2], box[3]))
    return glyphs.resize((glyphs.width * scale, glyphs.height * scale), Image.Resampling.NEAREST)


def _big(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, scale: int, fill: Fill) -> None:
    big = _big_bitmap(text, scale)
    if big is not None:
        draw.bitmap(xy, big, fill=fill)


def _big_width(text: str, scale: int) -> int:
    big = _big_bitmap(text, scale)
    return 0 if big is None else big.width


def _title_bar(draw: ImageDraw.ImageDraw, left: str, right: str = "") -> None:
    draw.rectangle((0, 0, WIDTH - 1, BAR_H - 1), fill=255)
    _text(draw, (2, 0), left, fill=0)
    if right:
        _text(draw, (WIDTH - 2 - text_width(right), 0), right, fill=0)


def _warning(draw: ImageDraw.ImageDraw, x: int, y: int, size: int, fill: Fill) -> None:
    """A warning triangle with an exclamation mark, ``size`` pixels wide."""
    ground = 255 - fill
    draw.polygon(((x + size // 2, y), (x + size - 1, y + size - 1), (x, y + size - 1)), fill=fill)
    cx = x + size // 2
    stem_w = max(1, size // 10)
    draw.rectangle((cx - stem_w, y + size * 3 // 10, cx + stem_w, y + size * 7 // 10), fill=ground)
    draw.rectangle((cx - stem_w, y + size * 8 // 10, cx + stem_w, y + size * 9 // 10), fill=ground)


def _muted_icon(draw: ImageDraw.ImageDraw, x: int, y: int, fill: Fill) -> None:
    """A small loudspeaker with a cross, 10x9 pixels."""
    draw.rectangle((x, y + 3, x + 1, y + 5), fill=fill)
    draw.polygon(((x + 2, y + 3), (x + 5, y), (x + 5, y + 8), (x + 2, y + 5)), fill=fill)
    draw.line((x + 7, y + 2, x + 10, y + 6), fill=fill)
    draw.line((x + 7, y + 6, x + 10, y + 2), fill=fill)


def _progress(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], frac: float) -> None:
    x0, y0, x1, y1 = box
    draw.rectangle(box, outline=255, fill=0)
    inner = round((x1 - x0 - 2) * min(1.0, max(0.0, frac)))
    if inner > 0:
        draw.rectangle((x0 + 1, y0 + 1, x0 + inner, y1 - 1), fill=255)


def _clock(seconds: int) -> str:
    sign = "+" if seconds < 0 else ""
    s = abs(seconds)
    return f"{sign}{s // 60}:{s % 60:02d}"


# --- screens -------------------------------------------------------------------------


def _draw_idle(draw: ImageDraw.ImageDraw, s: IdleScreen) -> None:
    _title_bar(draw, "EDGE TRAINER")
    if s.muted:
        _muted_icon(draw, WIDTH - 13, 1, fill=0)
    lines = wrap(s.prompt)[:2]
    y = 18 if len(lines) == 2 else 23
    for line in lines:
        _centered(draw, y, line)
        y += LINE_H + 1
    draw.line((0, 49, WIDTH - 1, 49), fill=255)
    _centered(draw, 52, f"Exercise: {exercise_label(s.exercise)}")


def _draw_live(draw: ImageDraw.ImageDraw, s: LiveSetScreen) -> None:
    _title_bar(draw, exercise_label(s.exercise)[:13], f"SET {s.set_number}")
    if s.muted:
        _muted_icon(draw, WIDTH - 2 - text_width(f"SET {s.set_number}") - 14, 1, fill=0)
    reps = str(s.reps)
    scale = 4 if len(reps) <= 2 else 3
    _big(draw, (2, 16), reps, scale, fill=255)
    col = 68
    if s.partial_reps:
        _text(draw, (col, 13), f"partial {s.partial_reps}")
    if s.fault:
        _warning(draw, col, 26, 11, fill=255)
        lines = wrap(s.fault, WIDTH - col - 16)[:2]
        for i, line in enumerate(lines):
            _text(draw, (col + 14, 25 + i * LINE_H), line)
    _draw_tempo(draw, s.eccentric_s, s.concentric_s)


def _draw_tempo(draw: ImageDraw.ImageDraw, ecc: float | None, con: float | None) -> None:
    """Last rep's tempo: a bar (solid = lowering, hollow = lifting) and its seconds."""
    y0, y1, x1 = 53, 62, 74
    if ecc is None or con is None:
        draw.rectangle((0, y0, x1, y1), outline=255)
        _text(draw, (x1 + 4, 52), "tempo -")
        return
    per_s = (x1 - 1) / TEMPO_SCALE_S
    e_px = max(1, round(min(ecc, TEMPO_SCALE_S) * per_s))
    c_px = max(1, round(min(con, TEMPO_SCALE_S - min(ecc, TEMPO_SCALE_S)) * per_s))
    draw.rectangle((0, y0, e_px, y1), fill=255)
    draw.rectangle((e_px, y0, min(x1, e_px + c_px), y1), outline=255)
    _text(draw, (x1 + 4, 52), f"{ecc:.1f}/{con:.1f}")


def _draw_fault(draw: ImageDraw.ImageDraw, s: FaultScreen) -> None:
    draw.rectangle((0, 0, WIDTH - 1, HEIGHT - 1), fill=255)
    _warning(draw, 4, 4, 26, fill=0)
    _text(draw, (36, 4), "FORM", fill=0)
    _text(draw, (36, 16), f"rep {s.rep_index}", fill=0)
    words = s.phrase.upper()
    lines = wrap(words, (WIDTH - 4) // 2)[:2]
    scale = 2
    if len(lines) == 1 and _big_width(lines[0], 2) > WIDTH - 4:
        scale = 1
    y = 32 if len(lines) == 2 or scale == 1 else 40
    for line in lines:
        w = _big_width(line, scale)
        _big(draw, ((WIDTH - w) // 2, y), line, scale, fill=0)
        y += 16


def _draw_rest(draw: ImageDraw.ImageDraw, s: RestScreen) -> None:
    _title_bar(draw, "REST", f"SET {s.set_number} DONE")
    text = _clock(s.remaining_s)
    scale = 4 if _big_width(text, 4) <= WIDTH - 4 else 3
    w = _big_width(text, scale)
    _big(draw, ((WIDTH - w) // 2, 14), text, scale, fill=255)
    _centered(draw, 43, f"{exercise_label(s.exercise)} x{s.reps}")
    done = 1.0 if s.target_s <= 0 else 1.0 - max(0, s.remaining_s) / s.target_s
    _progress(draw, (0, 56, WIDTH - 1, 63), done)


def _draw_summary(draw: ImageDraw.ImageDraw, s: SummaryScreen) -> None:
    _title_bar(draw, s.title[:21])
    lines = wrap(s.text, _SUMMARY_TEXT_W)
    shown = lines[s.first_line : s.first_line + SUMMARY_LINES]
    for i, line in enumerate(shown):
        _text(draw, (1, BAR_H + 2 + i * LINE_H + i // 2), line)
    if len(lines) > SUMMARY_LINES:
        # a scroll bar on the right edge: its thumb shows which part of the text is visible
        top, bottom = BAR_H + 2, HEIGHT - 1
        span = bottom - top
        t0 = top + span * s.first_line // len(lines)
        t1 = top + span * min(len(lines), s.first_line + SUMMARY_LINES) // len(lines)
        draw.line((WIDTH - 2, top, WIDTH - 2, bottom), fill=255)
        draw.rectangle((WIDTH - 3, t0, WIDTH - 1, t1), fill=255)


def _draw_status(draw: ImageDraw.ImageDraw, s: StatusScreen) -> None:
    _title_bar(draw, s.title.upper()[:21])
    if s.level == "error":
        _warning(draw, 2, 16, 24, fill=255)
    else:
        draw.ellipse((2, 16, 25, 39), outline=255, fill=255)
        _big(draw, (12, 19), "i", 2, fill=0)
    lines = wrap(s.message, WIDTH - 34)[:4]
    for i, line in enumerate(lines):
        _text(draw, (32, 14 + i * LINE_H), line)
