"""The cadres' side of the service hall: 办件 (待我办理 is a filter of it, the default for a handler), with the
due flags, filters by item, state, due and applicant's union, Excel export, bulk 受理, and the detail
buttons for each transition the account may make now."""

import dataclasses

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from unfold.contrib.filters.admin import TextFilter
from unfold.decorators import action, display

from gonghui.common.admin import person
from gonghui.common.errors import DomainError
from gonghui.orgs.backoffice import ScopedAdmin
from gonghui.orgs.queries import scope_org, visible_or_none

from . import actions, effects, queries, views
from .models import Application, HolidayDay, Level, ServiceItem

S = Application.Status
FLAGS = {"overdue": "已逾期", "due_soon": "即将到期"}


class MineFilter(admin.SimpleListFilter):
    """待我办理: open, handled in my subtree, at a step whose role I hold."""

    title = "范围"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "待我办理")]

    def queryset(self, request, queryset):
        return queries.waiting_for(request.user, queryset) if self.value() == "1" else queryset


class DueFilter(admin.SimpleListFilter):
    title = "期限"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "已逾期"), ("due_soon", "即将到期")]

    def queryset(self, request, queryset):
        return queries.with_due_flag(queryset, self.value()) if self.value() else queryset


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
    list_filter = [MineFilter, "status", ("version__item", admin.RelatedFieldListFilter), DueFilter,
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
        return scope_org(request.user) is not None and request.user.has_role(*views.FILING_ROLES)

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return views.file_for(request)

    def changelist_view(self, request, extra_context=None):
        if request.GET.get("mine") == "1":
            extra_context = (extra_context or {}) | {"title": "待我办理"}
        return super().changelist_view(request, extra_context)

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

        return format_html_join("", '<div><a class="text-primary-600 underline" href="{}">{}</a>（{}，{} KB）</div>', (
            (reverse("hall:download", args=[f.pk]), f.filename, f.kind.upper(), max(1, f.size // 1024))
            for f in obj.attachments.all())) or "—"

    @display(description="办理记录")
    def history(self, obj):
        def who(e):
            if e.by_id is not None and e.by_id == obj.applicant_id:
                return f"{obj.applicant_name}（申请人）"
            return person(e.by)

        return format_html_join("", "<div>{} {} · {} · {}{}</div>", (
            (timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"), e.get_to_status_display(), e.org.name,
             who(e), format_html("：{}", e.note) if e.note else "")
            for e in obj.events.select_related("org", "by")))

    def get_actions_detail(self, request, object_id):
        app = visible_or_none(request.user, Application.objects.select_related("version", "handling_org"), object_id)
        if app is None or app.applicant_id == request.user.pk or app.on_behalf_by_id == request.user.pk:
            return []
        allowed = {name for name, states in actions.ALLOWED.items() if app.status in states} - actions.APPLICANT_ACTIONS
        step_role = app.version.steps[app.step]["role"] if app.step < len(app.version.steps) else None
        may_step = step_role is not None and actions.may_handle(request.user, app, step_role)
        may_any = actions.may_handle(request.user, app, None)
        show = {a for a in allowed if (a in ("transfer", "escalate") and may_any) or may_step}
        buttons = []
        for button in super().get_actions_detail(request, object_id):
            name = button.action_name.removeprefix("hall_application_").rstrip("_")
            if name in show:  # 审批通过 names the current step: 审核通过, 审批通过, 办结
                buttons.append(dataclasses.replace(button, description=views.step_action_label(app, name)))
        return buttons

    @action(description="受理", url_path="accept", icon="task_alt")
    def accept(self, request, object_id):
        return views.act(request, object_id, "accept")

    @action(description="通过本环节", url_path="approve", icon="check")
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


class ItemForm(forms.ModelForm):
    """An item and the definition of its next version (the JSON of fields, files and steps, as in
    gonghui/hall/catalogue.py). Saving a changed definition makes a new version."""

    guide = forms.CharField(label="办事指南", widget=forms.Textarea(attrs={"rows": 4}))
    level = forms.ChoiceField(label="办理层级", choices=Level.choices)
    time_limit_days = forms.IntegerField(label="办理时限（工作日）", min_value=1, max_value=365)
    effect = forms.ChoiceField(label="办结效果", required=False, choices=())
    entry_url = forms.CharField(label="办理入口", required=False, max_length=200,
                                help_text="在平台其他页面办理的事项填写其地址（如 /w/join/），"
                                          "大厅只展示指南和入口；一般留空。")
    applicants = forms.JSONField(label="申请人范围", help_text='如 ["worker", "member"]；union 为工会申请')
    steps = forms.JSONField(label="办理环节", help_text='如 [{"name": "受理", "role": "operator"}, '
                            '{"name": "审批", "role": "approver", "level": "county"}]')
    fields_spec = forms.JSONField(label="表单字段", required=False, help_text="name、label、type、required、choices")
    attachments = forms.JSONField(label="所需材料", required=False, help_text="name、label、types、max_mb、required")

    class Meta:
        model = ServiceItem
        fields = ["code", "name", "active", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effect"].choices = effects.choices()
        version = self.instance.current if self.instance.pk else None
        if version is not None:
            for name in ("guide", "level", "time_limit_days", "effect", "entry_url", "applicants", "steps",
                         "attachments"):
                self.initial[name] = getattr(version, name)
            self.initial["fields_spec"] = version.fields
            if "code" in self.fields:  # absent from a read-only view
                self.fields["code"].disabled = True

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                actions.check_version_spec(self.spec())
            except DomainError as e:
                self.add_error("fields_spec" if e.field == "fields" else e.field if e.field in self.fields else None,
                               e.message)
        return data

    def spec(self) -> dict:
        data = self.cleaned_data
        return {"guide": data["guide"], "level": data["level"], "time_limit_days": data["time_limit_days"],
                "effect": data.get("effect") or "", "entry_url": (data.get("entry_url") or "").strip(),
                "applicants": data["applicants"], "steps": data["steps"],
                "fields": data.get("fields_spec") or [], "attachments": data.get("attachments") or []}


class ReferenceAdmin(ScopedAdmin):
    """The same rows for every cadre (reference data), with ScopedAdmin's refusals answered 404."""

    actions = []

    def get_queryset(self, request):
        return self.model._default_manager.all()


@admin.register(ServiceItem)
class ServiceItemAdmin(ReferenceAdmin):
    """办事项: the same catalogue for the whole province; maintained by its administrators, versioned."""

    form = ItemForm
    list_display = ["name", "code", "active", "level", "time_limit", "version_number"]
    list_filter = ["active"]
    search_fields = ["name", "code"]
    fieldsets = [(None, {"fields": ["code", "name", "active", "order"]}),
                 ("当前版本（修改后保存为新版本，已提交的办件沿用原版本）",
                  {"fields": ["guide", "level", "time_limit_days", "effect", "entry_url", "applicants", "steps",
                              "fields_spec", "attachments"]})]

    def has_add_permission(self, request):
        return actions.can_manage_catalogue(request.user)

    def has_change_permission(self, request, obj=None):
        return actions.can_manage_catalogue(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # an item is closed (开放申请 off), never deleted: applications keep their version

    def get_queryset(self, request):
        return ServiceItem.objects.select_related("current")

    @display(description="办理层级")
    def level(self, obj):
        return obj.current.get_level_display() if obj.current else ""

    @display(description="时限（工作日）")
    def time_limit(self, obj):
        return obj.current.time_limit_days if obj.current else ""

    @display(description="版本")
    def version_number(self, obj):
        return obj.current.number if obj.current else ""

    def save_model(self, request, obj, form, change):
        saved = actions.save_item(item=obj if change else None, code=form.cleaned_data.get("code") or obj.code,
                                  name=form.cleaned_data["name"], active=form.cleaned_data["active"],
                                  order=form.cleaned_data.get("order"), spec=form.spec(), by=request.user)
        obj.pk, obj.current = saved.pk, saved.current

    def save_related(self, request, form, formsets, change):
        pass  # nothing related is edited here; the version was written by the action


@admin.register(HolidayDay)
class HolidayDayAdmin(ReferenceAdmin):
    """节假日调整: for a year the calendar package does not cover yet (enter the whole year at once)."""

    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    fields = ["date", "kind", "name"]

    def has_add_permission(self, request):
        return actions.can_manage_catalogue(request.user)

    def has_change_permission(self, request, obj=None):
        return actions.can_manage_catalogue(request.user)

    def has_delete_permission(self, request, obj=None):
        return actions.can_manage_catalogue(request.user)

    def save_model(self, request, obj, form, change):
        saved = actions.set_holiday(day=obj.date, kind=obj.kind, name=obj.name, by=request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        from gonghui.common import audit

        audit.record("hall_holiday_delete", actor=request.user, obj=obj, changes={"date": str(obj.date)})
        obj.delete()
