"""Figures of the worker portal (`portal.`), by subtree and period: online applications received,
approved and returned; QR scans and joins by QR; e-cards issued and verified."""

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from gonghui.common.dates import local_span
from gonghui.stats import rollups
from gonghui.stats.registry import Flow, figure

from .models import ApplicationEvent, CardCheck, JoinApplication, JoinLink, MemberCard, QrScan

TZ = timezone.get_current_timezone()
S = JoinApplication.Status

# The rollups: decisions by the application's union on their local day; scans by the link's union; cards and
# their checks by the issuing union.
rollups.source("portal_applications", JoinApplication, [
    rollups.Part(lambda pks: ApplicationEvent.objects.filter(rollups.subjects("application_id", pks),
                                                             status__in=[S.ACCEPTED, S.RETURNED]),
                 org="application__org_id", day=TruncDate("at", tzinfo=TZ), counters={
                     "portal.approved": Count("pk", filter=Q(status=S.ACCEPTED)),
                     "portal.returned": Count("pk", filter=Q(status=S.RETURNED)),
                     "portal.qr_joins": Count("pk", filter=Q(status=S.ACCEPTED,
                                                             application__channel=JoinApplication.Channel.QR))}),
], watch={JoinApplication: "pk", ApplicationEvent: "application_id"})
rollups.source("portal_scans", JoinLink, [
    rollups.Part(lambda pks: QrScan.objects.filter(rollups.subjects("link_id", pks)), org="link__org_id",
                 day=TruncDate("at", tzinfo=TZ), counters={"portal.qr_scans": Count("pk")}),
], watch={JoinLink: "pk", QrScan: "link_id"})
rollups.source("portal_cards", MemberCard, [
    rollups.Part(lambda pks: MemberCard.objects.filter(rollups.subjects("pk", pks)), org="org_id",
                 day=TruncDate("issued_at", tzinfo=TZ), counters={"portal.cards_issued": Count("pk")}),
    rollups.Part(lambda pks: CardCheck.objects.filter(rollups.subjects("card_id", pks)), org="card__org_id",
                 day=TruncDate("at", tzinfo=TZ), counters={"portal.cards_verified": Count("pk")}),
], watch={MemberCard: "pk", CardCheck: "card_id"})


def _during(field: str, start, end) -> dict:
    since, until = local_span(start, end)
    return {f"{field}__gte": since, f"{field}__lt": until}


def _in(org, prefix: str = "") -> Q:
    return Q(**{f"{prefix}org__path__startswith": org.path})


def _events(org, start, end, status: str):
    """Applications that reached `status` in the period."""
    return ApplicationEvent.objects.filter(_in(org, "application__"), status=status, **_during("at", start, end))


@figure("portal.applications_received", label="网上入会申请受理数", unit="件", additive=False,
        definition="期内提交（含补正后重新提交）的网上入会申请件数，同一申请只计一次，计入申请加入的工会。")
def applications_received(org, start, end) -> int:
    """Applications submitted in the period; one corrected and resubmitted in it counts once."""
    return _events(org, start, end, JoinApplication.Status.SUBMITTED).values("application").distinct().count()


@figure("portal.applications_approved", label="网上入会申请通过数", unit="件", tally=Flow("portal.approved"),
        definition="期内审核通过的网上入会申请件数，计入申请加入的工会。")
def applications_approved(org, start, end) -> int:
    return _events(org, start, end, JoinApplication.Status.ACCEPTED).count()


@figure("portal.applications_returned", label="网上入会申请退回数", unit="件次", tally=Flow("portal.returned"),
        definition="期内退回申请人补正的次数，计入申请加入的工会。")
def applications_returned(org, start, end) -> int:
    return _events(org, start, end, JoinApplication.Status.RETURNED).count()


@figure("portal.qr_scans", label="扫码次数", unit="次", tally=Flow("portal.qr_scans"),
        definition="期内扫描本组织范围内工会入会二维码的次数。")
def qr_scans(org, start, end) -> int:
    return QrScan.objects.filter(_in(org, "link__"), **_during("at", start, end)).count()


@figure("portal.qr_joins", label="扫码入会人数", unit="人", tally=Flow("portal.qr_joins"),
        definition="期内经扫码提交并审核通过的入会申请件数，计入申请加入的工会。")
def qr_joins(org, start, end) -> int:
    return _events(org, start, end, JoinApplication.Status.ACCEPTED).filter(
        application__channel=JoinApplication.Channel.QR).count()


@figure("portal.cards_issued", label="电子会员卡发放数", unit="张", tally=Flow("portal.cards_issued"),
        definition="期内发放的电子会员卡张数，计入发卡工会。")
def cards_issued(org, start, end) -> int:
    return MemberCard.objects.filter(_in(org), **_during("issued_at", start, end)).count()


@figure("portal.cards_verified", label="电子会员卡验证次数", unit="次", tally=Flow("portal.cards_verified"),
        definition="期内验证本组织范围内工会所发电子会员卡的次数。")
def cards_verified(org, start, end) -> int:
    return CardCheck.objects.filter(_in(org, "card__"), **_during("at", start, end)).count()
