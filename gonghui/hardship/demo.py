"""The demo county's hardship files (plans, a paired cadre, one due for review) and aid paid on the ledger: a
送温暖 batch approved by the county and recorded by the town, and one 生活救助 payment."""

import datetime

from gonghui.ledger import actions as ledger
from gonghui.ledger.models import FundSource, PaymentKind

from . import actions

CATEGORIES = ["deep", "relative", "accident", "relative", "deep", "relative"]
CAUSES = [["因病"], ["因残"], ["意外事故"], ["子女教育"], ["因病", "失业"], ["因灾"]]


def load(demo) -> None:
    members, county, town, today = demo.members, demo.county, demo.town, demo.today
    if len(members) < len(CATEGORIES):  # a file per category and the 送温暖 batch of four
        return
    files = []
    for i, (member, category) in enumerate(zip(members, CATEGORIES, strict=False)):
        household = [{"name": member.name, "relation": "本人", "monthly_income": 1200 + 150 * i},
                     {"name": "家属", "relation": "配偶", "monthly_income": 300 * (i % 3)}]
        files.append(actions.open_file(
            member=member, level="county", category=category, household=household, by=county,
            causes=CAUSES[i], housing="自有住房" if i % 2 else "租住", measures="生活救助、结对走访、就业推荐",
            responsible=town, opened_on=today - datetime.timedelta(days=400 - 30 * i)))
    actions.pair(file=files[0], cadre=town, by=county)
    warmth, union = PaymentKind.objects.get(code="warmth"), FundSource.objects.get(code="union")
    batch = ledger.approve_disbursement(title=f"{today.year}年春节送温暖", org=town.org, kind=warmth,
                                        fund_source=union, amount_each="500", members=members[:4], by=county)
    ledger.record_disbursement(batch=batch, by=town, key="demo-warmth",
                               paid_on=max(today - datetime.timedelta(days=20), files[3].opened_on))
    living = ledger.approve(member=members[0], kind=PaymentKind.objects.get(code="living"),
                            fund_source=FundSource.objects.get(code="central"), amount="1200", by=county,
                            reason="大病住院后生活困难")
    ledger.record_payment(approval=living, by=town, key="demo-living")
    demo.say(f"困难职工档案 {len(files)} 份，送温暖 4 户已发放。")
