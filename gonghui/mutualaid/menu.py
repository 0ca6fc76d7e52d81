from gonghui.common.menus import can_view, group, item

MENU = [
    group("职工互助保障", order=70, items=[
        item("互助保障计划", "health_and_safety", "admin:mutualaid_plan_changelist", can_view("mutualaid.Plan")),
        item("单位参保", "how_to_reg", "admin:mutualaid_enrolment_changelist", can_view("mutualaid.Enrolment")),
        item("保障名单", "list", "admin:mutualaid_coverage_changelist", can_view("mutualaid.Coverage")),
        item("赠送活动", "redeem", "admin:mutualaid_campaign_changelist", can_view("mutualaid.Campaign")),
        item("互助金申请", "medical_services", "admin:mutualaid_claim_changelist", can_view("mutualaid.Claim")),
    ]),
]
