"""Amounts in 元 as people type them: Decimal with two places, never float (STYLE: money)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import DomainError

CENT = Decimal("0.01")
WAN = Decimal("10000")
MAX_YUAN = Decimal("9999999999.99")  # the amount columns' max_digits=12, decimal_places=2


def parse_yuan(value, *, label: str, field: str | None = None) -> Decimal:
    """A non-negative amount in 元 with at most two decimal places ("1,200.5" → 1200.50), or a DomainError
    naming `label`. Empty is 0. Exponent notation ("1e3") is refused, and so is anything above `MAX_YUAN`
    ("1e30" must be refused, not crash)."""
    text = str(value if value is not None else "").replace(",", "").replace("，", "").strip()
    if "e" in text.lower():
        raise DomainError(f"“{label}”应为金额（元），请直接写数字，如 1200.50。", field=field)
    try:
        amount = Decimal(text or "0")
    except InvalidOperation:
        raise DomainError(f"“{label}”应为金额（元）。", field=field) from None
    if amount.is_finite() and amount > MAX_YUAN:  # before quantize, which cannot hold 29 digits
        raise DomainError(f"“{label}”应为小于 100 亿元的金额。", field=field)
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise DomainError(f"“{label}”应为不小于0的金额（元，最多两位小数）。", field=field)
    return amount.quantize(CENT)


def wan(yuan: Decimal | None) -> Decimal:
    """元 → 万元 with two places, half up, as reports print amounts (0 for no amount)."""
    return (Decimal(yuan or 0) / WAN).quantize(CENT, rounding=ROUND_HALF_UP)


def yuan(amount: Decimal) -> str:
    """An amount as messages and working lines print it: 12000 → "12,000.00 元" (half up to the fen)."""
    return f"{Decimal(amount).quantize(CENT, ROUND_HALF_UP):,.2f} 元"
