"""The printable join poster (扫码入会海报): an A4 page with the union's name and the QR code of its join link,
as PNG or as a one-page PDF.

Drawn with Pillow at 300 dpi (A4 = 2480×3508 px). The QR code comes from segno and is scaled by a whole number
of pixels per module, so every module is a sharp square on paper. Chinese text needs a CJK font on the server:
it is found through fontconfig (``fc-match``); without one, PosterFontMissing says which Debian package to
install. Nothing is fetched at runtime.
"""

import functools
import io
import os
import re
import subprocess

import segno
from PIL import Image, ImageDraw, ImageFont

# Geometry in pixels at 300 dpi (1 mm ≈ 11.8 px).
DPI = 300
WIDTH, HEIGHT = 2480, 3508
MARGIN = 236  # 20 mm on each side
CONTENT_WIDTH = WIDTH - 2 * MARGIN
TITLE_CENTRE_Y = 430
TITLE_SIZE = 210
NAME_TOP, NAME_BOTTOM = 620, 1100  # the name is centred vertically in this band
NAME_MAX_LINES = 3
NAME_LARGEST_SIZE, NAME_SMALLEST_SIZE = 128, 12
QR_TOP, QR_BOX = 1200, 1640  # the square the QR code (quiet zone included) is centred in
QR_BORDER = 4  # modules of quiet zone, the minimum ISO/IEC 18004 asks for
INSTRUCTION_CENTRE_Y = 2990
INSTRUCTION_SIZE = 68
NOTE_CENTRE_Y = HEIGHT - MARGIN
NOTE_SIZE = 44

TITLE = "扫码申请入会"
INSTRUCTION = "请使用手机扫描二维码，填写信息后提交，由工会审核。"
ACCENT = (0xC8, 0x10, 0x2E)  # the union red, for the title only
INK = (0, 0, 0)
NOTE_INK = (0x55, 0x55, 0x55)
PAPER = (255, 255, 255)
PDF_JPEG_QUALITY = 95

FONT_MISSING = "找不到中文字体：请安装 fonts-wqy-microhei（apt-get install -y fonts-wqy-microhei）。"
FC_MATCH_MISSING = (
    "找不到 fc-match：请安装 fontconfig 与 fonts-wqy-microhei（apt-get install -y fontconfig fonts-wqy-microhei）。"
)

# Line breaking (simplified 避头尾): these never start a line / never end one.
_NO_LINE_START = frozenset("，。、；：！？）》」』】〕〉”’,.;:!?)]}·")
_NO_LINE_END = frozenset("（《「『【〔〈“‘([{")


class PosterFontMissing(Exception):
    """No font covering Simplified Chinese is installed. A deployment problem, not a domain rule broken by the
    user (so not a DomainError, which the API answers with 400); the message tells the operator what to install."""


@functools.cache
def cjk_font_path() -> tuple[str, int]:
    """(font file, face index within it) of the sans-serif font fontconfig picks for Simplified Chinese.

    fc-match always answers with *some* font (DejaVu when no CJK font is installed), so the answer counts only
    when fontconfig says the font covers zh-cn. Cached for the process; a failure is not cached, so installing
    the font helps without a restart."""
    try:
        result = subprocess.run(
            ["fc-match", "-f", r"%{file}\n%{index}\n%{lang}\n", "sans-serif:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except FileNotFoundError:
        raise PosterFontMissing(FC_MATCH_MISSING) from None
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) < 3:
        raise PosterFontMissing(FONT_MISSING)
    path, index, langs = lines[0], lines[1], lines[2]
    if "zh-cn" not in langs.split("|") or not os.path.isfile(path):
        raise PosterFontMissing(FONT_MISSING)
    return path, int(index or 0)


@functools.lru_cache(maxsize=64)
def _font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """The Chinese font at `size` pixels; PosterFontMissing when there is none."""
    path, index = cjk_font_path()
    return _font(path, index, size)


def _tokens(text: str) -> list[str]:
    """Units that are never split across lines: a Latin word or number, or one Chinese character, with closing
    punctuation glued to what precedes it and opening punctuation to what follows."""
    tokens: list[str] = []
    carry = ""
    for piece in re.findall(r"[A-Za-z0-9]+|\s+|.", text):
        if piece in _NO_LINE_START and tokens and not carry:
            tokens[-1] += piece
            continue
        piece, carry = carry + piece, ""
        if piece[-1] in _NO_LINE_END:
            carry = piece
        else:
            tokens.append(piece)
    if carry:
        tokens.append(carry)
    return tokens


def wrap_text(text: str, *, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """`text` broken into lines no wider than `max_width` when drawn in `font`; every character is kept.
    Whitespace runs become one space and vanish at line ends."""
    text = " ".join(text.split())
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if font.getlength(line + token) <= max_width:
            line += token
            continue
        if line.strip():
            lines.append(line.strip())
        line = token.lstrip()
        # A single unit wider than the line (a very long Latin run) is split character by character.
        while font.getlength(line) > max_width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and font.getlength(line[:cut]) > max_width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.strip())
    return lines


def name_lines(org_name: str) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The font and lines for the union's name: the largest size at which it fits in three lines across the
    content width, shrinking as far as it takes (a name is never cut). Lines are balanced, so a name needing
    two lines is split near its middle rather than leaving one character on the second line."""
    size = NAME_LARGEST_SIZE
    while True:
        font = cjk_font(size)
        lines = wrap_text(org_name, font=font, max_width=CONTENT_WIDTH)
        if len(lines) <= NAME_MAX_LINES or size <= NAME_SMALLEST_SIZE:
            break
        size -= 4
    if len(lines) > 1:
        # The narrowest width that still gives the same number of lines.
        low, high = CONTENT_WIDTH // len(lines), CONTENT_WIDTH
        while low < high:
            middle = (low + high) // 2
            if len(wrap_text(org_name, font=font, max_width=middle)) <= len(lines):
                high = middle
            else:
                low = middle + 1
        lines = wrap_text(org_name, font=font, max_width=high)
    return font, lines


def qr_matrix(url: str) -> list[list[int]]:
    """The QR code of `url`, quiet zone included, as rows of 1 (dark) and 0 (light) modules.
    Always a full QR code (segno.make would pick a Micro QR for short text, which phones do not read)."""
    qr = segno.make_qr(url, error="m", boost_error=False)
    return [list(row) for row in qr.matrix_iter(scale=1, border=QR_BORDER)]


def _qr_image(url: str) -> Image.Image:
    matrix = qr_matrix(url)
    modules = len(matrix)
    scale = QR_BOX // modules
    small = Image.new("L", (modules, modules), 255)
    small.putdata([0 if dark else 255 for row in matrix for dark in row])
    return small.resize((modules * scale, modules * scale), Image.Resampling.NEAREST).convert("RGB")


def _centred_text(draw: ImageDraw.ImageDraw, text: str, *, y: float, font, fill, stroke: int = 0) -> None:
    draw.text((WIDTH / 2, y), text, font=font, fill=fill, anchor="mm", stroke_width=stroke, stroke_fill=fill)


def _poster(*, org_name: str, url: str, note: str) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    # The font has no bold face; a thin stroke in the same colour gives the title its weight.
    _centred_text(draw, TITLE, y=TITLE_CENTRE_Y, font=cjk_font(TITLE_SIZE), fill=ACCENT, stroke=3)

    font, lines = name_lines(org_name)
    line_height = font.size * 1.3
    first_centre = (NAME_TOP + NAME_BOTTOM) / 2 - line_height * (len(lines) - 1) / 2
    for number, line in enumerate(lines):
        _centred_text(draw, line, y=first_centre + number * line_height, font=font, fill=INK)

    qr = _qr_image(url)
    image.paste(qr, ((WIDTH - qr.width) // 2, QR_TOP + (QR_BOX - qr.height) // 2))

    _centred_text(draw, INSTRUCTION, y=INSTRUCTION_CENTRE_Y, font=cjk_font(INSTRUCTION_SIZE), fill=INK)
    if note:
        _centred_text(draw, note, y=NOTE_CENTRE_Y, font=cjk_font(NOTE_SIZE), fill=NOTE_INK)
    return image


def join_poster_png(*, org_name: str, url: str, note: str = "") -> bytes:
    """The join poster for `org_name` with the QR code of `url` and a small `note` at the bottom, as an A4 PNG
    at 300 dpi (2480×3508 px). PosterFontMissing when the server has no Chinese font."""
    buffer = io.BytesIO()
    _poster(org_name=org_name, url=url, note=note).save(buffer, "PNG", dpi=(DPI, DPI), optimize=True)
    return buffer.getvalue()


def join_poster_pdf(*, org_name: str, url: str, note: str = "") -> bytes:
    """The same poster as a one-page A4 PDF (595×842 pt). Pillow embeds an RGB page as JPEG: at high quality and
    without chroma subsampling, so the QR modules' edges and the red title stay sharp in print."""
    buffer = io.BytesIO()
    _poster(org_name=org_name, url=url, note=note).save(
        buffer, "PDF", resolution=DPI, title=TITLE, quality=PDF_JPEG_QUALITY, subsampling=0
    )
    return buffer.getvalue()
