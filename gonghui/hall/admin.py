"""The cadres' side of the service hall: 办件 (待我办理 is a filter of it, the default for a handler), with the
due flags, filters by item, state, due and applicant's union, Excel export, bulk 受理, and the detail
buttons for each transition the account may make now."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from unfold.contrib.filters.admin import TextFilter
from unfold.decorators import action, display

from gonghui.common.admin import ScopedAdmin
from gonghui.common.errors import DomainError
from gonghui.orgs.queries import scope_org, visible_to

from . import actions, queries, views, workdays
from .models import Application

S = Application.Status
FLAGS = {"overdue": "已逾期", "due_soon": "即将到期"}


class MineFilter(admin.SimpleListFilter):
    """待我办理: open, handled in my subtree, at a step whose role I hold."""

    title = "范围"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "待我办理")]

    def queryset(self, request, queryset):
        if self.value() != "1":
            return queryset
        org = scope_org(request.user)
        return queryset.filter(status__in=queries.OPEN, handling_org__path__startswith=org.path,
                               step_role__in=request.user.roles)


class DueFilter(admin.SimpleListFilter):
    title = "期限"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "已逾期"), ("due_soon", "即将到期")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        open_ = queryset.filter(status__in=queries.OPEN)
        if self.value() == "overdue":
            return open_.filter(due_date__lt=today)
        if self.value() == "due_soon":
            soon = workdays.add_workdays(today, queries.DUE_SOON_WORKDAYS).date
            return open_.filter(due_date__gte=today, due_date__lte=soon)
        return queryset


class ApplicantOrgFilter(TextFilter):
    title = "申请人所在工会（名称）"
    parameter_name = "applicant_org"

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(applicant_org__name__contains=self.value())
        return queryset


@admin.register(Application)
class ApplicationAdmin(ScopedAdmin):
    list_display = ["number_display", "item", "applicant_name", "applicant_org", "handling_org", "status",
                    "step_display", "due_date", "due_flag", "submitted_at"]
    list_filter = [MineFilter, "status", ("version__item", admin.RelatedOnlyFieldListFilter), DueFilter,
                   ApplicantOrgFilter]
    list_filter_submit = True
    list_select_related = ["version__item", "applicant_org", "handling_org"]
    search_fields = ["applicant_name"]
    search_help_text = "申请人姓名或受理编号"
    readonly_fields = ["number_display", "item", "applicant_name", "applicant_org", "on_behalf_by", "handling_org",
                       "status", "step_display", "due_date", "due_flag", "submitted_at", "accepted_at",
                       "completed_at", "form_data", "files", "history", "rating", "rating_comment"]
    fields = readonly_fields
    actions = ["export_xlsx", "accept_selected"]
    actions_detail = ["accept", "approve", "return_", "reject", "transfer", "escalate"]

    def export_table(self, queryset):
        columns = [("受理编号", lambda a: a.number), ("办事项", lambda a: a.version.item.name),
                   ("申请人", lambda a: a.applicant_name), ("申请人所在工会", lambda a: a.applicant_org.name),
                   ("办理工会", lambda a: a.handling_org.name), ("状态", lambda a: a.get_status_display()),
                   ("当前环节", self.step_display), ("办理期限", lambda a: a.due_date),
                   ("期限提醒", self.due_flag),
                   ("提交时间", lambda a: timezone.localtime(a.submitted_at).replace(tzinfo=None)
                    if a.submitted_at else None),
                   ("办结时间", lambda a: timezone.localtime(a.completed_at).replace(tzinfo=None)
                    if a.completed_at else None)]
        rows = ([get(a) for _, get in columns]
                for a in queryset.select_related("version__item", "applicant_org", "handling_org").iterator())
        return [title for title, _ in columns], rows

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        if "-" in term and term.split("-")[-1].isdigit():  # 受理编号 2026-00001234
            return queryset.filter(pk=int(term.split("-")[-1])), False
        return super().get_search_results(request, queryset, term)

    @display(description="受理编号")
    def number_display(self, obj):
        return obj.number

    @display(description="办事项")
    def item(self, obj):
        return obj.version.item.name

    @display(description="当前环节")
    def step_display(self, obj):
        return obj.step_name if obj.status in queries.OPEN else "—"

    @display(description="期限提醒")
    def due_flag(self, obj):
        return FLAGS.get(queries.due_flag(obj), "")

    @display(description="申请内容")
    def form_data(self, obj):
        rows = []
        for spec in obj.version.fields:
            value = obj.data.get(spec["name"], "")
            if isinstance(value, dict):  # a sealed ID or mobile number: masked
                value = value.get("masked", "")
            rows.append((spec["label"], value if value not in (True, False) else ("是" if value else "否")))
        return format_html_join("", "<div><b>{}</b>：{}</div>", rows)

    @display(description="申请材料")
    def files(self, obj):
        from django.urls import reverse

        return format_html_join("", '<div><a href="{}">{}</a>（{}，{} KB）</div>', (
            (reverse("hall:download", args=[f.pk]), f.filename, f.kind.upper(), max(1, f.size // 1024))
            for f in obj.attachments.all())) or "—"

    @display(description="办理记录")
    def history(self, obj):
        return format_html_join("", "<div>{} {} · {} · {}{}</div>", (
            (timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"), e.get_to_status_display(), e.org.name,
             e.by or "", format_html("：{}", e.note) if e.note else "")
            for e in obj.events.select_related("org", "by")))

    def get_actions_detail(self, request, object_id):
        app = visible_to(request.user, Application.objects.select_related("version", "handling_org")) \
            .filter(pk=object_id).first() if str(object_id).isdigit() else None
        if app is None or app.applicant_id == request.user.pk or app.on_behalf_by_id == request.user.pk:
            return []
        allowed = {name for name, states in actions.ALLOWED.items() if app.status in states} - actions.APPLICANT_ACTIONS
        step_role = app.version.steps[app.step]["role"] if app.step < len(app.version.steps) else None
        may_step = step_role is not None and actions._may_handle(request.user, app, step_role)
        may_any = actions._may_handle(request.user, app, None)
        show = {a for a in allowed if (a in ("transfer", "escalate") and may_any) or may_step}
        return [a for a in super().get_actions_detail(request, object_id)
                if a.action_name.removeprefix("hall_application_").rstrip("_") in show]

    @action(description="受理", url_path="accept", icon="task_alt")
    def accept(self, request, object_id):
        return views.act(request, object_id, "accept")

    @action(description="审批通过", url_path="approve", icon="check")
    def approve(self, request, object_id):
        return views.act(request, object_id, "approve")

    @action(description="退回补正", url_path="return", icon="undo")
    def return_(self, request, object_id):
        return views.act(request, object_id, "return")

    @action(description="不予受理", url_path="reject", icon="block")
    def reject(self, request, object_id):
        return views.act(request, object_id, "reject")

    @action(description="转办", url_path="transfer", icon="forward")
    def transfer(self, request, object_id):
        return views.act(request, object_id, "transfer")

    @action(description="上报", url_path="escalate", icon="upload")
    def escalate(self, request, object_id):
        return views.act(request, object_id, "escalate")

    @admin.action(description="批量受理所选办件")
    def accept_selected(self, request, queryset):
        """Safe in bulk: acceptance only moves a submitted application to its next step; each one is checked."""
        done, refused = 0, []
        for app in queryset.filter(status=S.SUBMITTED):
            try:
                actions.transition(app, "accept", by=request.user)
                done += 1
            except DomainError as e:
                refused.append(f"{app.number}：{e.message}")
        if done:
            messages.success(request, f"已受理 {done} 件。")
        for line in refused[:20]:
            messages.error(request, line)
