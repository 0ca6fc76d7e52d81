"""The cadres' side of mutual aid: plans (the province's 单位管理员 maintains them, everyone reads), unit
enrolments (list, export, the 单位参保 page with its preview), coverage (保障名单), gifting campaigns (赠送
with a confirmation), claims (list by plan and status, export, the working, 核准 / 不予给付). All scoped."""

from django import forms
from django.contrib import admin
from django.urls import path
from django.utils.html import format_html_join
from unfold.decorators import action, display

from gonghui.common import codesets
from gonghui.common.errors import DomainError
from gonghui.members.admin import MemberColumns
from gonghui.orgs.backoffice import ScopedAdmin
from gonghui.orgs.queries import visible_or_none, visible_to

from . import actions, queries, views
from .models import Campaign, Claim, Coverage, Enrolment, Plan


class PlanFilter(admin.SimpleListFilter):
    """By plan: the plans the account may see (its subtree's and those of the unions above it)."""

    title = "计划"
    parameter_name = "plan"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in visible_to(request.user, Plan).values_list("pk", "name")]

    def queryset(self, request, queryset):
        shown = {pk for pk, _ in self.lookup_choices}
        return queryset.filter(plan_id=self.value()) if self.value() in shown else queryset


class _ActionCheckedForm(forms.ModelForm):
    """A model form whose instance is checked by the action's rules; their DomainError shown on the field."""

    user = None
    check = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            type(self).check(self.instance, by=self.user)
        except DomainError as e:
            self.add_error(e.field if e.field in self.fields else None, e.message)


class _ActionSavedAdmin(ScopedAdmin):
    form_check = None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user, "check": staticmethod(self.form_check)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Plan:
            kwargs["queryset"] = visible_to(request.user, Plan).filter(active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        pass  # nothing related is edited here


class PlanForm(_ActionCheckedForm):
    class Meta:
        model = Plan
        fields = actions.PLAN_FIELDS


@admin.register(Plan)
class PlanAdmin(_ActionSavedAdmin):
    form = PlanForm
    form_check = staticmethod(actions.check_plan)
    list_display = ["name", "kind", "org", "period_start", "period_end", "premium", "deductible", "ratio",
                    "per_claim_cap", "yearly_cap", "claim_days", "active"]
    list_filter = ["kind", "active"]
    list_select_related = ["org"]
    search_fields = ["name"]
    fields = actions.PLAN_FIELDS

    def has_add_permission(self, request):
        return actions.can_manage_plans(request.user)

    def has_change_permission(self, request, obj=None):
        return actions.can_manage_plans(request.user, obj)

    def save_model(self, request, obj, form, change):
        actions.save_plan(plan=obj, by=request.user)


@admin.register(Enrolment)
class EnrolmentAdmin(ScopedAdmin):
    """单位参保 and the campaigns' enrolments: read here; added through the 单位参保 page."""

    list_display = ["org", "plan", "source", "campaign", "members_count", "premium_total", "enrolled_by",
                    "enrolled_at"]
    list_filter = [PlanFilter, "source"]
    list_select_related = ["org", "plan", "campaign", "enrolled_by"]
    search_fields = ["org__name", "org__code"]
    readonly_fields = list_display + ["covered"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return actions.can_enrol(request.user, request.user.org) if request.user.org_id else False

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return views.enrol(request)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [path("errors/<int:job_id>/", wrap(views.enrol_errors), name="mutualaid_enrolment_errors"),
                path("template/", wrap(views.enrol_template), name="mutualaid_enrolment_template"),
                *super().get_urls()]

    @display(description="保障名单")
    def covered(self, obj):
        rows = obj.coverages.select_related("member").order_by("id")[:500]
        return format_html_join("", "<div>{}（{}） {} 至 {}</div>", (
            (c.member.name, c.member.member_number, c.start, c.end) for c in rows)) or "—"


@admin.register(Coverage)
class CoverageAdmin(MemberColumns, ScopedAdmin):
    list_display = ["member", "plan", "enrolment_org", "start", "end"]
    list_filter = [PlanFilter]
    list_select_related = ["member", "plan", "enrolment__org"]
    readonly_fields = ["member", "plan", "enrolment", "start", "end"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @display(description="参保工会")
    def enrolment_org(self, obj):
        return obj.enrolment.org.name

    def export_table(self, queryset):
        columns = [("姓名", lambda c: c.member.name), ("会员证号", lambda c: c.member.member_number),
                   ("计划", lambda c: c.plan.name), ("参保工会", lambda c: c.enrolment.org.name),
                   ("保障起", lambda c: c.start), ("保障止", lambda c: c.end)]
        rows = ([get(c) for _, get in columns]
                for c in queryset.select_related("member", "plan", "enrolment__org").iterator())
        return [title for title, _ in columns], rows


class CampaignForm(_ActionCheckedForm):
    worker_groups = forms.MultipleChoiceField(label="限定群体", required=False, choices=codesets.WORKER_GROUP.choices(),
                                              widget=forms.CheckboxSelectMultiple, help_text="不选表示不限")

    class Meta:
        model = Campaign
        fields = ["name", "plan", "org", "worker_groups", "joined_from", "joined_to"]

    def clean_worker_groups(self):
        return list(self.cleaned_data.get("worker_groups") or [])


@admin.register(Campaign)
class CampaignAdmin(_ActionSavedAdmin):
    form = CampaignForm
    form_check = staticmethod(actions.check_campaign)
    edit_roles = set(actions.ENROL_ROLES)
    list_display = ["name", "plan", "org", "groups", "joined_from", "joined_to", "created_by", "created_at"]
    list_select_related = ["plan", "org", "created_by"]
    list_filter = [PlanFilter]
    search_fields = ["name"]
    fields = ["name", "plan", "org", "worker_groups", "joined_from", "joined_to"]
    actions_detail = ["run"]

    @display(description="限定群体")
    def groups(self, obj):
        labels = dict(codesets.WORKER_GROUP.choices())
        return "、".join(labels.get(g, g) for g in obj.worker_groups) or "不限"

    def save_model(self, request, obj, form, change):
        actions.save_campaign(campaign=obj, by=request.user)

    def get_actions_detail(self, request, object_id):
        campaign = visible_or_none(request.user, Campaign.objects.select_related("org"), object_id)
        if campaign is None or not actions.can_enrol(request.user, campaign.org):
            return []
        return super().get_actions_detail(request, object_id)

    @action(description="赠送（为符合条件的会员参保）", url_path="run", icon="redeem")
    def run(self, request, object_id):
        return views.run_campaign(request, object_id)


class ClaimStatusFilter(admin.SimpleListFilter):
    """The status as people read it: 已给付 is an approved claim whose ledger approval is paid."""

    title = "状态"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Claim.Status.choices

    def queryset(self, request, queryset):
        return queries.claims_with_status(queryset, self.value()) if self.value() else queryset


@admin.register(Claim)
class ClaimAdmin(MemberColumns, ScopedAdmin):
    list_display = ["member", "plan", "org", "event_date", "filed_on", "expense", "benefit", "status_shown"]
    list_filter = [PlanFilter, ClaimStatusFilter]
    list_select_related = ["member", "plan", "org", "approval"]
    readonly_fields = ["member", "plan", "org", "event_date", "filed_on", "expense", "benefit", "working_lines",
                       "status_shown", "health_consent_at", "application_number", "approval", "filed_by", "decided_by",
                       "decided_at", "note"]
    fields = readonly_fields
    actions_detail = ["approve", "reject"]

    def has_add_permission(self, request):
        return False  # claims come through the service hall (医疗互助报销), where a cadre may also file for a member

    def has_change_permission(self, request, obj=None):
        return False

    @display(description="状态")
    def status_shown(self, obj):
        return obj.shown_status

    @display(description="计算过程")
    def working_lines(self, obj):
        return format_html_join("", "<div>{}</div>", ((line,) for line in obj.working)) or "—"

    @display(description="办事大厅受理编号")
    def application_number(self, obj):
        return obj.application.number if obj.application_id else "—"

    def export_table(self, queryset):
        columns = [("姓名", lambda c: c.member.name), ("会员证号", lambda c: c.member.member_number),
                   ("计划", lambda c: c.plan.name), ("受理工会", lambda c: c.org.name),
                   ("就诊或事故日期", lambda c: c.event_date), ("申请日期", lambda c: c.filed_on),
                   ("医疗费用（元）", lambda c: c.expense), ("给付金额（元）", lambda c: c.benefit),
                   ("状态", lambda c: c.shown_status), ("计算过程", lambda c: "；".join(c.working)),
                   ("处理意见", lambda c: c.note)]
        rows = ([get(c) for _, get in columns]
                for c in queryset.select_related("member", "plan", "org", "approval").iterator())
        return [title for title, _ in columns], rows

    def get_actions_detail(self, request, object_id):
        claim = visible_or_none(request.user, Claim.objects.select_related("org"), object_id)
        if claim is None or claim.status != Claim.Status.FILED or not actions.can_decide(request.user, claim):
            return []
        return super().get_actions_detail(request, object_id)

    @action(description="核准", url_path="approve", icon="check")
    def approve(self, request, object_id):
        return views.decide_claim(request, object_id, approve=True)

    @action(description="不予给付", url_path="reject", icon="block")
    def reject(self, request, object_id):
        return views.decide_claim(request, object_id, approve=False)

