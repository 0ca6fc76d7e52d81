"""Member numbers (会员证号).

Scheme: ``PP YYYY NNNNNNNN C`` — 15 characters, digits except the check character:

- ``PP``: the province digits of the joining union's region code (GB/T 2260; the nearest ancestor
  with a region code; ``00`` when none has one);
- ``YYYY``: the year the number is issued;
- ``NNNNNNNN``: a serial per ``PPYYYY``, from 00000001, taken from `NumberSequence` under a row lock,
  a block at a time for imports (so numbers are unique without a retry loop);
- ``C``: the ISO 7064 MOD 11-2 check character of the 14 digits before it (the ID-card algorithm,
  so a mistyped number is caught the same way).

A member keeps the number through transfers and a rejoin. Numbers from earlier systems can be
imported as they are (`LEGACY_RE`); they must only be unique.
"""

import functools
import re

from django.db import transaction

from gonghui.common import idcard
from gonghui.orgs.models import Org

from .models import NumberSequence

NUMBER_RE = re.compile(r"^\d{14}[\dX]$")
LEGACY_RE = re.compile(r"^[0-9A-Z][0-9A-Z-]{0,19}$")
_WEIGHTS = idcard.WEIGHTS[3:]  # 14 weights: the last 14 of the ID card's, ending in …, 4, 2


def check_char(body14: str) -> str:
    return idcard.CHECK_CHARS[sum(int(c) * w for c, w in zip(body14, _WEIGHTS, strict=True)) % 11]


def is_valid(number: str) -> bool:
    return bool(NUMBER_RE.match(number)) and check_char(number[:14]) == number[14]


def province_digits(org: Org) -> str:
    if org.region_code:
        return org.region_code[:2]
    for ancestor in reversed(list(org.ancestors())):
        if ancestor.region_code:
            return ancestor.region_code[:2]
    return "00"


def allocate(org: Org, year: int, count: int = 1) -> list[str]:
    """`count` fresh numbers for members joining `org`, issued in `year`. Runs in the caller's
    transaction when there is one: the serials are only used if it commits."""
    prefix = f"{province_digits(org)}{year:04d}"
    with transaction.atomic():
        NumberSequence.objects.get_or_create(prefix=prefix)
        seq = NumberSequence.objects.select_for_update().get(prefix=prefix)
        first = seq.last + 1
        seq.last += count
        seq.save(update_fields=["last"])
    # The check character of a block, computed from the prefix's weighted sum (once) and the
    # serial's two halves (tables): an import issues 10,000 numbers per batch.
    base = _weighted(prefix, _WEIGHTS[:6])
    high, low = _serial_sums()
    chars = idcard.CHECK_CHARS
    return [f"{prefix}{serial:08d}{chars[(base + high[serial // 10_000] + low[serial % 10_000]) % 11]}"
            for serial in range(first, first + count)]


def _weighted(digits: str, weights: list[int]) -> int:
    return sum(int(c) * w for c, w in zip(digits, weights, strict=True))


@functools.cache
def _serial_sums() -> tuple[list[int], list[int]]:
    """The weighted sums of the serial's first and last four digits, for every value 0000–9999."""
    return ([_weighted(f"{n:04d}", _WEIGHTS[6:10]) for n in range(10_000)],
            [_weighted(f"{n:04d}", _WEIGHTS[10:]) for n in range(10_000)])
