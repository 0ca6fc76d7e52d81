"""The demo province's programs: a few hardship files in the demo county (plans, a paired cadre, one due for
review), aid paid on the ledger (a 送温暖 batch approved by the county and recorded by the town), a medical
mutual-aid plan of the province with the town's unit enrolment and one claim approved and paid, so the
back-office pages and figures show something after `make run`. Written through the actions, like a user."""

import datetime
from decimal import Decimal

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.hardship import actions as hardship
from gonghui.ledger import actions as ledger
from gonghui.ledger.models import FundSource, PaymentKind
from gonghui.members.models import Member
from gonghui.mutualaid import actions as mutualaid
from gonghui.mutualaid.models import Plan

CATEGORIES = ["deep", "relative", "accident", "relative", "deep", "relative"]
CAUSES = [["因病"], ["因残"], ["意外事故"], ["子女教育"], ["因病", "失业"], ["因灾"]]
ENROLLED = 30  # the town's first active members enrolled in mutual aid; the first six also get hardship files
CLAIMANT = 5  # the enrolled member who files the demo claim (hence at least six members)


def load_programs(say) -> None:
    county, town = User.objects.get(username="xian"), User.objects.get(username="zhen")
    members = list(Member.objects.filter(org__path__startswith=town.org.path, status=Member.Status.ACTIVE)
                   .select_related("org").order_by("id")[:ENROLLED])
    if len(members) < len(CATEGORIES):  # a file per category, the 送温暖 batch of four and the claimant
        return
    today = timezone.localdate()
    files = []
    for i, (member, category) in enumerate(zip(members, CATEGORIES, strict=False)):
        household = [{"name": member.name, "relation": "本人", "monthly_income": 1200 + 150 * i},
                     {"name": "家属", "relation": "配偶", "monthly_income": 300 * (i % 3)}]
        files.append(hardship.open_file(
            member=member, level="county", category=category, household=household, by=county,
            causes=CAUSES[i], housing="自有住房" if i % 2 else "租住", measures="生活救助、结对走访、就业推荐",
            responsible=town, opened_on=today - datetime.timedelta(days=400 - 30 * i)))
    hardship.pair(file=files[0], cadre=town, by=county)
    warmth, union = PaymentKind.objects.get(code="warmth"), FundSource.objects.get(code="union")
    batch = ledger.approve_disbursement(title=f"{today.year}年春节送温暖", org=town.org, kind=warmth,
                                        fund_source=union, amount_each="500", members=members[:4], by=county)
    ledger.record_disbursement(batch=batch, by=town, key="demo-warmth",
                               paid_on=max(today - datetime.timedelta(days=20), files[3].opened_on))
    living = ledger.approve(member=members[0], kind=PaymentKind.objects.get(code="living"),
                            fund_source=FundSource.objects.get(code="central"), amount="1200", by=county,
                            reason="大病住院后生活困难")
    ledger.record_payment(approval=living, by=town, key="demo-living")
    _mutual_aid(today, county, town, members)
    say(f"困难职工档案 {len(files)} 份，送温暖 {len(members[:4])} 户已发放；医疗互助参保 {len(members)} 人。")


def _mutual_aid(today: datetime.date, county: User, town: User, covered: list[Member]) -> None:
    province = User.objects.get(username="sheng")
    plan = mutualaid.save_plan(plan=Plan(
        name=f"{today.year}年度职工住院医疗互助", kind=Plan.Kind.MEDICAL, org=province.org,
        period_start=datetime.date(today.year, 1, 1), period_end=datetime.date(today.year, 12, 31),
        premium=Decimal("60"), deductible=Decimal("1000"), ratio=Decimal("0.5"), per_claim_cap=Decimal("5000"),
        yearly_cap=Decimal("10000"), claim_days=180), by=province)
    mutualaid.enrol(plan=plan, org=town.org, members=covered, by=town)
    visit = max(today - datetime.timedelta(days=10), plan.period_start)  # covered also in early January
    claim = mutualaid.file_claim(member=covered[CLAIMANT], event_date=visit,
                                 expense="8600", consent_at=timezone.now(), by=town, plan=plan)
    claim = mutualaid.approve_claim(claim=claim, by=county)
    ledger.record_payment(approval=claim.approval, by=town, key="demo-claim")
