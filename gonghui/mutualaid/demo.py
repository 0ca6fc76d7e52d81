"""The demo province's medical mutual-aid plan, the town's unit enrolment and one claim approved and paid."""

import datetime
from decimal import Decimal

from django.utils import timezone

from gonghui.ledger import actions as ledger

from . import actions
from .models import Plan

CLAIMANT = 5  # the enrolled member who files the demo claim


def load(demo) -> None:
    today, covered, county, town, province = demo.today, demo.members, demo.county, demo.town, demo.province
    if len(covered) <= CLAIMANT:
        return
    plan = actions.save_plan(plan=Plan(
        name=f"{today.year}年度职工住院医疗互助", kind=Plan.Kind.MEDICAL, org=province.org,
        period_start=datetime.date(today.year, 1, 1), period_end=datetime.date(today.year, 12, 31),
        premium=Decimal("60"), deductible=Decimal("1000"), ratio=Decimal("0.5"), per_claim_cap=Decimal("5000"),
        yearly_cap=Decimal("10000"), claim_days=180), by=province)
    actions.enrol(plan=plan, org=town.org, members=covered, by=town)
    visit = max(today - datetime.timedelta(days=10), plan.period_start)  # covered also in early January
    claim = actions.file_claim(member=covered[CLAIMANT], event_date=visit,
                               expense="8600", consent_at=timezone.now(), by=town, plan=plan)
    claim = actions.approve_claim(claim=claim, by=county)
    ledger.record_payment(approval=claim.approval, by=town, key="demo-claim")
    demo.say(f"医疗互助参保 {len(covered)} 人，互助金申请 1 件已给付。")
