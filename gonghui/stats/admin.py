"""目标任务 in the back office: the list of targets in the account's subtree (filter by year, union and figure;
export in the import's layout), the page that sets one (`views.set_target`), and the import's pages."""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.urls import path, reverse
from django.utils.html import format_html
from unfold.decorators import display

from gonghui.common.admin import person
from gonghui.orgs.backoffice import OrgSubtreeFilter, ScopedAdmin

from . import actions, importing, views
from .targets import Target, shown, targetable


class FigureFilter(SimpleListFilter):
    title = "指标"
    parameter_name = "key"

    def lookups(self, request, model_admin):
        return [(f.key, f.label) for f in targetable()]

    def queryset(self, request, queryset):
        return queryset.filter(key=self.value()) if self.value() else queryset


@admin.register(Target)
class TargetAdmin(ScopedAdmin):
    list_display = ["org", "year", "figure", "target_value", "unit", "set_by_name", "set_at", "change_link"]
    list_filter = ["year", OrgSubtreeFilter, FigureFilter]
    list_filter_submit = True
    list_select_related = ["org", "set_by"]
    readonly_fields = ["org", "year", "figure", "target_value", "unit", "set_by_name", "set_at"]
    fields = readonly_fields
    search_fields = ["org__name", "org__code"]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(views.import_targets), name="stats_target_import"),
            path("import/template/", wrap(views.import_template), name="stats_target_import_template"),
            path("import/<int:job_id>/", wrap(views.import_result), name="stats_target_import_result"),
            path("import/<int:job_id>/errors/", wrap(views.import_errors), name="stats_target_import_errors"),
            *super().get_urls(),
        ]

    def has_add_permission(self, request):
        return actions.sets_targets(request.user)

    def has_change_permission(self, request, obj=None):
        return False  # set through the action's page (add_view), which also changes an existing target

    def add_view(self, request, form_url="", extra_context=None):
        return views.set_target(request)

    def export_table(self, queryset):
        return importing.EXPORT_HEADER, importing.export_rows(queryset)

    @display(description="指标")
    def figure(self, obj):
        return obj.label

    @display(description="目标值")
    def target_value(self, obj):
        return shown(obj.value)

    @display(description="单位")
    def unit(self, obj):
        return obj.unit

    @display(description="调整")
    def change_link(self, obj):
        # The set page offers the unions the account sets targets for: it refuses the others.
        query = urlencode({"org": obj.org.code, "year": obj.year, "key": obj.key, "value": shown(obj.value)})
        return format_html('<a href="{}?{}">调整目标</a>', reverse("admin:stats_target_add"), query)

    @display(description="设定人")
    def set_by_name(self, obj):
        return person(obj.set_by)
