"""Amounts in 元 as people type them: Decimal with two places, never float (STYLE: money)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import DomainError

CENT = Decimal("0.01")
WAN = Decimal("10000")


def parse_yuan(value, *, label: str, field: str | None = None) -> Decimal:
    """A non-negative amount in 元 with at most two decimal places ("1,200.5" → 1200.50), or a DomainError
    naming `label`. Empty is 0."""
    text = str(value if value is not None else "").replace(",", "").replace("，", "").strip()
    try:
        amount = Decimal(text or "0")
    except InvalidOperation:
        raise DomainError(f"“{label}”应为金额（元）。", field=field) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise DomainError(f"“{label}”应为不小于0的金额（元，最多两位小数）。", field=field)
    return amount.quantize(CENT)


def wan(yuan: Decimal | None) -> Decimal:
    """元 → 万元 with two places, half up, as reports print amounts (0 for no amount)."""
    return (Decimal(yuan or 0) / WAN).quantize(CENT, rounding=ROUND_HALF_UP)
