from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from unfold.decorators import action

from gonghui.common.errors import DomainError
from gonghui.common.models import Region

from . import actions, importing, views
from .backoffice import ScopedAdmin
from .forms import DissolveForm, MergeForm, MoveForm, OrgForm
from .models import Employer, Org, OrgEvent
from .queries import can_manage_orgs, get_visible_or_404, scope_org, visible_to

ORG_EDITORS = {"org_admin"}  # the roles of queries.can_manage_orgs


@admin.register(Org)
class OrgAdmin(ScopedAdmin):
    form = OrgForm
    edit_roles = ORG_EDITORS
    list_display = ["code", "name", "kind", "level", "parent", "employee_count", "founded_on",
                    "has_congress", "has_disclosure", "status"]
    list_filter = ["kind", "level", "status", "has_congress", "has_disclosure", "employer_type"]
    search_fields = ["=code", "name", "employer_name", "=uscc", "=employer_uscc"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    actions_detail = ["move_view", "dissolve_view", "merge_view"]

    def get_readonly_fields(self, request, obj=None):
        return ["parent"] if obj else []

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.resolver_match and request.resolver_match.url_name == "autocomplete":
            # The org picker of every form (ScopedAdmin.get_autocomplete_fields) offers active unions only.
            queryset = queryset.filter(status=Org.Status.ACTIVE)
        return queryset, may_have_duplicates

    def export_table(self, queryset):
        # The import's layout, so that an export can be corrected and imported again.
        orgs = queryset.select_related("parent").iterator(2000)
        return importing.EXPORT_HEADER, (importing.export_row(o) for o in orgs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        # The form's clean() ran the same checks as the actions, so a DomainError here is a race.
        facts = form.facts()
        if change:
            saved = actions.update_org(obj, by=request.user, **facts)
        else:
            saved = actions.create_org(by=request.user, parent=form.cleaned_data.get("parent"), **facts)
        obj.pk, obj.path = saved.pk, saved.path

    def get_urls(self):
        return [
            path("tree/", self.admin_site.admin_view(views.tree), name="orgs_org_tree"),
            path("pick/", self.admin_site.admin_view(views.pick_org), name="orgs_org_pick"),
            path("import/", self.admin_site.admin_view(views.import_orgs), name="orgs_org_import"),
            path("import/<int:job_id>/", self.admin_site.admin_view(views.import_status),
                 name="orgs_org_import_status"),
            path("import/<int:job_id>/errors/", self.admin_site.admin_view(views.import_errors),
                 name="orgs_org_import_errors"),
        ] + super().get_urls()

    def get_actions_detail(self, request, object_id):
        """移动/撤销/合并 are for a union above: not offered on the account's own union (the actions refuse)."""
        actions_ = super().get_actions_detail(request, object_id)
        return [] if str(request.user.org_id) == str(object_id) else actions_

    def _org_form_view(self, request, object_id, form_class, title, run):
        org = get_visible_or_404(request.user, Org, pk=object_id)
        if not can_manage_orgs(request.user) or org.pk == request.user.org_id:
            raise Http404("未找到该记录。")
        form = form_class(request.POST or None)
        for name in ("new_parent", "into"):
            if name in form.fields:
                form.fields[name].widget = org_picker(self.admin_site)
                form.fields[name].queryset = visible_to(request.user, Org).active().exclude(pk=org.pk)
        if request.method == "POST" and form.is_valid():
            try:
                run(org, form.cleaned_data)
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, f"{title}成功：{org.name}")
                return redirect(reverse("admin:orgs_org_change", args=[org.pk]))
        context = {**self.admin_site.each_context(request), "title": f"{title}：{org.name}", "form": form,
                   "org": org, "opts": self.model._meta, "media": form.media}
        return render(request, "orgs/org_action.html", context)

    @action(description="调整隶属关系", url_path="move")
    def move_view(self, request, object_id):
        return self._org_form_view(request, object_id, MoveForm, "调整隶属关系", lambda org, d:
                                   actions.move_org(org, new_parent=d["new_parent"], by=request.user))

    @action(description="撤销", url_path="dissolve")
    def dissolve_view(self, request, object_id):
        return self._org_form_view(request, object_id, DissolveForm, "撤销组织", lambda org, d:
                                   actions.dissolve_org(org, on=d["on"], reason=d["reason"], by=request.user))

    @action(description="合并", url_path="merge")
    def merge_view(self, request, object_id):
        return self._org_form_view(request, object_id, MergeForm, "合并组织", lambda org, d:
                                   actions.merge_org(org, into=d["into"], on=d["on"], by=request.user))


@admin.register(Employer)
class EmployerAdmin(ScopedAdmin):
    list_display = ["uscc", "name", "employer_type", "industry", "employee_count", "region_code", "union"]
    list_filter = ["employer_type", ("union", admin.EmptyFieldListFilter)]
    search_fields = ["=uscc", "name"]
    list_select_related = ["union"]
    readonly_fields = ["uscc", "name", "employer_type", "industry", "employee_count", "region_code", "union"]


def org_picker(admin_site) -> AutocompleteSelect:
    """A search box over the account's subtree (the org admin's autocomplete, scoped by its queryset) in
    place of a select of every org: a province holds 84 000."""
    return AutocompleteSelect(Org._meta.get_field("parent"), admin_site)


_ORG_FIELD_NAMES = {f.name for f in Org._meta.fields}


def describe_event(event: OrgEvent, names: dict[str, str]) -> str:
    """An event's detail in Chinese (上级组织：合肥市总工会 → 瑶海区总工会), with the orgs' names from `names`
    (code → name); a code without a name is shown as it is."""
    detail = event.detail or {}

    def org(key):
        code = detail.get(key)
        return f"{names.get(code, code)}（{code}）" if code else "无"

    kind = OrgEvent.Kind
    if event.kind == kind.CREATED:
        return f"上级组织：{org('parent')}"
    if event.kind == kind.MOVED:
        return f"上级组织：{org('from')} → {org('to')}"
    if event.kind == kind.MERGED:
        return f"并入：{org('into')}"
    if event.kind == kind.ABSORBED:
        return f"并入本组织：{org('from')}"
    if event.kind == kind.DISSOLVED:
        return f"撤销日期：{detail.get('on') or '—'}；原因：{detail.get('reason') or '—'}"
    if event.kind == kind.UPDATED:
        labels = [str(Org._meta.get_field(f).verbose_name) if f in _ORG_FIELD_NAMES else f
                  for f in detail.get("fields", [])]
        return "修改：" + "、".join(labels) if labels else "修改"
    return "；".join(f"{k}：{v}" for k, v in detail.items())


def _event_org_names(events) -> dict[str, str]:
    codes = {e.detail.get(k) for e in events for k in ("parent", "from", "to", "into") if e.detail}
    return dict(Org.objects.filter(code__in=codes - {None}).values_list("code", "name"))


@admin.register(OrgEvent)
class OrgEventAdmin(ScopedAdmin):
    list_display = ["at", "org", "kind", "by", "description"]
    list_filter = ["kind"]
    search_fields = ["org__name", "=org__code"]
    list_select_related = ["org", "by"]
    readonly_fields = ["at", "org", "kind", "by", "description"]
    fields = readonly_fields

    def get_changelist_instance(self, request):
        # The orgs a page of events names, read in one query.
        changelist = super().get_changelist_instance(request)
        names = _event_org_names(changelist.result_list)
        for event in changelist.result_list:
            event.org_names = names
        return changelist

    @admin.display(description="详情")
    def description(self, obj):
        names = getattr(obj, "org_names", None)
        return describe_event(obj, _event_org_names([obj]) if names is None else names)


# GB/T 2260 regions: reference data kept with the code (common), looked up where unions are placed.
@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["code", "name", "province_name", "prefecture_name", "level", "in_use", "since", "until"]
    list_filter = ["level", "in_use"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        # Reference data, the same for everyone: not scoped.
        return Region.objects.all() if scope_org(request.user) else Region.objects.none()

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
