"""The demo province's medical mutual aid over the year: the province's plan for the year, the county's unions
enrolling their members in January (单位参保), and claims — filed by the county, approved by the city and paid
on the ledger, or refused (不予给付), the latest still waiting — and a few 医疗互助报销 through the hall, whose
approval files and approves the claim. At the larger scales the same rows are written in bulk (`bulk.py`)."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count

from gonghui.common.errors import DomainError
from gonghui.hall import actions as hall
from gonghui.hall.demo import run_fate
from gonghui.hall.models import ServiceItem
from gonghui.ledger import actions as ledger
from gonghui.members.models import Member
from gonghui.orgs.models import Org

from . import actions
from .models import Claim, Plan

UNIONS = 8
CLAIMS = 12
FROM_HALL = 4
INVOICE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HOSPITALS = ["安徽医科大学第一附属医院", "合肥市第一人民医院", "县人民医院", "县中医院"]


def new_plan(today: datetime.date) -> Plan:
    return Plan(name=f"{today.year}年度职工住院医疗互助", kind=Plan.Kind.MEDICAL,
                period_start=datetime.date(today.year, 1, 1), period_end=datetime.date(today.year, 12, 31),
                premium=Decimal("60"), deductible=Decimal("1000"), ratio=Decimal("0.5"),
                per_claim_cap=Decimal("5000"), yearly_cap=Decimal("10000"), claim_days=180)


def load(demo) -> None:
    if demo.bulk:
        from . import bulk

        bulk.load(demo)
        return
    rng, county, city, province = demo.rng("mutualaid"), demo.county, demo.city or demo.province, demo.province
    plan = new_plan(demo.today)
    plan.org = province.org
    start = plan.period_start
    with demo.at(demo.moment(rng, max(start - datetime.timedelta(days=20), demo.first_day))):
        plan = actions.save_plan(plan=plan, by=province)
    # The unions of the members with a worker account first (they claim through the hall), then the largest.
    unions = list(Org.objects.filter(pk__in=Member.objects.subtree(county.org).active()
                                     .filter(worker__isnull=False).values("org")).order_by("code")[:UNIONS // 2])
    unions += [o for o in Org.objects.subtree(county.org).filter(kind=Org.Kind.GRASSROOTS, status=Org.Status.ACTIVE)
               .annotate(n=Count("members")).order_by("-n", "code")[:UNIONS] if o not in unions][:UNIONS - len(unions)]
    covered: list[Member] = []
    for union in unions:
        members = list(Member.objects.filter(org=union, status=Member.Status.ACTIVE).select_related("org")
                       .order_by("id")[:actions.ENROLMENT_LIMIT])
        if not members:
            continue
        with demo.at(demo.moment(rng, demo.day(rng, start, start + datetime.timedelta(days=30)))):
            actions.enrol(plan=plan, org=union, members=members, by=county)
        covered += members
    claims = _claims(demo, rng, plan, [m for m in covered if not hasattr(m, "worker")], by=county, decider=city)
    claims += _from_hall(demo, rng, [m for m in covered if hasattr(m, "worker")], recorder=city)
    demo.say(f"医疗互助参保 {len(unions)} 个单位 {len(covered)} 人，互助金申请 {claims} 件。")


def _claims(demo, rng, plan: Plan, members: list[Member], *, by, decider) -> int:
    """Claims filed by the county: most approved by the city and paid, some refused, the latest waiting."""
    filed = 0
    for i, member in enumerate(members[:CLAIMS * 2]):
        if filed >= CLAIMS:
            break
        waiting = i % 6 == 5
        latest = demo.today - datetime.timedelta(days=3 if waiting else 20)
        event = demo.day(rng, plan.period_start, latest - datetime.timedelta(days=5))
        filed_on = min(event + datetime.timedelta(days=rng.randint(1, 15)), latest)
        try:
            with demo.at(demo.moment(rng, filed_on)):
                claim = actions.file_claim(member=member, event_date=event, expense=str(rng.randint(1800, 16000)),
                                           consent_at=demo.moment(rng, filed_on), by=by, plan=plan)
        except DomainError:
            continue
        filed += 1
        if waiting:
            continue
        decided = filed_on + datetime.timedelta(days=rng.randint(2, 8))
        with demo.at(demo.moment(rng, decided)):
            if i % 6 == 4:
                actions.reject_claim(claim=claim, by=decider, reason="就诊医院不在计划约定的定点医疗机构范围内。")
                continue
            claim = actions.approve_claim(claim=claim, by=decider)
        paid = min(decided + datetime.timedelta(days=rng.randint(1, 6)), demo.today)
        with demo.at(demo.moment(rng, paid)):
            ledger.record_payment(approval=claim.approval, by=by, key=f"demo-claim-{claim.pk}", paid_on=paid)
    return filed


def _from_hall(demo, rng, members: list[Member], *, recorder) -> int:
    """医疗互助报销 through the hall: the county's approval files and approves the claim; the city records the
    payment (the approving cadre does not)."""
    item = ServiceItem.objects.filter(code="medical_mutual").select_related("current").first()
    if item is None or item.current is None:
        return 0
    cadres = [c for c in (demo.grassroots, demo.town, demo.county, demo.city, demo.province) if c is not None]
    done = 0
    for member in members[:FROM_HALL]:
        start = datetime.date(demo.today.year, 1, 1)
        visit = demo.day(rng, start, demo.today - datetime.timedelta(days=40))
        moment = demo.moment(rng, visit + datetime.timedelta(days=rng.randint(2, 10)))
        with demo.at(moment):
            app = hall.file_application(
                item=item, applicant=member.worker.user, applicant_org=member.org, applicant_name=member.name,
                raw={"name": member.name, "visit_date": visit.isoformat(), "hospital": rng.choice(HOSPITALS),
                     "amount": str(rng.randint(3000, 12000)), "health_consent": True},
                uploads={"invoice": SimpleUploadedFile("医疗费用发票.pdf", INVOICE, "application/pdf")})
        app = run_fate(demo, rng, cadres, app, "on_time", moment)
        claim = Claim.objects.filter(application=app).select_related("approval").first()
        if claim is None or claim.approval is None:
            continue
        paid = min(claim.decided_at.date() + datetime.timedelta(days=2), demo.today)
        with demo.at(demo.moment(rng, paid)):
            ledger.record_payment(approval=claim.approval, by=recorder, key=f"demo-claim-{claim.pk}", paid_on=paid)
        done += 1
    return done
