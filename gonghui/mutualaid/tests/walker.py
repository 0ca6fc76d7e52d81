"""The mutual-aid objects of the URL walker's world (gonghui/orgs/tests/test_urls_404.py): for each side a plan,
a unit enrolment covering the side's member, a campaign, a filed claim and an uploaded enrolment list's rejected
rows (its ImportJob with the error workbook). The outside ones carry 芜湖 (the C2 subtree) or the outside
member's name; a K11 cadre must reach none of them."""

import datetime
from decimal import Decimal

from django.utils import timezone

from gonghui.common.actors import system_actor
from gonghui.common.excel import build_workbook
from gonghui.mutualaid import actions, importing
from gonghui.mutualaid.models import Campaign, Plan


def mutualaid_world(tree, outsider, insider, member, inside_member) -> tuple[dict, dict]:
    today = timezone.localdate()
    rules = {"kind": Plan.Kind.MEDICAL, "period_start": today - datetime.timedelta(days=100),
             "period_end": today + datetime.timedelta(days=200), "premium": Decimal("60"),
             "deductible": Decimal("1000"), "ratio": Decimal("0.5"), "per_claim_cap": Decimal("5000"),
             "yearly_cap": Decimal("8000")}
    province_plan = Plan.objects.create(name="安徽省职工住院医疗互助", org=tree["P"], **rules)
    outside_plan = Plan.objects.create(name="芜湖市职工医疗互助", org=tree["C2"], **rules)
    sides = {}
    for key, org, county, by, someone in (("outside", "G2111", "K21", outsider, member),
                                          ("inside", "G1111", "K11", insider, inside_member)):
        enrolment = actions.enrol(plan=province_plan, org=tree[org], members=[someone], by=by)
        campaign = Campaign.objects.create(name="芜湖外区赠送活动" if key == "outside" else "瑶海内部赠送活动",
                                           plan=province_plan, org=tree[county], created_by=by)
        claim = actions.file_claim(member=someone, event_date=today, expense="3000", consent_at=timezone.now(),
                                   by=system_actor(), org=tree[county])
        name = "芜湖参保名单.xlsx" if key == "outside" else "瑶海参保名单.xlsx"
        listing = importing.read_enrolment_list(build_workbook("名单", ["姓名", "会员证号"], [[someone.name, "X0000"]]),
                                                name, org=tree[org], by=by, plan=province_plan)
        sides[key] = {"ma_plan": outside_plan if key == "outside" else province_plan, "ma_enrolment": enrolment,
                      "ma_coverage": enrolment.coverages.get(), "ma_campaign": campaign, "ma_claim": claim,
                      "ma_job": importing.keep_rejected(listing, filename=name, by=by)}
    return sides["outside"], sides["inside"]
