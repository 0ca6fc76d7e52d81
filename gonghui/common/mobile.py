"""Mainland mobile numbers (reference part B.7): 11 digits, `1[3-9]`, no carrier segments hard-coded
(number portability since 2019 and new segments keep appearing)."""

import re
import unicodedata

from .errors import DomainError

_PATTERN = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—()（）\u200b\ufeff]+")


def normalize(raw, *, field: str = "mobile", label: str = "手机号") -> str:
    """The 11-digit number, or a DomainError: spaces, hyphens and a +86 / 0086 / 86 prefix are dropped,
    full-width digits accepted."""
    if type(raw) is str and raw.isascii() and _PATTERN.fullmatch(raw):
        return raw  # fast path: already 11 plain digits, which everything below would leave as they are
    if isinstance(raw, bool):
        raw = None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # an 11-digit number survives a numeric Excel cell intact
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", "" if raw is None else str(raw)))
    if not text:
        raise DomainError(f"请填写{label}。", field=field)
    for prefix in ("+86", "0086", "86"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix):]
            break
    if not _PATTERN.match(text):
        if not text.isdigit():
            raise DomainError(f"{label}只能包含数字，请填写11位手机号码，如 13812345678。", field=field)
        raise DomainError(f"{label}应为以 13–19 开头的11位数字（当前为{len(text)}位），请核对后重新填写。",
                          field=field)
    return text
