"""The back-office sidebar, grouped by domain; each item shows only to accounts that may use it."""

from django.urls import reverse, reverse_lazy

from gonghui.hardship.actions import may_manage as may_manage_hardship
from gonghui.members.queries import can_edit_members
from gonghui.orgs.queries import can_manage_orgs


def _can_view(model_admin_path: str):
    def check(request):
        from django.apps import apps
        from django.contrib import admin

        model = apps.get_model(model_admin_path)
        return admin.site._registry[model].has_view_permission(request)
    return check


def _org_list_active(request) -> bool:
    """The org list is under the same URL prefix as the tree and the import pages: not those."""
    base = reverse("admin:orgs_org_changelist")
    others = (reverse("admin:orgs_org_tree"), reverse("admin:orgs_org_import"))
    return request.path.startswith(base) and not request.path.startswith(others)


def _member_list_active(request) -> bool:
    """The roster shares its URL prefix with the import pages: not those."""
    base = reverse("admin:members_member_changelist")
    return request.path.startswith(base) and not request.path.startswith(base + "import/")


def _queue_active(request) -> bool:
    return request.path == reverse("admin:hall_application_changelist") and request.GET.get("mine") == "1"


def _applications_active(request) -> bool:
    base = reverse("admin:hall_application_changelist")
    return request.path.startswith(base) and not _queue_active(request)


def _hardship_list_active(request) -> bool:
    """The file list, not its due-list or the import pages under the same prefix."""
    base = reverse("admin:hardship_hardshipfile_changelist")
    return (request.path.startswith(base) and not request.path.startswith(base + "import/")
            and request.GET.get("due") != "1")


def _due_list_active(request) -> bool:
    return request.path == reverse("admin:hardship_hardshipfile_changelist") and request.GET.get("due") == "1"


def navigation(request):
    return [
        {
            "title": "工会组织",
            "items": [
                {"title": "组织树", "icon": "account_tree", "link": reverse_lazy("admin:orgs_org_tree"),
                 "permission": _can_view("orgs.Org")},
                {"title": "工会组织", "icon": "corporate_fare",
                 "link": reverse_lazy("admin:orgs_org_changelist"), "permission": _can_view("orgs.Org"),
                 "active": _org_list_active},
                {"title": "导入组织", "icon": "upload_file", "link": reverse_lazy("admin:orgs_org_import"),
                 "permission": lambda r: can_manage_orgs(r.user)},
                {"title": "用人单位", "icon": "factory", "link": reverse_lazy("admin:orgs_employer_changelist"),
                 "permission": _can_view("orgs.Employer")},
                {"title": "组织沿革", "icon": "history", "link": reverse_lazy("admin:orgs_orgevent_changelist"),
                 "permission": _can_view("orgs.OrgEvent")},
            ],
        },
        {
            "title": "会员",
            "items": [
                {"title": "会员名册", "icon": "groups", "link": reverse_lazy("admin:members_member_changelist"),
                 "permission": _can_view("members.Member"), "active": _member_list_active},
                {"title": "导入会员", "icon": "upload_file", "link": reverse_lazy("admin:members_member_import"),
                 "permission": lambda r: can_edit_members(r.user)},
                {"title": "转会申请", "icon": "swap_horiz", "link": reverse_lazy("admin:members_transfer_changelist"),
                 "permission": _can_view("members.Transfer")},
                {"title": "会籍记录", "icon": "timeline", "link": reverse_lazy("admin:members_memberevent_changelist"),
                 "permission": _can_view("members.MemberEvent")},
            ],
        },
        {
            "title": "职工服务",
            "items": [
                {"title": "入会申请", "icon": "how_to_reg",
                 "link": reverse_lazy("admin:portal_joinapplication_changelist"),
                 "permission": _can_view("portal.JoinApplication")},
                {"title": "入会二维码", "icon": "qr_code_2", "link": reverse_lazy("admin:portal_joinlink_changelist"),
                 "permission": _can_view("portal.JoinLink")},
                {"title": "电子会员卡", "icon": "badge", "link": reverse_lazy("admin:portal_membercard_changelist"),
                 "permission": _can_view("portal.MemberCard")},
            ],
        },
        {
            "title": "网上办事大厅",
            "items": [
                {"title": "待我办理", "icon": "inbox",
                 "link": reverse("admin:hall_application_changelist") + "?mine=1",
                 "permission": _can_view("hall.Application"), "active": _queue_active},
                {"title": "办件", "icon": "description", "link": reverse_lazy("admin:hall_application_changelist"),
                 "permission": _can_view("hall.Application"), "active": _applications_active},
                {"title": "办事项", "icon": "list_alt", "link": reverse_lazy("admin:hall_serviceitem_changelist"),
                 "permission": _can_view("hall.ServiceItem")},
                {"title": "节假日调整", "icon": "event", "link": reverse_lazy("admin:hall_holidayday_changelist"),
                 "permission": _can_view("hall.HolidayDay")},
            ],
        },
        {
            "title": "困难帮扶",
            "items": [
                {"title": "困难职工档案", "icon": "family_restroom",
                 "link": reverse_lazy("admin:hardship_hardshipfile_changelist"),
                 "permission": _can_view("hardship.HardshipFile"), "active": _hardship_list_active},
                {"title": "复核到期", "icon": "event_repeat",
                 "link": reverse("admin:hardship_hardshipfile_changelist") + "?due=1",
                 "permission": _can_view("hardship.HardshipFile"), "active": _due_list_active},
                {"title": "导入困难职工档案", "icon": "upload_file",
                 "link": reverse_lazy("admin:hardship_hardshipfile_import"),
                 "permission": lambda r: may_manage_hardship(r.user)},
                {"title": "帮扶审批", "icon": "approval", "link": reverse_lazy("admin:ledger_approval_changelist"),
                 "permission": _can_view("ledger.Approval")},
                {"title": "批量发放", "icon": "volunteer_activism",
                 "link": reverse_lazy("admin:ledger_disbursement_changelist"),
                 "permission": _can_view("ledger.Disbursement")},
                {"title": "台账分录", "icon": "receipt_long", "link": reverse_lazy("admin:ledger_entry_changelist"),
                 "permission": _can_view("ledger.Entry")},
                {"title": "帮扶类别", "icon": "category", "link": reverse_lazy("admin:ledger_paymentkind_changelist"),
                 "permission": _can_view("ledger.PaymentKind")},
                {"title": "资金来源", "icon": "account_balance",
                 "link": reverse_lazy("admin:ledger_fundsource_changelist"),
                 "permission": _can_view("ledger.FundSource")},
            ],
        },
        {
            "title": "职工互助保障",
            "items": [
                {"title": "互助保障计划", "icon": "health_and_safety",
                 "link": reverse_lazy("admin:mutualaid_plan_changelist"), "permission": _can_view("mutualaid.Plan")},
                {"title": "单位参保", "icon": "how_to_reg",
                 "link": reverse_lazy("admin:mutualaid_enrolment_changelist"),
                 "permission": _can_view("mutualaid.Enrolment")},
                {"title": "保障名单", "icon": "list", "link": reverse_lazy("admin:mutualaid_coverage_changelist"),
                 "permission": _can_view("mutualaid.Coverage")},
                {"title": "赠送活动", "icon": "redeem", "link": reverse_lazy("admin:mutualaid_campaign_changelist"),
                 "permission": _can_view("mutualaid.Campaign")},
                {"title": "互助金申请", "icon": "medical_services",
                 "link": reverse_lazy("admin:mutualaid_claim_changelist"), "permission": _can_view("mutualaid.Claim")},
            ],
        },
        {
            "title": "账号与安全",
            "items": [
                {"title": "账号", "icon": "badge", "link": reverse_lazy("admin:accounts_user_changelist"),
                 "permission": _can_view("accounts.User")},
                {"title": "审计日志", "icon": "policy", "link": reverse_lazy("admin:common_auditentry_changelist"),
                 "permission": _can_view("common.AuditEntry")},
                {"title": "行政区划", "icon": "map", "link": reverse_lazy("admin:common_region_changelist"),
                 "permission": _can_view("common.Region")},
            ],
        },
    ]
