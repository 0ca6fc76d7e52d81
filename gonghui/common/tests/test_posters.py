"""The join poster: A4 geometry, a QR code that matches segno's symbol module for module (no QR decoder is
installed, so the poster's pixels are compared with the matrix), name wrapping, and the missing-font error."""

import io
import re
import subprocess

import pytest
import segno
from PIL import Image, ImageChops, ImageDraw

from gonghui.common import posters
from gonghui.common.posters import (
    ACCENT,
    CONTENT_WIDTH,
    FONT_MISSING,
    HEIGHT,
    MARGIN,
    NAME_BOTTOM,
    NAME_TOP,
    QR_BORDER,
    QR_BOX,
    QR_TOP,
    WIDTH,
    PosterFontMissing,
    cjk_font,
    cjk_font_path,
    join_poster_pdf,
    join_poster_png,
    name_lines,
    qr_matrix,
    wrap_text,
)

ORG = "合肥市瑶海区明光路街道（商圈）联合工会委员会"
URL = "https://gonghui.example.cn/join/7f3kQ9zXbW2mLp4RtY8vN1cD"
NOTE = "二维码编号 3 · 2026-11-21 生成"
LONG_NAME = "中国机械工业集团有限公司安徽分公司合肥市瑶海区明光路街道商圈第二联合工会委员会（筹备组）"


@pytest.fixture(scope="module")
def poster() -> Image.Image:
    image = Image.open(io.BytesIO(join_poster_png(org_name=ORG, url=URL, note=NOTE)))
    image.load()
    return image


@pytest.fixture
def fresh_font_lookup():
    cjk_font_path.cache_clear()
    yield
    cjk_font_path.cache_clear()


def _ink_bbox(image: Image.Image, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """Bounding box (in page coordinates) of everything not white inside `box`."""
    region = image.crop(box).convert("L")
    found = ImageChops.invert(region).point(lambda v: 255 if v > 64 else 0).getbbox()
    if found is None:
        return None
    return found[0] + box[0], found[1] + box[1], found[2] + box[0], found[3] + box[1]


def _assert_qr_matches(image: Image.Image, url: str) -> None:
    """Find the symbol on the page, then check the centre of every module (quiet zone included) against segno."""
    matrix = qr_matrix(url)
    modules = len(matrix)
    symbol = modules - 2 * QR_BORDER
    left, top, right, bottom = _ink_bbox(image, (0, QR_TOP, WIDTH, QR_TOP + QR_BOX))
    assert right - left == bottom - top
    assert (right - left) % symbol == 0  # a whole number of pixels per module
    module = (right - left) // symbol
    assert module >= 30  # about 2.5 mm at 300 dpi: large enough to scan from a wall
    origin_x, origin_y = left - QR_BORDER * module, top - QR_BORDER * module
    grey = image.convert("L")
    seen = [
        [
            1 if grey.getpixel((origin_x + (col + 0.5) * module, origin_y + (row + 0.5) * module)) < 128 else 0
            for col in range(modules)
        ]
        for row in range(modules)
    ]
    assert seen == matrix
    assert not any(matrix[0]) and not any(matrix[-1])  # the quiet zone is there and white on the page


def test_join_poster_png_is_a4_at_300_dpi(poster):
    assert poster.format == "PNG"
    assert poster.size == (WIDTH, HEIGHT) == (2480, 3508)
    assert [round(d) for d in poster.info["dpi"]] == [300, 300]


def test_join_poster_png_qr_matches_segno(poster):
    _assert_qr_matches(poster, URL)


def test_qr_matrix_short_text_is_full_qr_not_micro():
    assert segno.make("HELLO").is_micro  # what segno.make would do; phones' scanners do not read Micro QR
    matrix = qr_matrix("HELLO")
    assert len(matrix) == 21 + 2 * QR_BORDER  # version 1, the smallest full QR code
    assert all(len(row) == len(matrix) for row in matrix)


def test_join_poster_title_is_the_only_red(poster):
    colours = {colour for _, colour in poster.getcolors(maxcolors=1 << 16)}
    assert ACCENT in colours
    title_band = poster.crop((0, 0, WIDTH, NAME_TOP))
    assert ACCENT in {colour for _, colour in title_band.getcolors(maxcolors=1 << 16)}
    rest = poster.crop((0, NAME_TOP, WIDTH, HEIGHT))
    assert all(r == g == b for _, (r, g, b) in rest.getcolors(maxcolors=1 << 16))


def test_join_poster_note_printed_at_the_bottom(poster):
    left, top, right, bottom = _ink_bbox(poster, (0, HEIGHT - MARGIN - 100, WIDTH, HEIGHT))
    assert MARGIN < left < right < WIDTH - MARGIN
    assert bottom < HEIGHT - MARGIN + 50
    without_note = Image.open(io.BytesIO(join_poster_png(org_name=ORG, url=URL)))
    assert _ink_bbox(without_note, (0, HEIGHT - MARGIN - 100, WIDTH, HEIGHT)) is None


def test_join_poster_pdf_is_one_a4_page_with_the_same_poster():
    pdf = join_poster_pdf(org_name=ORG, url=URL, note=NOTE)
    assert pdf.startswith(b"%PDF-")
    assert re.findall(rb"/Type\s*/Page\b", pdf) == [b"/Type /Page"]
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert len(boxes) == 1
    x0, y0, width, height = (float(v) for v in boxes[0])
    assert (x0, y0) == (0, 0)
    assert width == pytest.approx(595.28, abs=0.5)  # A4: 210 × 297 mm in points
    assert height == pytest.approx(841.89, abs=0.5)
    page = Image.open(io.BytesIO(pdf[pdf.index(b"\xff\xd8\xff") :]))  # the embedded JPEG
    assert page.size == (WIDTH, HEIGHT)
    _assert_qr_matches(page, URL)


def test_name_lines_short_name_one_line_at_largest_size():
    font, lines = name_lines("城关区总工会")
    assert lines == ["城关区总工会"]
    assert font.size == posters.NAME_LARGEST_SIZE


def test_name_lines_long_name_wraps_within_margins():
    font, lines = name_lines(LONG_NAME)
    assert 2 <= len(lines) <= 3
    assert "".join(lines) == LONG_NAME  # nothing cut
    draw = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    for line in lines:
        left, _, right, _ = draw.textbbox((0, 0), line, font=font)
        assert right - left <= CONTENT_WIDTH
    # Balanced lines: the shortest is at least half the longest.
    lengths = [len(line) for line in lines]
    assert min(lengths) * 2 >= max(lengths)


def test_name_lines_longest_name_allowed_still_fits_three_lines():
    name = "工会联合会" * 20  # Org.name max_length is 100
    font, lines = name_lines(name)
    assert len(lines) == 3
    assert "".join(lines) == name
    assert font.size >= 48


def test_join_poster_long_name_drawn_inside_margins():
    image = Image.open(io.BytesIO(join_poster_png(org_name=LONG_NAME, url=URL)))
    left, top, right, bottom = _ink_bbox(image, (0, NAME_TOP - 60, WIDTH, NAME_BOTTOM + 60))
    assert MARGIN <= left and right <= WIDTH - MARGIN
    assert NAME_TOP <= top and bottom <= NAME_BOTTOM
    assert right - left > CONTENT_WIDTH * 0.8  # the name uses the width, not a tiny font


def test_wrap_text_keeps_brackets_with_their_text_and_words_whole():
    font = cjk_font(100)
    five = 5 * font.getlength("一")
    assert wrap_text("一二三四（五六）七八", font=font, max_width=five) == ["一二三四", "（五六）七", "八"]
    assert wrap_text("一二三四五、六七", font=font, max_width=five) == ["一二三四", "五、六七"]
    lines = wrap_text("合肥ABC2026有限公司工会", font=font, max_width=font.getlength("合肥ABC2026"))
    assert lines[0] == "合肥ABC2026"


def test_wrap_text_splits_a_word_wider_than_the_line():
    font = cjk_font(100)
    word = "X" * 60
    lines = wrap_text(word, font=font, max_width=1000)
    assert "".join(lines) == word
    assert all(font.getlength(line) <= 1000 for line in lines)


def test_cjk_font_path_finds_installed_chinese_font(fresh_font_lookup):
    path, index = cjk_font_path()
    font = cjk_font(80)
    assert font.path == path
    left, top, right, bottom = font.getbbox("工")
    assert right > left and bottom > top


def _fake_fc_match(stdout: str = "", returncode: int = 0, raises: Exception | None = None):
    def run(args, **kwargs):
        assert args[0] == "fc-match"
        if raises:
            raise raises
        return subprocess.CompletedProcess(args, returncode, stdout=stdout, stderr="")

    return run


@pytest.mark.parametrize(
    "fake",
    [
        # Without a CJK font fontconfig still answers, with a Latin font that does not cover zh-cn.
        _fake_fc_match("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf\n0\naa|af|de|en|fr|ru\n"),
        _fake_fc_match("", returncode=1),
        # Covers zh-cn on paper, but the file is gone (package removed, cache stale).
        _fake_fc_match("/usr/share/fonts/gone/wqy-microhei.ttc\n0\nen|zh-cn|zh-tw\n"),
    ],
    ids=["latin-font-only", "fc-match-fails", "file-missing"],
)
def test_join_poster_no_chinese_font_names_the_package(fresh_font_lookup, monkeypatch, fake):
    monkeypatch.setattr(posters.subprocess, "run", fake)
    with pytest.raises(PosterFontMissing) as caught:
        join_poster_png(org_name=ORG, url=URL)
    assert str(caught.value) == FONT_MISSING
    assert str(caught.value) == "找不到中文字体：请安装 fonts-wqy-microhei（apt-get install -y fonts-wqy-microhei）。"


def test_join_poster_no_fc_match_names_fontconfig(fresh_font_lookup, monkeypatch):
    monkeypatch.setattr(posters.subprocess, "run", _fake_fc_match(raises=FileNotFoundError("fc-match")))
    with pytest.raises(PosterFontMissing, match="fontconfig"):
        join_poster_pdf(org_name=ORG, url=URL)
