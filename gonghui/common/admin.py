"""The back office base: every model admin inherits ScopedAdmin, which limits lists, objects,
choices and exports to the account's subtree and answers 404 for anything outside."""

import functools
import math
import re
import sys
from urllib.parse import quote

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult
from unfold.admin import ModelAdmin
from unfold.views import ChangeList

from . import audit
from .excel import build_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def person(user) -> str:
    """A cadre as pages show them (full name and username), as plain text: the account page it would link to
    is the security administrator's, not the reader's."""
    return str(user) if user else ""


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """A workbook download named `filename` as typed (Chinese included): percent-encoded here, once, for the
    RFC 5987 `filename*` (a caller that forgets it sends a MIME-encoded header)."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
    response["Cache-Control"] = "no-store"
    return response


# The back office shows scoped models only. These third-party admins are not scoped (groups are
# unused, authenticator secrets and task results belong to no subtree) and answer 403 to cadres.
for _model in (Group, TOTPDevice, DBTaskResult):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


def _denied_as_404(view):
    """A refusal answers 404 like a record outside the subtree: 403 would reveal that it exists."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except PermissionDenied:
            raise Http404("未找到该记录。") from None

    return wrapper


_INDENTATION = re.compile(rb"\n[ \t\r\n]+")


def _without_indentation(view):
    """A list page without the templates' indentation and blank lines (a quarter of unfold's page), unless
    it holds preformatted text, whose whitespace counts."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        response = view(*args, **kwargs)

        def squeeze(response):
            if b"<textarea" not in response.content and b"<pre" not in response.content:
                response.content = _INDENTATION.sub(b"\n", response.content)

        if hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(squeeze)
        return response

    return wrapper


class AtLeast(int):
    """A count known only to be at least this much; prints as "10000+"."""

    def __str__(self) -> str:
        return f"{int(self)}+"


class CappedCountPaginator(Paginator):
    """Counts exactly up to CAP rows, with a LIMIT-ed count (bounded work on tables of millions: a province
    holds 6.5 M members, and an exact COUNT(*) over a subtree would run on every page); past that the total
    shows as "10000+", the page links stop after the current page's neighbours and the list pages on."""

    CAP = 10_000
    template_name = "common/pagination.html"

    @cached_property
    def count(self) -> int:
        n = self.object_list[: self.CAP + 1].count()
        return AtLeast(self.CAP) if n > self.CAP else n

    @property
    def capped(self) -> bool:
        return isinstance(self.count, AtLeast)

    @cached_property
    def num_pages(self) -> int:
        if self.capped:
            return sys.maxsize  # no known end: any page may be asked for, one past the end is empty
        return max(1, math.ceil(max(0, self.count - self.orphans) / self.per_page))

    def page(self, number):
        """A page; a number past the end shows the last page (a typed jump never errors)."""
        number = min(self.validate_number(number), self.num_pages)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.capped and top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.object_list[bottom:top], number, self)

    def validate_number(self, number):
        """Any number is a page: below 1 or not a number is the first (the page clamps the top)."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            return 1
        return max(1, number)

    def get_elided_page_range(self, number=1, *, on_each_side=2, on_ends=2):
        if not self.capped:
            yield from super().get_elided_page_range(number, on_each_side=on_each_side, on_ends=on_ends)
            return
        number = self.validate_number(number)
        yield from range(1, min(on_ends, number) + 1)
        if number - on_each_side > on_ends + 1:
            yield self.ELLIPSIS
        yield from range(max(on_ends + 1, number - on_each_side), number + on_each_side + 1)
        yield self.ELLIPSIS


PER_PAGE_VAR = "per_page"
PER_PAGE_CHOICES = (20, 50, 100)


class ScopedChangeList(ChangeList):
    """Every list: page numbers and a jump (common/pagination.html), a 每页 20/50/100 choice kept in the query
    string, and no "(显示全部)" beside an unfiltered list's title (its count is then the whole list's)."""

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(PER_PAGE_VAR, None)
        return lookup_params

    def get_results(self, request):
        chosen = request.GET.get(PER_PAGE_VAR, "")
        if chosen.isdigit() and int(chosen) in PER_PAGE_CHOICES:
            self.list_per_page = int(chosen)
        super().get_results(request)
        self.page_num = min(self.paginator.validate_number(self.page_num), self.paginator.num_pages)
        if not self.has_active_filters and not self.query:
            self.full_result_count = self.result_count

    @property
    def jump_fields(self) -> list[tuple[str, str]]:
        """The query string but the page, as hidden fields of the "跳至第 N 页" form."""
        return [(name, value) for name, values in self.filter_params.items() for value in values]

    @property
    def per_page_links(self) -> list[tuple[int, str, bool]]:
        return [(n, self.get_query_string({PER_PAGE_VAR: n}, [PAGE_VAR]), n == self.list_per_page)
                for n in PER_PAGE_CHOICES]


class BackOfficeAdmin(ModelAdmin):
    """Every back-office list and form: page numbers, 每页 and a jump, a light page, a refusal answered 404,
    nothing deleted (domain records are closed by actions), and export to Excel. Scoping by the account's
    subtree is added by orgs.backoffice.ScopedAdmin, which every model admin uses."""

    show_full_result_count = False
    paginator = CappedCountPaginator
    list_per_page = 50
    change_list_template = "common/change_list.html"
    actions = ["export_xlsx"]
    export_fields: list[str] | None = None

    def get_changelist(self, request, **kwargs):
        return ScopedChangeList

    @admin.display(description=ModelAdmin.action_checkbox.short_description)
    def action_checkbox(self, obj):
        """The row's checkbox with one class (common/backoffice.css), not unfold's 700 bytes of classes."""
        return format_html('<input type="checkbox" name="{}" value="{}" class="action-select gh-checkbox" '
                           'aria-label="选择该记录">', helpers.ACTION_CHECKBOX_NAME, obj.pk)

    changelist_view = _denied_as_404(_without_indentation(ModelAdmin.changelist_view))
    changeform_view = _denied_as_404(ModelAdmin.changeform_view)
    history_view = _denied_as_404(ModelAdmin.history_view)
    delete_view = _denied_as_404(ModelAdmin.delete_view)

    def has_delete_permission(self, request, obj=None):
        return False

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404("未找到该记录。")

    def get_export_fields(self) -> list[str]:
        return self.export_fields or [f for f in self.list_display if isinstance(f, str) and f != "__str__"]

    def export_table(self, queryset) -> tuple[list[str], object]:
        """The header and rows of an export; an admin overrides it when its export has a set layout."""
        fields = self.get_export_fields()
        header = [str(self.model._meta.get_field(f).verbose_name) for f in fields]
        return header, ([_display(obj, f) for f in fields] for obj in queryset.iterator())

    @admin.action(description="导出所选记录为 Excel")
    def export_xlsx(self, request, queryset):
        queryset = queryset.filter(pk__in=self.get_queryset(request).values("pk"))
        header, rows = self.export_table(queryset)
        data = build_workbook(str(self.model._meta.verbose_name), header, rows)
        audit.record("export", actor=request.user, object_repr=f"{self.model._meta.verbose_name} 导出",
                     changes={"rows": queryset.count()})
        name = f"{self.model._meta.verbose_name}_{timezone.localdate():%Y%m%d}.xlsx"
        return xlsx_response(data, name)


def _display(obj: models.Model, field: str):
    getter = getattr(obj, f"get_{field}_display", None)
    value = getter() if getter else getattr(obj, field)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


admin.site.index_title = "工作台"
# 工作台 shows the sidebar's groups (config/sidebar.py) rather than the list of apps, so both name them alike.
admin.site.index_template = "common/workbench.html"
