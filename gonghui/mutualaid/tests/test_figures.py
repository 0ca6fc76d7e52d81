"""Issue 6 part 5, done-when "figures against hand-counted fixtures": the mutualaid.* figures by subtree and
period — enrolled units, covered members, premiums (万元), claims (人次), benefits paid (万元, net of reversals,
other kinds of payment left out)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.conftest import make_cadre
from gonghui.ledger import actions as ledger
from gonghui.ledger.models import FundSource, PaymentKind
from gonghui.mutualaid import actions
from gonghui.mutualaid.models import Campaign
from gonghui.stats.registry import compute

from .conftest import TODAY

pytestmark = pytest.mark.django_db
PERIOD = (TODAY - datetime.timedelta(days=30), TODAY)
EVENT = TODAY - datetime.timedelta(days=5)


@pytest.fixture
def world(tree, plan, member_factory):
    """Hand-counted (premium 600 元):
    - G1111 enrols 甲 乙 丙 (1,800); G1112 enrols 丁 (600); G1211 (K12) enrols 戊 (600);
      K11's campaign covers the new courier 己 of G1111 (600; a campaign, not a unit).
    - Claims: 甲 approved 5,000 and paid (K11); 乙 refused (K11); 戊 approved 1,500, paid, reversed (K12).
    - 甲 also receives 800 of 大病救助 (not mutual aid)."""
    plan.premium = Decimal("600.00")
    plan.save()
    people = {n: member_factory(o, name=n) for n, o in
              [("甲", "G1111"), ("乙", "G1111"), ("丙", "G1111"), ("丁", "G1112"), ("戊", "G1211")]}
    people["己"] = member_factory("G1111", name="己", worker_group="courier", join_date=plan.period_start.isoformat())
    for org, names in (("G1111", "甲乙丙"), ("G1112", "丁"), ("G1211", "戊")):
        actions.enrol(plan=plan, org=tree[org], members=[people[n] for n in names],
                      by=make_cadre(tree[org], "operator"))
    k11 = make_cadre(tree["K11"], "operator")
    campaign = actions.save_campaign(campaign=Campaign(name="快递员", plan=plan, org=tree["K11"],
                                                       worker_groups=["courier"]), by=k11)
    actions.run_campaign(campaign=campaign, by=k11)
    now = timezone.now()
    for county, name, expense, decide in (("K11", "甲", "12000", "pay"), ("K11", "乙", "3000", "reject"),
                                          ("K12", "戊", "4000", "reverse")):
        operator, approver = make_cadre(tree[county], "operator", username=f"o{name}"), make_cadre(
            tree[county], "approver", username=f"a{name}")
        claim = actions.file_claim(member=people[name], event_date=EVENT, expense=expense, consent_at=now,
                                   by=operator)
        if decide == "reject":
            actions.reject_claim(claim=claim, by=approver, reason="材料不全")
            continue
        claim = actions.approve_claim(claim=claim, by=approver)
        entry = ledger.record_payment(approval=claim.approval, by=operator, key=ledger.new_key())
        if decide == "reverse":
            ledger.reverse(entry=entry, by=approver, reason="重复")
    aid = ledger.approve(member=people["甲"], kind=PaymentKind.objects.get(code="serious_illness"),
                         fund_source=FundSource.objects.get(code="union"), amount="800", by=make_cadre(
                             tree["K11"], "approver", username="aid"))
    ledger.record_payment(approval=aid, by=k11, key=ledger.new_key())
    return people


def test_figures_by_subtree(tree, world):
    """Done-when: K11 — 2 units, 5 covered, 0.30 万元 premiums (3,000), 2 claims, 0.50 万元 paid; K12 — 1 unit,
    1 covered, 0.06, 1 claim, 0.00 net of the reversal; the province adds both; C2 has nothing."""
    assert compute(tree["K11"], *PERIOD, prefix="mutualaid.") == {
        "mutualaid.units": 2, "mutualaid.covered_members": 5,
        "mutualaid.premiums": Decimal("0.30"), "mutualaid.claims": 2,
        "mutualaid.benefits_paid": Decimal("0.50")}
    assert compute(tree["K12"], *PERIOD, prefix="mutualaid.") == {
        "mutualaid.units": 1, "mutualaid.covered_members": 1,
        "mutualaid.premiums": Decimal("0.06"), "mutualaid.claims": 1,
        "mutualaid.benefits_paid": Decimal("0.00")}
    assert compute(tree["P"], *PERIOD, prefix="mutualaid.") == {
        "mutualaid.units": 3, "mutualaid.covered_members": 6,
        "mutualaid.premiums": Decimal("0.36"), "mutualaid.claims": 3,
        "mutualaid.benefits_paid": Decimal("0.50")}
    assert set(compute(tree["C2"], *PERIOD, prefix="mutualaid.").values()) == {0}
    # G1111 alone: its unit enrolment (the campaign was K11's), 3 covered, claims handled by the county.
    assert compute(tree["G1111"], *PERIOD, prefix="mutualaid.") == {
        "mutualaid.units": 1, "mutualaid.covered_members": 3,
        "mutualaid.premiums": Decimal("0.18"), "mutualaid.claims": 0,
        "mutualaid.benefits_paid": Decimal("0.00")}


def test_figures_by_period(tree, world, plan):
    """Done-when: a period before the plan has no cover, enrolment, claim or payment."""
    before = (plan.period_start - datetime.timedelta(days=60), plan.period_start - datetime.timedelta(days=1))
    assert set(compute(tree["P"], *before, prefix="mutualaid.").values()) == {0}
