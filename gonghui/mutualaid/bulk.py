"""Mutual aid's year at a province's size, written in bulk as the actions write it (without their audit entries;
the demo load has one): the province's medical plan for the year, unions enrolling all their active members in
its first weeks (单位参保, premium per head), and claims of covered members — benefit and working by the plan's
rules (`rules.compute_benefit`), handled by the county federation above the union — most approved and paid on the
ledger (`ledger.bulk`, source "mutualaid.claim:<id>"), some refused, the latest still waiting."""

import datetime

from gonghui.common.actors import system_actor
from gonghui.ledger import bulk as ledger
from gonghui.ledger.models import FundSource, PaymentKind
from gonghui.members.models import Member
from gonghui.orgs.models import Org

from . import actions
from .actions import FUND_SOURCE_CODE, KIND_CODE
from .demo import new_plan
from .models import Claim, Coverage, Enrolment
from .rules import compute_benefit

PROVINCE_UNIONS = 2_500
PROVINCE_CLAIMS = 9_000
MAX_LIST = 400  # members enrolled per union at most (the largest enrol in several lists; one is enough here)
BATCH = 5000


def load(demo) -> None:
    rng, province = demo.rng("mutualaid"), demo.province
    plan = new_plan(demo.today)
    plan.org = province.org
    with demo.at(demo.moment(rng, max(plan.period_start - datetime.timedelta(days=20), demo.first_day))):
        plan = actions.save_plan(plan=plan, by=province)
    start = plan.period_start
    unions = demo.sample(rng, round(PROVINCE_UNIONS * demo.share),
                         Org.objects.filter(kind=Org.Kind.GRASSROOTS, status=Org.Status.ACTIVE))
    members: dict[int, list[int]] = {}
    ids = [u.pk for u in unions]
    for i in range(0, len(ids), 1000):
        for pk, org_id in (Member.objects.filter(org_id__in=ids[i:i + 1000], status=Member.Status.ACTIVE)
                           .order_by("org_id", "id").values_list("id", "org_id")):
            if len(members.setdefault(org_id, [])) < MAX_LIST:
                members[org_id].append(pk)
    unions = [u for u in unions if members.get(u.pk)]
    with demo.stamped(Enrolment, Claim):
        enrolments = Enrolment.objects.bulk_create([
            Enrolment(plan=plan, org=u, source=Enrolment.Source.UNIT, members_count=len(members[u.pk]),
                      premium_total=plan.premium * len(members[u.pk]), enrolled_by=province,
                      enrolled_at=demo.moment(rng, demo.day(rng, start, min(start + datetime.timedelta(days=40),
                                                                         demo.today))))
            for u in unions], batch_size=BATCH)
        Coverage.objects.bulk_create([
            Coverage(plan=plan, member_id=pk, enrolment=e, start=start, end=plan.period_end)
            for e in enrolments for pk in members[e.org_id]], batch_size=BATCH)
        claims = _claims(demo, rng, plan, enrolments, members)
    demo.say(f"医疗互助参保 {len(enrolments)} 个单位 {sum(e.members_count for e in enrolments)} 人，"
             f"互助金申请 {claims} 件。")


def _claims(demo, rng, plan, enrolments, members) -> int:
    province, recorder = demo.province, system_actor()
    county_of = demo.county_of
    covered = {c.member_id: c for c in Coverage.objects.filter(plan=plan).only("id", "member_id", "enrolment_id")}
    org_of = {e.pk: e.org_id for e in enrolments}
    pool = sorted(covered)
    chosen = rng.sample(pool, min(len(pool), round(PROVINCE_CLAIMS * demo.share)))
    claims = []
    for member_id in chosen:
        coverage = covered[member_id]
        fate = rng.choices(["paid", "rejected", "filed"], weights=[75, 12, 13])[0]
        latest = demo.today - datetime.timedelta(days=4 if fate == "filed" else 25)
        if latest <= plan.period_start + datetime.timedelta(days=5):
            continue
        event = demo.day(rng, plan.period_start, latest - datetime.timedelta(days=3))
        filed_on = min(event + datetime.timedelta(days=rng.randint(1, 20)), latest)
        expense = rng.randint(1500, 30000)
        benefit, working = compute_benefit(plan, expense, 0)
        filed_at = demo.moment(rng, filed_on)
        org_id = county_of(org_of[coverage.enrolment_id])
        claim = Claim(plan=plan, member_id=member_id, coverage=coverage, org_id=org_id,
                      event_date=event, filed_on=filed_on, expense=expense, benefit=benefit, working=working,
                      health_consent_at=filed_at, filed_by=province)
        if fate != "filed":
            claim.decided_by = province
            claim.decided_at = filed_at + datetime.timedelta(days=rng.randint(2, 10))
            claim.status = Claim.Status.REJECTED if fate == "rejected" else Claim.Status.APPROVED
            if fate == "rejected":
                claim.note = "就诊医院不在计划约定的定点医疗机构范围内。"
        claims.append(claim)
    claims = Claim.objects.bulk_create(claims, batch_size=BATCH)
    approved = [c for c in claims if c.status == Claim.Status.APPROVED]
    kind, source = PaymentKind.objects.get(code=KIND_CODE), FundSource.objects.get(code=FUND_SOURCE_CODE)
    approvals = ledger.write([ledger.Payment(
        member_id=c.member_id, org_id=c.org_id, kind=kind, fund_source=source, amount=c.benefit,
        approved_at=c.decided_at, paid_on=min(c.decided_at.date() + datetime.timedelta(days=rng.randint(1, 6)),
                                              demo.today),
        reason=f"{plan.name}互助金（{c.event_date:%Y-%m-%d}）", source=f"mutualaid.claim:{c.pk}") for c in approved],
        approver=province, recorder=recorder, key="demo-claim")
    for claim, approval in zip(approved, approvals, strict=True):
        claim.approval = approval
    Claim.objects.bulk_update(approved, ["approval"], batch_size=BATCH)
    ledger.add_to_totals({c.org_id for c in approved})
    return len(claims)
