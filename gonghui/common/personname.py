"""Person names (姓名): Chinese names, minority names with the separating dot (阿依古丽·买买提), and
Latin-script names of foreign members."""

import re
import unicodedata

from .errors import DomainError

MAX_LENGTH = 50
MIDDLE_DOT = "\u00b7"
# Every dot people type between the parts of a minority name, after NFKC (which already folds
# U+FF0E → ".", U+FF65 → U+30FB and U+0387 → U+00B7).
_DOTS = "\u00b7\u2022\u2027\u30fb\u2219\u22c5\u25cf\u25e6\u2024\u16eb\u1427\u0387\uff65\u318d\u2e31."
_DOTS_RE = re.compile(rf"\s*[{re.escape(_DOTS)}]\s*")
_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"
_CJK_RE = re.compile(f"[{_CJK}]")
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_CJK_NAME_RE = re.compile(f"^[{_CJK}{_LATIN}]+(?:·[{_CJK}{_LATIN}]+)*$")
_LATIN_NAME_RE = re.compile(f"^[{_LATIN}]+(?:(?:[ ·'-]|\\. ?)[{_LATIN}]+)*\\.?$")
_INVISIBLE_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES_RE = re.compile(r"\s+")
_LATIN_DOTS_RE = re.compile(rf"\s*[{re.escape(_DOTS.replace('.', ''))}]\s*")
# Most names are a few ideographs of the basic and extension A blocks, with nothing to normalise: NFKC
# leaves these blocks alone, none of them is a digit, space or dot, and _CJK_NAME_RE accepts them.
_PLAIN_CJK_NAME_RE = re.compile(f"[\u3400-\u4dbf\u4e00-\u9fff]{{1,{MAX_LENGTH}}}")


def normalize_name(raw, *, field: str = "name", label: str = "姓名") -> str:
    """The name as stored, or a DomainError saying what to fix.

    Chinese names lose all spaces and every kind of separating dot becomes "·" (U+00B7). Latin
    names keep single spaces between words; "." stays (initials), other dots become "·"."""
    if type(raw) is str and _PLAIN_CJK_NAME_RE.fullmatch(raw):
        return raw  # fast path: what the steps below would return unchanged
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw)).strip()
    text = _INVISIBLE_RE.sub("", text)
    if not text:
        raise DomainError(f"请填写{label}。", field=field)
    if any(c.isdigit() for c in text):
        raise DomainError(f"{label}不能包含数字，请填写证件上的姓名。", field=field)
    if _CJK_RE.search(text):
        name = _DOTS_RE.sub(MIDDLE_DOT, _SPACES_RE.sub("", text))
        valid = _CJK_NAME_RE.match(name)
    else:
        name = _SPACES_RE.sub(" ", text)
        name = _LATIN_DOTS_RE.sub(MIDDLE_DOT, name)
        valid = _LATIN_NAME_RE.match(name)
    if len(name) > MAX_LENGTH:
        raise DomainError(f"{label}不能超过{MAX_LENGTH}个字符（当前{len(name)}个），请核对。", field=field)
    if not valid:
        raise DomainError(f"{label}只能由汉字或字母组成，少数民族姓名各部分之间用间隔号“·”分隔，"
                          "不能以间隔号开头或结尾；请按证件填写。", field=field)
    return name
