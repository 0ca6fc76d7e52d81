"""Reading the ledger: a person's entries with yearly totals and duplicate flags, and the per-union
totals recomputed from the entries (for `gonghui reconcile-ledger`)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.functions import ExtractYear

from gonghui.members.models import Member

from .models import Approval, Entry, UnionTotal


@dataclass
class Year:
    year: int
    total: Decimal = Decimal("0")
    by_kind: dict[str, Decimal] = field(default_factory=dict)


def person_ledger(member: Member) -> tuple[list[Entry], list[Year]]:
    """Every entry of `member` (newest first; each payment flagged `.duplicate` when the same kind was
    paid within the kind's window before it — `PaymentKind.duplicate_window`, as the warning at approval —
    neither reversed) and the totals per year, net of reversals."""
    entries = list(Entry.objects.filter(member=member).select_related(
        "org", "kind", "fund_source", "approved_by", "recorded_by", "reversal_of").order_by("-paid_on", "-id"))
    reversed_ids = {e.reversal_of_id for e in entries if e.reversal_of_id}
    live = [e for e in entries if e.reversal_of_id is None and e.pk not in reversed_ids]
    for e in entries:
        e.reversed = e.pk in reversed_ids
        window = e.kind.duplicate_window(e.paid_on)
        e.duplicate = e in live and window is not None and any(
            o.kind_id == e.kind_id and window[0] <= o.paid_on <= window[1] and (o.paid_on, o.pk) < (e.paid_on, e.pk)
            for o in live)
    years: dict[int, Year] = {}
    for e in entries:
        y = years.setdefault(e.paid_on.year, Year(e.paid_on.year))
        y.total += e.amount
        y.by_kind[e.kind.name] = y.by_kind.get(e.kind.name, Decimal("0")) + e.amount
    return entries, sorted(years.values(), key=lambda y: -y.year)


Key = tuple[int, int, int, int]  # org, year, kind, fund source


def recomputed_totals() -> dict[Key, tuple[Decimal, int]]:
    rows = (Entry.objects.annotate(year=ExtractYear("paid_on"))
            .values("org_id", "year", "kind_id", "fund_source_id")
            .annotate(amount=Sum("amount"), n=Count("id")))
    return {(r["org_id"], r["year"], r["kind_id"], r["fund_source_id"]): (r["amount"], r["n"]) for r in rows}


def stored_totals() -> dict[Key, tuple[Decimal, int]]:
    return {(t.org_id, t.year, t.kind_id, t.fund_source_id): (t.amount, t.entries) for t in UnionTotal.objects.all()}


def differences() -> tuple[list[dict], int]:
    """Where a union's running book differs from its entries — [{key, stored, recomputed}] — and how many
    keys (union, year, kind, fund source) were checked. Each side is read once."""
    recomputed, stored = recomputed_totals(), stored_totals()
    out = []
    zero = (Decimal("0"), 0)
    for key in sorted(set(recomputed) | set(stored)):
        a, b = stored.get(key, zero), recomputed.get(key, zero)
        if a[0] != b[0] or a[1] != b[1]:
            out.append({"key": key, "stored": a, "recomputed": b})
    return out, len(recomputed)


def unpaired() -> dict[str, list[int]]:
    """Approvals whose status disagrees with their entries: approved with a payment entry, or paid (or
    reversed) with none. Two queries, whatever the number of approvals."""
    payment = Entry.objects.filter(approval=OuterRef("pk"), reversal_of__isnull=True)
    found = {
        "approved_but_paid": Approval.objects.filter(Exists(payment), status=Approval.Status.APPROVED),
        "paid_without_entry": Approval.objects.filter(~Exists(payment), status__in=[Approval.Status.PAID,
                                                                                    Approval.Status.REVERSED]),
    }
    problems = {name: list(qs.order_by("pk").values_list("pk", flat=True)) for name, qs in found.items()}
    return {name: pks for name, pks in problems.items() if pks}
