"""Figures of the worker portal (`portal.`), by subtree and period: online applications received,
approved and returned; QR scans and joins by QR; e-cards issued and verified."""

from django.db.models import Q

from gonghui.common.dates import local_span
from gonghui.stats.registry import figure

from .models import ApplicationEvent, CardCheck, JoinApplication, MemberCard, QrScan


def _during(field: str, start, end) -> dict:
    since, until = local_span(start, end)
    return {f"{field}__gte": since, f"{field}__lt": until}


def _in(org, prefix: str = "") -> Q:
    return Q(**{f"{prefix}org__path__startswith": org.path})


def _events(org, start, end, status: str):
    """Applications that reached `status` in the period."""
    return ApplicationEvent.objects.filter(_in(org, "application__"), status=status, **_during("at", start, end))


@figure("portal.applications_received", label="网上入会申请受理数", unit="件")
def applications_received(org, start, end) -> int:
    """Applications submitted in the period; one corrected and resubmitted in it counts once."""
    return _events(org, start, end, JoinApplication.Status.SUBMITTED).values("application").distinct().count()


@figure("portal.applications_approved", label="网上入会申请通过数", unit="件")
def applications_approved(org, start, end) -> int:
    return _events(org, start, end, JoinApplication.Status.ACCEPTED).count()


@figure("portal.applications_returned", label="网上入会申请退回数", unit="件次")
def applications_returned(org, start, end) -> int:
    return _events(org, start, end, JoinApplication.Status.RETURNED).count()


@figure("portal.qr_scans", label="扫码次数", unit="次")
def qr_scans(org, start, end) -> int:
    return QrScan.objects.filter(_in(org, "link__"), **_during("at", start, end)).count()


@figure("portal.qr_joins", label="扫码入会人数", unit="人")
def qr_joins(org, start, end) -> int:
    return _events(org, start, end, JoinApplication.Status.ACCEPTED).filter(
        application__channel=JoinApplication.Channel.QR).count()


@figure("portal.cards_issued", label="电子会员卡发放数", unit="张")
def cards_issued(org, start, end) -> int:
    return MemberCard.objects.filter(_in(org), **_during("issued_at", start, end)).count()


@figure("portal.cards_verified", label="电子会员卡验证次数", unit="次")
def cards_verified(org, start, end) -> int:
    return CardCheck.objects.filter(_in(org, "card__"), **_during("at", start, end)).count()
