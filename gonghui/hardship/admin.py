"""困难职工档案 in the back office: the list (filters by level, category, status, 复核到期 and union; search by
the member's name or number; Excel export), the read-only detail (household, plan, paired cadre, history, the
member's aid), 新建档案 and the buttons 帮扶计划, 结对, 年度复核, 退出 and 帮扶台账. Page logic lives in views.py."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from unfold.decorators import action, display

from gonghui.common.admin import person
from gonghui.ledger.models import Approval
from gonghui.members.admin import MemberColumns
from gonghui.orgs.backoffice import OrgSubtreeFilter, ScopedAdmin
from gonghui.orgs.queries import get_visible_or_404, visible_or_none

from . import actions, views
from .models import HardshipFile


class ReviewDueFilter(admin.SimpleListFilter):
    """复核到期: the due-list of yearly reviews (actions.review_due)."""

    title = "复核"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("1", "复核到期")]

    def queryset(self, request, queryset):
        return actions.review_due(queryset) if self.value() == "1" else queryset


@admin.register(HardshipFile)
class HardshipFileAdmin(MemberColumns, ScopedAdmin):
    list_display = ["member_name", "member_number", "org", "level", "category", "status", "per_capita_income",
                    "paired_cadre", "review_due", "opened_on"]
    list_filter = ["level", "category", "status", ReviewDueFilter, OrgSubtreeFilter]
    list_filter_submit = True
    list_select_related = ["member", "org", "paired_cadre"]
    readonly_fields = ["member_link", "org", "level", "category", "status", "causes_display", "housing",
                       "per_capita_income", "household_table", "measures", "responsible_name", "paired_cadre_name",
                       "review_due", "opened_on", "source_application", "exit_reason", "exit_on", "follow_up_on",
                       "history", "aid"]
    fieldsets = [
        ("档案", {"fields": ["member_link", "org", "level", "category", "status", "opened_on", "source_application"]}),
        ("家庭情况", {"fields": ["causes_display", "housing", "per_capita_income", "household_table"]}),
        ("一人一策", {"fields": ["measures", "responsible_name", "paired_cadre_name", "review_due"]}),
        ("退出", {"fields": ["exit_reason", "exit_on", "follow_up_on"]}),
        ("办理记录与帮扶", {"fields": ["history", "aid"]}),
    ]
    actions_detail = ["plan", "pair", "review", "close", "ledger"]

    def get_urls(self):
        # The Excel import of existing files (import_views.py), under this admin's URL prefix.
        return [path("import/", include("gonghui.hardship.urls")), *super().get_urls()]

    def has_add_permission(self, request):
        return actions.may_manage(request.user)

    def has_change_permission(self, request, obj=None):
        return False  # changed only through the buttons (actions)

    def add_view(self, request, form_url="", extra_context=None):
        return views.open_file(request)

    def export_table(self, queryset):
        columns = [("姓名", lambda f: f.member.name), ("会员证号", lambda f: f.member.member_number),
                   ("建档工会", lambda f: f.org.name), ("档案级别", lambda f: f.get_level_display()),
                   ("困难类别", lambda f: f.get_category_display()), ("致困原因", lambda f: "、".join(f.causes)),
                   ("家庭人均月收入（元）", lambda f: f.per_capita_income), ("住房情况", lambda f: f.housing),
                   ("责任人", lambda f: person(f.responsible)), ("结对帮扶干部", lambda f: person(f.paired_cadre)),
                   ("状态", lambda f: f.get_status_display()), ("建档日期", lambda f: f.opened_on),
                   ("下次复核日期", lambda f: f.review_due), ("退出原因", lambda f: f.get_exit_reason_display()),
                   ("退出日期", lambda f: f.exit_on), ("返困回访日期", lambda f: f.follow_up_on)]
        rows = ([get(f) for _, get in columns] for f in queryset.select_related(
            "member", "org", "responsible", "paired_cadre").iterator())
        return [title for title, _ in columns], rows

    @display(description="责任人")
    def responsible_name(self, obj):
        return person(obj.responsible) or "—"

    @display(description="结对帮扶干部")
    def paired_cadre_name(self, obj):
        return person(obj.paired_cadre) or "—"

    @display(description="致困原因")
    def causes_display(self, obj):
        return "、".join(obj.causes) or "—"

    @display(description="家庭成员")
    def household_table(self, obj):
        return format_html_join("", "<div>{} · {} · 月收入 {} 元</div>", (
            (h.name, h.relation, h.monthly_income) for h in obj.household.order_by("id"))) or "—"

    @display(description="办理记录")
    def history(self, obj):
        return format_html_join("", "<div>{} {} · {}{}</div>", (
            (timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"), e.get_kind_display(), person(e.by) or "系统",
             format_html("：{}", e.note) if e.note else "")
            for e in obj.events.select_related("by")))

    @display(description="该会员的帮扶审批与发放")
    def aid(self, obj):
        approvals = Approval.objects.filter(member=obj.member_id).select_related("kind", "fund_source", "org")
        rows = format_html_join("", "<div>{} {} · {} · {} 元 · {} · {}</div>", (
            (timezone.localtime(a.approved_at).strftime("%Y-%m-%d"), a.kind.name, a.fund_source.name, a.amount,
             a.org.name, a.get_status_display()) for a in approvals[:50]))
        link = format_html('<div><a class="text-primary-600 underline" href="{}">查看个人帮扶台账</a></div>',
                           reverse("admin:ledger_entry_person", args=[obj.member_id]))
        return format_html("{}{}", rows or "暂无帮扶审批。", link)

    def get_actions_detail(self, request, object_id):
        file = visible_or_none(request.user, HardshipFile.objects.only("status", "org"), object_id)
        allowed = {"ledger"} if file is not None else set()
        if file is not None and file.status == HardshipFile.Status.OPEN and actions.may_manage(request.user):
            allowed |= {"plan", "pair", "review", "close"}
        return [a for a in super().get_actions_detail(request, object_id)
                if a.action_name.removeprefix("hardship_hardshipfile_") in allowed]

    @action(description="帮扶计划", url_path="plan", icon="edit_note")
    def plan(self, request, object_id):
        return views.plan(request, object_id)

    @action(description="结对", url_path="pair", icon="handshake")
    def pair(self, request, object_id):
        return views.pair(request, object_id)

    @action(description="年度复核", url_path="review", icon="fact_check")
    def review(self, request, object_id):
        return views.review(request, object_id)

    @action(description="退出", url_path="close", icon="logout")
    def close(self, request, object_id):
        return views.close(request, object_id)

    @action(description="帮扶台账", url_path="ledger", icon="account_balance_wallet")
    def ledger(self, request, object_id):
        file = get_visible_or_404(request.user, HardshipFile, pk=object_id)
        return redirect("admin:ledger_entry_person", file.member_id)
