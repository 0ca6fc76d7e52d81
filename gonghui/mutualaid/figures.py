"""Figures of mutual aid (`mutualaid.`) over a subtree and a period: enrolled units (参保单位), covered
members (参保人数), premiums (互助金收入, 万元), claims (申请人次) and benefits paid (给付金额, 万元, from the
ledger, net of reversals). Amounts in 万元 with two places as the reports print them
(Decimal, common.money.wan)."""

from decimal import Decimal

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from gonghui.common.dates import local_span
from gonghui.common.money import wan
from gonghui.ledger.models import Entry
from gonghui.stats import rollups
from gonghui.stats.registry import Flow, figure

from .models import Claim, Coverage, Enrolment

rollups.source("mutualaid_enrolments", Enrolment, [
    rollups.Part(lambda pks: Enrolment.objects.filter(rollups.subjects("pk", pks)), org="org_id",
                 day=TruncDate("enrolled_at", tzinfo=timezone.get_current_timezone()),
                 counters={"mutualaid.premiums": Sum(F("premium_total") * 100)}),
], watch={Enrolment: "pk"})
rollups.source("mutualaid_claims", Claim, [
    rollups.Part(lambda pks: Claim.objects.filter(rollups.subjects("pk", pks)), org="org_id", day="filed_on",
                 counters={"mutualaid.claims": Count("pk")}),
], watch={Claim: "pk"})
rollups.source("mutualaid_benefits", Entry, [
    rollups.Part(lambda pks: Entry.objects.filter(rollups.subjects("pk", pks), kind__program="mutual_aid"),
                 org="org_id", day="paid_on", counters={"mutualaid.benefits": Sum(F("amount") * 100)}),
], watch={Entry: "pk"})


def _enrolments(org, start, end):
    since, until = local_span(start, end)
    return Enrolment.objects.filter(org__path__startswith=org.path, enrolled_at__gte=since, enrolled_at__lt=until)


@figure("mutualaid.units", label="参保单位（单位参保）", unit="个", additive=False,
        definition="期内以单位参保方式为会员参保的工会个数，每个工会只计一次。")
def units(org, start, end) -> int:
    """Unions of the subtree that enrolled members (单位参保) in the period, each counted once."""
    return _enrolments(org, start, end).filter(source=Enrolment.Source.UNIT).values("org").distinct().count()


@figure("mutualaid.covered_members", label="参保会员", unit="人", additive=False,
        definition="期内任一时间处于本组织范围内参保保障期的会员人数，每人只计一次。")
def covered_members(org, start, end) -> int:
    """Members covered at some time in the period by an enrolment of the subtree, each counted once."""
    return (Coverage.objects.filter(enrolment__org__path__startswith=org.path, start__lte=end, end__gte=start)
            .values("member").distinct().count())


@figure("mutualaid.premiums", label="互助金收入", unit="万元", tally=Flow("mutualaid.premiums", money=True),
        definition="期内办理的参保（单位参保与赠送活动）的互助金合计，单位万元。")
def premiums(org, start, end) -> Decimal:
    """Premiums of the enrolments made in the period (unit enrolments and gifting campaigns)."""
    return wan(_enrolments(org, start, end).aggregate(s=Sum("premium_total"))["s"])


@figure("mutualaid.claims", label="互助金申请", unit="人次", tally=Flow("mutualaid.claims"),
        definition="期内向本组织范围内工会提出的互助金申请人次（不论结果）。")
def claims(org, start, end) -> int:
    """Claims filed in the period with the unions of the subtree (whatever became of them)."""
    return Claim.objects.filter(org__path__startswith=org.path, filed_on__gte=start, filed_on__lte=end).count()


@figure("mutualaid.benefits_paid", label="互助金给付", unit="万元", tally=Flow("mutualaid.benefits", money=True),
        definition="期内各工会在台账上给付的互助金合计（冲销后），单位万元。")
def benefits_paid(org, start, end) -> Decimal:
    """Mutual-aid payments on the ledger in the period by the unions of the subtree, reversals deducted."""
    total = Entry.objects.filter(org__path__startswith=org.path, paid_on__gte=start, paid_on__lte=end,
                                 kind__program="mutual_aid").aggregate(s=Sum("amount"))["s"]
    return wan(total)
