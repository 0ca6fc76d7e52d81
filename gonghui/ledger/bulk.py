"""Payments written in bulk (the demo at a province's size), as `actions.approve`, `record_payment`, `reverse`
and the 批量发放 leave them: the approval, its payment entry recorded by someone other than the approver, a
reversal entry of the opposite amount where one was reversed, the approval's status, and each union's running
book (UnionTotal) brought level with its entries. Without the audit entries (the caller's load has one)."""

import dataclasses
import datetime
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear

from .models import Approval, Disbursement, Entry, FundSource, PaymentKind, UnionTotal

BATCH = 5000


@dataclasses.dataclass
class Payment:
    member_id: int
    org_id: int  # the paying union
    kind: PaymentKind
    fund_source: FundSource
    amount: Decimal
    approved_at: datetime.datetime
    paid_on: datetime.date | None = None  # None: approved, not paid yet
    reversed_on: datetime.date | None = None
    reason: str = ""
    hardship_file_id: int | None = None
    batch: Disbursement | None = None
    source: str = ""


def write(payments: list[Payment], *, approver, recorder, key: str) -> list[Approval]:
    """Write the approvals, entries and reversals of `payments` (the caller keeps their times: bulk_create
    with auto_now_add switched off); `key` prefixes the idempotency keys. Returns the approvals, in order."""
    S = Approval.Status
    approvals = Approval.objects.bulk_create([
        Approval(member_id=p.member_id, org_id=p.org_id, kind=p.kind, fund_source=p.fund_source, amount=p.amount,
                 reason=p.reason, hardship_file_id=p.hardship_file_id, batch=p.batch, source=p.source,
                 approved_by=approver, approved_at=p.approved_at,
                 status=S.REVERSED if p.reversed_on else S.PAID if p.paid_on else S.APPROVED)
        for p in payments], batch_size=BATCH)
    paid = [(a, p) for a, p in zip(approvals, payments, strict=True) if p.paid_on]
    entries = Entry.objects.bulk_create([
        Entry(member_id=p.member_id, org_id=p.org_id, kind=p.kind, fund_source=p.fund_source, amount=p.amount,
              paid_on=p.paid_on, approval=a, approved_by=approver, recorded_by=recorder,
              recorded_at=_at(p.paid_on, p.approved_at), idempotency_key=f"{key}:{a.pk}")
        for a, p in paid], batch_size=BATCH)
    Entry.objects.bulk_create([
        Entry(member_id=p.member_id, org_id=p.org_id, kind=p.kind, fund_source=p.fund_source, amount=-p.amount,
              paid_on=p.reversed_on, approval=a, approved_by=approver, recorded_by=approver,
              recorded_at=_at(p.reversed_on, p.approved_at), idempotency_key=f"reversal:{e.pk}", reversal_of=e,
              note="冲销：重复发放，予以冲销")
        for (a, p), e in zip(paid, entries, strict=True) if p.reversed_on], batch_size=BATCH)
    return approvals


def _at(day: datetime.date, approved: datetime.datetime) -> datetime.datetime:
    """A recording moment on `day`: the approval's hour of day, on that day."""
    return approved + datetime.timedelta(days=(day - approved.date()).days)


def add_to_totals(org_ids) -> None:
    """Bring the running books (UnionTotal) of the unions `org_ids` level with their entries, as the payments
    written one by one would have left them (`gonghui reconcile-ledger` finds no difference)."""
    org_ids = list(set(org_ids))
    UnionTotal.objects.filter(org_id__in=org_ids).delete()
    rows = (Entry.objects.filter(org_id__in=org_ids).annotate(year=ExtractYear("paid_on"))
            .values("org_id", "year", "kind_id", "fund_source_id").annotate(amount=Sum("amount"), n=Count("id"))
            .order_by())
    UnionTotal.objects.bulk_create([UnionTotal(org_id=r["org_id"], year=r["year"], kind_id=r["kind_id"],
                                               fund_source_id=r["fund_source_id"], amount=r["amount"],
                                               entries=r["n"]) for r in rows], batch_size=BATCH)
