"""Reads of mutual aid worth naming: the claim status people read (已给付 is an approved claim whose ledger
approval has been paid)."""

from django.db.models import Q

from gonghui.ledger.models import Approval

from .models import Claim


def paid_claims(queryset):
    """Claims that read 已给付: approved, their ledger approval paid."""
    return queryset.filter(status=Claim.Status.APPROVED, approval__status=Approval.Status.PAID)


def claims_with_status(queryset, status: str):
    """Filter claims by the status people read (已核准 excludes the paid ones)."""
    if status == Claim.Status.PAID:
        return paid_claims(queryset)
    if status == Claim.Status.APPROVED:
        return queryset.filter(status=status).filter(~Q(approval__status=Approval.Status.PAID))
    return queryset.filter(status=status)
