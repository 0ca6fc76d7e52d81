"""The ledger in the back office: 帮扶类别 and 资金来源 (province-wide, maintained by a province administrator),
帮扶审批 (新增审批 with its preview, 登记发放), 台账分录 (read-only; 冲销), 批量发放 (preview, one confirmation,
登记发放 of the whole batch) and the person's ledger (个人帮扶台账). Page logic lives in views.py."""

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from unfold.decorators import action, display

from gonghui.common import audit
from gonghui.common.admin import person
from gonghui.members.admin import MemberColumns
from gonghui.orgs.backoffice import OrgSubtreeFilter, ScopedAdmin
from gonghui.orgs.queries import keeps_province_config, visible_or_none

from . import actions, views
from .models import Approval, Disbursement, Entry, FundSource, PaymentKind

# Configuration: the same for the whole province -------------------------------------------------------

class ConfigAdmin(ScopedAdmin):
    """帮扶类别 and 资金来源: read by every cadre; added and changed by a 单位管理员 of a province (or national)
    federation, as the hall's catalogue. Nothing is deleted (entries keep their kind): 启用 off instead."""

    actions = []

    def get_queryset(self, request):
        return self.model._default_manager.all()

    def has_add_permission(self, request):
        return keeps_province_config(request.user)

    def has_change_permission(self, request, obj=None):
        return keeps_province_config(request.user)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(f"ledger_{self.model._meta.model_name}_{'change' if change else 'add'}", actor=request.user,
                     obj=obj, changes={f: str(form.cleaned_data.get(f)) for f in form.changed_data})

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []  # entries and reports refer to the code


@admin.register(PaymentKind)
class PaymentKindAdmin(ConfigAdmin):
    list_display = ["name", "code", "program", "requires_file", "duplicate_days", "active", "order"]
    list_filter = ["program", "active", "requires_file"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "program", "requires_file", "duplicate_days", "active", "order"]


@admin.register(FundSource)
class FundSourceAdmin(ConfigAdmin):
    list_display = ["name", "code", "active", "order"]
    list_filter = ["active"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "active", "order"]


# 帮扶审批 -----------------------------------------------------------------------------------------------

class _People:
    """The approver and recorder as plain names (see common.admin.person)."""

    @display(description="审批人")
    def approver(self, obj):
        return person(obj.approved_by)

    @display(description="登记人")
    def recorder(self, obj):
        return person(obj.recorded_by)


@admin.register(Approval)
class ApprovalAdmin(MemberColumns, _People, ScopedAdmin):
    list_display = ["member_name", "member_number", "kind", "fund_source", "amount", "org", "status",
                    "approved_by", "approved_at", "batch"]
    list_filter = ["kind", "fund_source", "status", "is_history", OrgSubtreeFilter]
    list_filter_submit = True
    list_select_related = ["member", "kind", "fund_source", "org", "approved_by", "batch"]
    readonly_fields = ["member_link", "kind", "fund_source", "amount", "reason", "org", "status", "is_history",
                       "approver", "approved_at", "file_link", "batch", "source", "duplicate", "payments"]
    fields = readonly_fields
    actions_detail = ["record"]

    def has_add_permission(self, request):
        return actions.may_approve(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return views.approve(request)

    def export_table(self, queryset):
        columns = [("姓名", lambda a: a.member.name), ("会员证号", lambda a: a.member.member_number),
                   ("帮扶类别", lambda a: a.kind.name), ("资金来源", lambda a: a.fund_source.name),
                   ("金额（元）", lambda a: a.amount), ("发放工会", lambda a: a.org.name), ("事由", lambda a: a.reason),
                   ("状态", lambda a: a.get_status_display()), ("审批人", lambda a: person(a.approved_by)),
                   ("审批时间", lambda a: timezone.localtime(a.approved_at).replace(tzinfo=None)),
                   ("批量发放", lambda a: a.batch.title if a.batch else ""),
                   ("历史导入", lambda a: "是" if a.is_history else "")]
        rows = ([get(a) for _, get in columns] for a in queryset.select_related(
            "member", "kind", "fund_source", "org", "approved_by", "batch").iterator())
        return [title for title, _ in columns], rows

    @display(description="困难职工档案")
    def file_link(self, obj):
        if obj.hardship_file_id is None:
            return "—"
        return format_html('<a class="text-primary-600 underline" href="{}">{}</a>',
                           reverse("admin:hardship_hardshipfile_change", args=[obj.hardship_file_id]),
                           obj.hardship_file)

    @display(description="重复领取提示")
    def duplicate(self, obj):
        """The warning the approver saw, as of the approval's day, leaving out this approval's own payment."""
        on = timezone.localtime(obj.approved_at).date()
        return actions.duplicate_warning(obj.member, obj.kind, on, exclude_approval=obj.pk) or "—"

    @display(description="发放登记")
    def payments(self, obj):
        return format_html_join("", '<div><a class="text-primary-600 underline" href="{}">{} {} 元</a> · 登记人 {}'
                                    " · {}</div>", (
            (reverse("admin:ledger_entry_change", args=[e.pk]), e.paid_on.strftime("%Y-%m-%d"), e.amount,
             person(e.recorded_by), e.note) for e in obj.entries.select_related("recorded_by").order_by("id"))) \
            or "尚未登记发放。"

    def get_actions_detail(self, request, object_id):
        approval = visible_or_none(request.user, Approval.objects.only("status", "org", "approved_by", "batch"),
                                   object_id)
        # No button where record_payment would refuse: paid or reversed, a batch line (paid with its batch),
        # the approver, or an account that does not record.
        show = (approval is not None and approval.status == Approval.Status.APPROVED and approval.batch_id is None
                and actions.may_record(request.user) and approval.approved_by_id != request.user.pk)
        return [a for a in super().get_actions_detail(request, object_id) if show]

    @action(description="登记发放", url_path="record", icon="payments")
    def record(self, request, object_id):
        return views.record(request, object_id)


# 台账分录 -----------------------------------------------------------------------------------------------

class YearFilter(admin.SimpleListFilter):
    title = "发放年度"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        this = timezone.localdate().year
        return [(str(y), f"{y}年") for y in range(this, this - 6, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(paid_on__year=int(value)) if value and value.isdigit() else queryset


class ReversalFilter(admin.SimpleListFilter):
    title = "冲销"
    parameter_name = "reversal"

    def lookups(self, request, model_admin):
        return [("payment", "发放（未冲销）"), ("reversed", "已被冲销的发放"), ("reversal", "冲销分录")]

    def queryset(self, request, queryset):
        if self.value() == "payment":
            return queryset.filter(reversal_of__isnull=True, reversed_by__isnull=True)
        if self.value() == "reversed":
            return queryset.filter(reversal_of__isnull=True, reversed_by__isnull=False)
        if self.value() == "reversal":
            return queryset.filter(reversal_of__isnull=False)
        return queryset


@admin.register(Entry)
class EntryAdmin(MemberColumns, _People, ScopedAdmin):
    """Append-only: nothing is added, changed or deleted here; a wrong payment is reversed (冲销)."""

    # The mark (历史导入, 冲销) next to the amount it qualifies, where it is seen without scrolling.
    list_display = ["paid_on", "member_name", "member_number", "kind", "fund_source", "amount", "mark", "org",
                    "approved_by", "recorded_by"]
    list_filter = ["kind", "fund_source", YearFilter, OrgSubtreeFilter, ReversalFilter, "is_history"]
    list_filter_submit = True
    list_select_related = ["member", "kind", "fund_source", "org", "approved_by", "recorded_by", "reversal_of"]
    readonly_fields = ["member_link", "paid_on", "kind", "fund_source", "amount", "org", "approval_link",
                       "approver", "recorder", "recorded_at", "mark", "note"]
    fields = readonly_fields
    actions_detail = ["reverse_entry"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            is_reversed=Exists(Entry.objects.filter(reversal_of=OuterRef("pk"))))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def export_table(self, queryset):
        columns = [("发放日期", lambda e: e.paid_on), ("姓名", lambda e: e.member.name),
                   ("会员证号", lambda e: e.member.member_number), ("帮扶类别", lambda e: e.kind.name),
                   ("资金来源", lambda e: e.fund_source.name), ("金额（元）", lambda e: e.amount),
                   ("发放工会", lambda e: e.org.name), ("审批人", lambda e: person(e.approved_by)),
                   ("登记人", lambda e: person(e.recorded_by)), ("标记", self.mark), ("说明", lambda e: e.note)]
        # `queryset` comes from get_queryset: `is_reversed` is annotated there.
        rows = ([get(e) for _, get in columns] for e in queryset.select_related(
            "member", "kind", "fund_source", "org", "approved_by", "recorded_by", "reversal_of").iterator())
        return [title for title, _ in columns], rows

    @display(description="审批")
    def approval_link(self, obj):
        return format_html('<a class="text-primary-600 underline" href="{}">{}</a>',
                           reverse("admin:ledger_approval_change", args=[obj.approval_id]), obj.approval)

    @display(description="标记")
    def mark(self, obj):
        """历史导入 (a payment from before the system, imported) and the reversal state, side by side."""
        if obj.reversal_of_id:
            state = f"冲销分录（冲销 {obj.reversal_of.paid_on:%Y-%m-%d} {obj.reversal_of.amount} 元）"
        else:
            state = "已冲销" if obj.is_reversed else ""
        return "；".join(part for part in ("历史导入" if obj.is_history else "", state) if part)

    def get_actions_detail(self, request, object_id):
        entry = visible_or_none(request.user, Entry.objects.only("reversal_of", "org"), object_id)
        show = (entry is not None and entry.reversal_of_id is None and actions.may_approve(request.user)
                and not Entry.objects.filter(reversal_of=entry).exists())
        return [a for a in super().get_actions_detail(request, object_id) if show]

    @action(description="冲销", url_path="reverse", icon="undo")
    def reverse_entry(self, request, object_id):
        return views.reverse_entry(request, object_id)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("person/<int:member_id>/", wrap(views.person), name="ledger_entry_person"),
            path("person/<int:member_id>/export/", wrap(views.person_export), name="ledger_entry_person_export"),
        ] + super().get_urls()


# 批量发放 -----------------------------------------------------------------------------------------------

@admin.register(Disbursement)
class DisbursementAdmin(_People, ScopedAdmin):
    list_display = ["title", "org", "kind", "fund_source", "amount_each", "lines", "total", "status", "approved_by",
                    "approved_at"]
    list_filter = ["kind", "fund_source", "status", OrgSubtreeFilter]
    list_filter_submit = True
    list_select_related = ["org", "kind", "fund_source", "approved_by"]
    search_fields = ["title"]
    readonly_fields = ["title", "org", "kind", "fund_source", "amount_each", "lines", "total", "status",
                       "approver", "approved_at", "line_table"]
    fields = readonly_fields
    actions_detail = ["record_batch"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_lines=Count("approvals"))

    def has_add_permission(self, request):
        return actions.may_approve(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return views.disburse(request)

    @display(description="人数")
    def lines(self, obj):
        return obj.n_lines

    @display(description="合计（元）")
    def total(self, obj):
        return obj.amount_each * obj.n_lines

    def export_table(self, queryset):
        columns = [("名称", lambda b: b.title), ("发放工会", lambda b: b.org.name), ("帮扶类别", lambda b: b.kind.name),
                   ("资金来源", lambda b: b.fund_source.name), ("每户金额（元）", lambda b: b.amount_each),
                   ("人数", self.lines), ("合计（元）", self.total), ("状态", lambda b: b.get_status_display()),
                   ("审批人", lambda b: person(b.approved_by)),
                   ("审批时间", lambda b: timezone.localtime(b.approved_at).replace(tzinfo=None))]
        # `queryset` comes from get_queryset: `n_lines` is annotated there.
        rows = ([get(b) for _, get in columns] for b in queryset.select_related(
            "org", "kind", "fund_source", "approved_by").iterator())
        return [title for title, _ in columns], rows

    @display(description="发放名单")
    def line_table(self, obj):
        approvals = obj.approvals.select_related("member__org").order_by("id")
        return format_html_join("", '<div><a class="text-primary-600 underline" href="{}">{}</a>（{}，{}）· {} 元 · {}'
                                    "</div>", (
            (reverse("admin:ledger_entry_person", args=[a.member_id]), a.member.name, a.member.member_number,
             a.member.org.name, a.amount, a.get_status_display()) for a in approvals)) or "—"

    def get_actions_detail(self, request, object_id):
        batch = visible_or_none(request.user, Disbursement.objects.only("status", "org", "approved_by"), object_id)
        show = (batch is not None and batch.status == Disbursement.Status.APPROVED
                and actions.may_record(request.user) and batch.approved_by_id != request.user.pk)
        return [a for a in super().get_actions_detail(request, object_id) if show]

    @action(description="登记发放", url_path="record", icon="payments")
    def record_batch(self, request, object_id):
        return views.record_batch(request, object_id)
