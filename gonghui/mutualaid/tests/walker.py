"""The URL walker's samples of mutual aid (gonghui/common/tests/walking.py says how they are used): for each
side a plan, a unit enrolment covering the side's member, a campaign, a filed claim and an uploaded enrolment
list's rejected rows (its ImportJob with the error workbook). The outside ones carry 芜湖 (the C2 subtree) or
the outside member's name; a K11 cadre reads the province's plan, not C2's, and reaches none of the others."""

import datetime
from decimal import Decimal

from django.utils import timezone

from gonghui.common.actors import system_actor
from gonghui.common.excel import build_workbook
from gonghui.common.tests.walking import ALL, MEMBER_EDITORS, admin_model, closed, lst, obj
from gonghui.members.tests.walker import INSIDE_MEMBER, OUTSIDE_MEMBER
from gonghui.mutualaid import actions, importing
from gonghui.mutualaid.models import Campaign, Plan
from gonghui.orgs.tests.walker import OUTSIDE_GRASSROOTS

SAMPLES = {
    **admin_model("mutualaid_plan", "ma_plan", roles=ALL, hides=["芜湖市职工医疗互助"],
                  shows="安徽省职工住院医疗互助"),
    "admin:mutualaid_plan_add": closed("only a province administrator maintains the plans (K11's org_admin gets 404)"),
    **admin_model("mutualaid_enrolment", "ma_enrolment", roles=ALL, add_roles=MEMBER_EDITORS,
                  hides=[OUTSIDE_GRASSROOTS], shows="合肥瑶海机械有限公司工会",
                  extra_queries=[lambda w: "?source=unit"]),
    "admin:mutualaid_enrolment_template": lst(roles=MEMBER_EDITORS),
    "admin:mutualaid_enrolment_errors": obj(lambda w: {"job_id": w.ma_job.pk}),
    **admin_model("mutualaid_coverage", "ma_coverage", roles=ALL, hides=[OUTSIDE_MEMBER], shows=INSIDE_MEMBER,
                  extra_queries=[lambda w: f"?q={w.member.member_number}", lambda w: "?q=外区会员"]),
    **admin_model("mutualaid_campaign", "ma_campaign", roles=ALL, add_roles=MEMBER_EDITORS,
                  hides=["芜湖外区赠送活动"], shows="瑶海内部赠送活动"),
    "admin:mutualaid_campaign_run": obj(lambda w: {"object_id": w.ma_campaign.pk}),
    **admin_model("mutualaid_claim", "ma_claim", roles=ALL, hides=[OUTSIDE_MEMBER], shows=INSIDE_MEMBER,
                  extra_queries=[lambda w: f"?q={w.member.member_number}", lambda w: "?status=filed"]),
    "admin:mutualaid_claim_approve": obj(lambda w: {"object_id": w.ma_claim.pk}),
    "admin:mutualaid_claim_reject": obj(lambda w: {"object_id": w.ma_claim.pk}),
}


def build(world) -> None:
    tree = world.tree
    today = timezone.localdate()
    rules = {"kind": Plan.Kind.MEDICAL, "period_start": today - datetime.timedelta(days=100),
             "period_end": today + datetime.timedelta(days=200), "premium": Decimal("60"),
             "deductible": Decimal("1000"), "ratio": Decimal("0.5"), "per_claim_cap": Decimal("5000"),
             "yearly_cap": Decimal("8000")}
    province_plan = Plan.objects.create(name="安徽省职工住院医疗互助", org=tree["P"], **rules)
    world.ma_plan = Plan.objects.create(name="芜湖市职工医疗互助", org=tree["C2"], **rules)
    world.inside.ma_plan = province_plan
    for side, org, county, campaign, filename in (
            (world, "G2111", "K21", "芜湖外区赠送活动", "芜湖参保名单.xlsx"),
            (world.inside, "G1111", "K11", "瑶海内部赠送活动", "瑶海参保名单.xlsx")):
        by, someone = side.user, side.member
        side.ma_enrolment = actions.enrol(plan=province_plan, org=tree[org], members=[someone], by=by)
        side.ma_coverage = side.ma_enrolment.coverages.get()
        side.ma_campaign = Campaign.objects.create(name=campaign, plan=province_plan, org=tree[county], created_by=by)
        side.ma_claim = actions.file_claim(member=someone, event_date=today, expense="3000", consent_at=timezone.now(),
                                           by=system_actor(), org=tree[county])
        listing = importing.read_enrolment_list(build_workbook("名单", ["姓名", "会员证号"], [[someone.name, "X0000"]]),
                                                filename, org=tree[org], by=by, plan=province_plan)
        side.ma_job = importing.keep_rejected(listing, filename=filename, by=by)
