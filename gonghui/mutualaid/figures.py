"""Figures of mutual aid (`mutualaid.`) over a subtree and a period: enrolled units (参保单位), covered
members (参保人数), premiums (互助金收入, 万元), claims (申请人次) and benefits paid (给付金额, 万元, from the
ledger, net of reversals). Amounts in 万元 with two places as the reports print them
(Decimal, common.money.wan)."""

from decimal import Decimal

from django.db.models import Sum

from gonghui.common.dates import local_span
from gonghui.common.money import wan
from gonghui.ledger.models import Entry
from gonghui.stats.registry import figure

from .models import Claim, Coverage, Enrolment


def _enrolments(org, start, end):
    since, until = local_span(start, end)
    return Enrolment.objects.filter(org__path__startswith=org.path, enrolled_at__gte=since, enrolled_at__lt=until)


@figure("mutualaid.units", label="参保单位（单位参保）", unit="个")
def units(org, start, end) -> int:
    """Unions of the subtree that enrolled members (单位参保) in the period, each counted once."""
    return _enrolments(org, start, end).filter(source=Enrolment.Source.UNIT).values("org").distinct().count()


@figure("mutualaid.covered_members", label="参保会员", unit="人")
def covered_members(org, start, end) -> int:
    """Members covered at some time in the period by an enrolment of the subtree, each counted once."""
    return (Coverage.objects.filter(enrolment__org__path__startswith=org.path, start__lte=end, end__gte=start)
            .values("member").distinct().count())


@figure("mutualaid.premiums", label="互助金收入", unit="万元")
def premiums(org, start, end) -> Decimal:
    """Premiums of the enrolments made in the period (unit enrolments and gifting campaigns)."""
    return wan(_enrolments(org, start, end).aggregate(s=Sum("premium_total"))["s"])


@figure("mutualaid.claims", label="互助金申请", unit="人次")
def claims(org, start, end) -> int:
    """Claims filed in the period with the unions of the subtree (whatever became of them)."""
    return Claim.objects.filter(org__path__startswith=org.path, filed_on__gte=start, filed_on__lte=end).count()


@figure("mutualaid.benefits_paid", label="互助金给付", unit="万元")
def benefits_paid(org, start, end) -> Decimal:
    """Mutual-aid payments on the ledger in the period by the unions of the subtree, reversals deducted."""
    total = Entry.objects.filter(org__path__startswith=org.path, paid_on__gte=start, paid_on__lte=end,
                                 kind__program="mutual_aid").aggregate(s=Sum("amount"))["s"]
    return wan(total)
