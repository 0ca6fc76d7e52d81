"""The member back office: the roster (masked numbers, scoped filters, search through the blind
index), add and change through the actions, lifecycle steps, timeline, reveal, export, transfers
and the read-only timeline events. Page logic lives in views.py; this file wires it in."""

from urllib.parse import unquote

from django.contrib import admin
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action

from gonghui.common.errors import DomainError
from gonghui.orgs.backoffice import OrgSubtreeFilter, ScopedAdmin
from gonghui.orgs.queries import get_visible_or_404, scope_org, visible_or_none

from . import actions, import_views, queries, views
from .forms import MemberForm
from .models import Member, MemberEvent, Transfer

EDITORS = set(queries.EDIT_ROLES)



class MemberColumns:
    """For the admin of a model that belongs to a member (hardship files, approvals, ledger entries, claims,
    membership events, transfers):
    the member's name and number as columns, a link to the member, and search by exact name or member number
    (indexed columns; no LIKE over a province's members)."""

    search_fields = ["member__name"]  # shows the search box; the search itself is below
    search_help_text = "会员姓名或会员证号"

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        return queryset.filter(models.Q(member__name=term) | models.Q(member__member_number=term.upper())), False

    @admin.display(description="姓名", ordering="member__name")
    def member_name(self, obj):
        return obj.member.name

    @admin.display(description="会员证号")
    def member_number(self, obj):
        return obj.member.member_number

    @admin.display(description="会员")
    def member_link(self, obj):
        member = obj.member
        return format_html('<a class="text-primary-600 underline" href="{}">{}</a>（会员证号 {}，{}）· '
                           '<a class="text-primary-600 underline" href="{}">个人帮扶台账</a>',
                           reverse("admin:members_member_change", args=[member.pk]), member.name,
                           member.member_number, member.org.name,
                           reverse("admin:ledger_entry_person", args=[member.pk]))


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    form = MemberForm
    edit_roles = EDITORS
    list_display = ["name", "gender", "id_masked", "mobile_masked", "org", "join_date", "member_number", "status"]
    list_filter = [OrgSubtreeFilter, "status", "gender", "worker_group", "is_migrant_worker", "doc_type",
                   ("join_date", RangeDateFilter)]
    list_filter_submit = True
    list_select_related = ["org"]
    ordering = ["-id"]
    # Searched by get_search_results (queries.search), never by LIKE: the box needs one name here.
    search_fields = ["name"]
    search_help_text = "姓名、会员证号或完整证件号码"
    autocomplete_fields = ["org"]
    change_list_template = "members/member_change_list.html"
    actions_detail = ["timeline", "ledger", "reveal", {"title": "终止会籍", "icon": "event_busy",
                                             "items": ["leave", "retire", "decease"]}]

    # --- permissions: everyone with an org reads (masked); editors add and change -------------

    def has_add_permission(self, request):
        return queries.can_edit_members(request.user)

    def has_change_permission(self, request, obj=None):
        return queries.can_edit_members(request.user)

    # --- list ---------------------------------------------------------------------------------

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset & queries.search(request.user, search_term), False

    # --- form: facts.clean, then the actions ----------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        editable = obj is None or self.has_change_permission(request, obj)
        if editable:
            numbers = ["doc_type", "id_number", "mobile"] + (["clear_mobile"] if obj else [])
        else:
            numbers = ["doc_type", "id_masked", "mobile_masked"]
        membership = ["org", "join_date", "member_number"] + (["status", "status_date", "source"] if obj else [])
        return [
            ("个人信息", {"fields": ["name", "gender", "birth_date", "ethnicity", "education", "political_status",
                                 "household_type"]}),
            ("证件与联系方式", {"fields": numbers}),
            ("工作情况", {"fields": ["is_migrant_worker", "worker_group"]}),
            ("会籍", {"fields": membership}),
        ]

    def get_readonly_fields(self, request, obj=None):
        # The union changes only by a transfer; the status only by the lifecycle steps.
        return ["org", "status", "status_date", "source", "id_masked", "mobile_masked"] if obj else []

    def get_changeform_initial_data(self, request):
        org = scope_org(request.user)
        return {"org": org.pk if org else None, **super().get_changeform_initial_data(request)}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"action_error": getattr(request, "member_action_error", None)})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as e:
            # The action refused at save time (a rule only it checks, such as the ID being active in
            # another union, or a race); its transaction rolled back. Show the same form again, with
            # the action's message on its field and nothing saved.
            request.member_action_error = e
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            saved = actions.update_member(obj, facts=form.cleaned_facts, by=request.user)
        else:
            saved = actions.join_member(org=form.cleaned_data["org"], facts=form.cleaned_facts, by=request.user)
        obj.pk, obj.member_number = saved.pk, saved.member_number

    # --- detail actions -------------------------------------------------------------------------

    def get_actions_detail(self, request, object_id):
        member = visible_or_none(request.user, Member.objects.only("status", "org"), object_id)
        allowed = {"timeline", "ledger"}
        if member is not None and queries.can_reveal(request.user):
            allowed.add("reveal")
        if member is not None and member.is_active and queries.can_edit_members(request.user):
            allowed |= {"leave", "retire", "decease"}
        return [a for a in super().get_actions_detail(request, object_id)
                if a.action_name.removeprefix("members_member_") in allowed]

    @action(description="会籍记录", url_path="timeline", icon="timeline")
    def timeline(self, request, object_id):
        return views.timeline(request, object_id)

    @action(description="帮扶台账", url_path="ledger", icon="account_balance_wallet")
    def ledger(self, request, object_id):
        """个人帮扶台账 (gonghui/ledger/views.person), for a member of the subtree."""
        member = get_visible_or_404(request.user, Member, pk=object_id)
        return redirect("admin:ledger_entry_person", member.pk)

    @action(description="查看完整号码", url_path="reveal", icon="visibility")
    def reveal(self, request, object_id):
        return views.reveal(request, object_id)

    @action(description="退会", url_path="leave")
    def leave(self, request, object_id):
        return views.end_membership(request, object_id, Member.Status.LEFT)

    @action(description="退休", url_path="retire")
    def retire(self, request, object_id):
        return views.end_membership(request, object_id, Member.Status.RETIRED)

    @action(description="去世", url_path="decease")
    def decease(self, request, object_id):
        return views.end_membership(request, object_id, Member.Status.DECEASED)

    # --- export, lookup, import -----------------------------------------------------------------

    @admin.action(description="导出所选记录为 Excel")
    def export_xlsx(self, request, queryset):
        queryset = queryset.filter(pk__in=self.get_queryset(request).values("pk"))
        return views.export_members(request, queryset, what="所选记录")

    def export_view(self, request):
        """The whole list as filtered and searched on the page (the same query string)."""
        if not self.has_view_permission(request):
            raise Http404("未找到该页面。")
        try:
            changelist = self.get_changelist_instance(request)
        except admin.options.IncorrectLookupParameters:
            raise Http404("筛选条件有误。") from None
        conditions = unquote(request.GET.urlencode()) or "全部"
        return views.export_members(request, changelist.queryset, what=f"列表，条件：{conditions}")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        urls = [
            path("export/", wrap(self.export_view), name="members_member_export"),
            path("lookup/", wrap(views.lookup), name="members_member_lookup"),
            path("import/", wrap(import_views.import_members), name="members_member_import"),
            path("import/template/", wrap(import_views.import_template), name="members_member_import_template"),
            path("import/<int:job_id>/", wrap(import_views.import_status), name="members_member_import_status"),
            path("import/<int:job_id>/errors/", wrap(import_views.import_errors), name="members_member_import_errors"),
        ]
        return urls + super().get_urls()


@admin.register(Transfer)
class TransferAdmin(MemberColumns, ScopedAdmin):
    """Requests visible to both unions. Adding is the 转会申请 page; the decision is a detail action. Searched
    by the member's exact name or number (MemberColumns)."""

    edit_roles = EDITORS
    list_display = ["member", "from_org", "to_org", "status", "requested_by", "requested_at", "decided_by",
                    "decided_at"]
    list_filter = ["status", ("requested_at", RangeDateFilter)]
    list_filter_submit = True
    list_select_related = ["member", "from_org", "to_org", "requested_by", "decided_by"]
    readonly_fields = ["member", "from_org", "to_org", "status", "reason", "requested_by", "requested_at",
                       "decided_by", "decided_at", "decision_note"]
    fields = readonly_fields
    actions_detail = ["approve", "reject", "cancel"]

    def has_add_permission(self, request):
        return queries.can_edit_members(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return views.request_transfer(request)

    def get_actions_detail(self, request, object_id):
        transfer = visible_or_none(request.user, Transfer.objects.select_related("member__org", "to_org"), object_id)
        allowed = set()
        if transfer is not None and transfer.status == Transfer.Status.PENDING:
            if queries.can_approve_transfer(request.user, transfer.member):
                allowed |= {"approve", "reject"}
            if views.is_receiving_editor(request.user, transfer):
                allowed.add("cancel")
        return [a for a in super().get_actions_detail(request, object_id)
                if a.action_name.removeprefix("members_transfer_") in allowed]

    @action(description="同意转会", url_path="approve", icon="check")
    def approve(self, request, object_id):
        return views.decide_transfer(request, object_id, approve=True)

    @action(description="拒绝", url_path="reject", icon="close")
    def reject(self, request, object_id):
        return views.decide_transfer(request, object_id, approve=False)

    @action(description="撤回申请", url_path="cancel", icon="undo")
    def cancel(self, request, object_id):
        return views.cancel_transfer(request, object_id)


@admin.register(MemberEvent)
class MemberEventAdmin(MemberColumns, ScopedAdmin):
    """会籍变动, every member's events, newest first (a member's own are the record's 会籍记录 button):
    read-only; either side of a transfer sees it. Searched by the member's exact name or number (MemberColumns)."""

    list_title = "会籍变动"
    ordering = ["-date", "-id"]
    list_display = ["date", "member", "kind", "org", "to_org", "by", "note"]
    list_filter = ["kind", ("date", RangeDateFilter)]
    list_filter_submit = True
    list_select_related = ["member", "org", "to_org", "by"]
    readonly_fields = ["member", "kind", "date", "org", "to_org", "by", "at", "note"]
    fields = readonly_fields

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, (extra_context or {}) | {"title": self.list_title})

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
