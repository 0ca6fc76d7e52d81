"""The back office's home page, 统计分析: the figures of the account's own subtree (or of a union below it, `?org=`)
for a period, with last year's, the trend, the composition, the children compared and the targets' progress;
every table exported to Excel. And the page that sets a child union's target (目标任务)."""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gonghui.common import audit
from gonghui.common.admin import xlsx_response
from gonghui.common.errors import DomainError
from gonghui.common.excel import build_workbook
from gonghui.common.import_views import ImportForm, error_download, status_page, upload_page
from gonghui.common.models import ImportJob
from gonghui.orgs.models import Org
from gonghui.orgs.queries import get_visible_or_404, scope_org

from . import actions, importing, periods, queries
from .forms import TargetForm
from .periods import Period

NOT_FOUND = "未找到该页面。"
EXPORTS = {"figures": "主要指标", "children": "各下级对比", "targets": "目标任务完成情况"}


def _org_or_404(request) -> Org:
    """The union whose dashboard is asked for: the account's own, or `?org=CODE` inside its subtree; else 404."""
    scope = scope_org(request.user)
    if scope is None:
        raise Http404(NOT_FOUND)
    code = request.GET.get("org", "").strip()
    if not code or code == scope.code:
        return scope
    return get_visible_or_404(request.user, Org, code=code)


def _period(request) -> tuple[Period, str]:
    """The period asked for, and the reason when a custom one could not be used (then 本年)."""
    today = timezone.localdate()
    choice = request.GET.get("period", periods.DEFAULT)
    try:
        return periods.choose(choice, today, start=request.GET.get("from"), end=request.GET.get("to")), ""
    except DomainError as e:
        return periods.choose(periods.DEFAULT, today), e.message


def dashboard(request):
    org = _org_or_404(request)
    period, problem = _period(request)
    export = request.GET.get("export", "")
    if export:
        return _export(request, org, period, export)
    sort = request.GET.get("sort", "")
    keep = {"org": org.code, "period": period.choice,
            **({"from": period.start.isoformat(), "to": period.end.isoformat()} if period.choice == "custom" else {})}
    figures = queries.key_figures()
    return render(request, "stats/dashboard.html", {
        **admin.site.each_context(request), "title": f"统计分析：{org.name}", "org": org, "period": period,
        "problem": problem, "choices": periods.CHOICES, "trail": _trail(request.user, org),
        "boards": queries.boards(org, period), "sort": sort,
        "columns": [(f, "?" + urlencode(keep | {"sort": f.key if sort != f.key else f"-{f.key}"})) for f in figures],
        "children": queries.children(org, period, sort=sort), "targets": queries.targets(org, period),
        "query": urlencode(keep | ({"sort": sort} if sort else {})), "report_url": _report_url(org, period),
        "sets_targets": actions.sets_targets(request.user),
    })


def _trail(user, org: Org) -> list[Org]:
    """The unions from the account's own down to `org`, for the breadcrumb back up."""
    scope = scope_org(user)
    return [o for o in (*org.ancestors(), org) if o.is_within(scope)]


def _report_url(org: Org, period: Period) -> str:
    """The work report's download for this union and period (its view is the report's own)."""
    try:
        base = reverse("stats:report")
    except NoReverseMatch:
        return ""
    return base + "?" + urlencode({"org": org.code, "from": period.start.isoformat(), "to": period.end.isoformat()})


def _export(request, org: Org, period: Period, table: str):
    """One of the page's tables as a workbook, its title row naming the union and the period."""
    if table not in EXPORTS:
        raise Http404(NOT_FOUND)
    if table == "figures":
        header = ["板块", "指标", "单位", "本期", "上年同期", "同比", "指标说明"]
        rows = [[b.panel.title, r.figure.label, r.figure.unit, r.shown, r.last_shown, r.change, r.figure.definition]
                for b in queries.boards(org, period) for r in b.rows]
    elif table == "children":
        figures = queries.key_figures()
        header = ["组织代码", "组织名称", *(f"{f.label}（{f.unit}）" for f in figures), "落后于时间进度的目标"]
        rows = [[c.org.code, c.org.name, *(queries.text(c.values[f.key]) for f in figures),
                 "、".join(p["label"] for p in c.behind)]
                for c in queries.children(org, period, sort=request.GET.get("sort", ""))]
    else:
        header = ["指标", "单位", "目标值", "完成值", "完成率", "完成情况"]
        rows = [[t["label"], t["unit"], t["target_shown"], t["value_shown"], t["rate_shown"], _state(t)]
                for t in queries.targets(org, period)]
    caption = f"{org.name} {EXPORTS[table]}（{period.label}）"
    if table == "targets":
        caption = f"{org.name} {period.year}年目标任务完成情况（截至{period.end.month}月{period.end.day}日）"
    audit.record("stats_export", actor=request.user, obj=org, object_repr=caption,
                 changes={"table": table, "from": period.start, "to": period.end})
    data = build_workbook(EXPORTS[table], header, rows, caption=caption)
    return xlsx_response(data, f"{org.name}_{EXPORTS[table]}_{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx")


def _state(row: dict) -> str:
    if row["over"]:
        return "超额完成" if row["rate"] > 100 else "已完成"
    return "落后于时间进度" if row["behind_pace"] else "按进度推进"


def set_target(request):
    """Set (or change) the yearly target of a union the account's union sets targets for: its direct children,
    and itself at the root of the tree."""
    if not actions.sets_targets(request.user):
        raise Http404(NOT_FOUND)
    form = TargetForm(request.POST or None, user=request.user, initial=TargetForm.initial_from(request.GET))
    if request.method == "POST" and form.is_valid():
        try:
            target, created = actions.set_target(by=request.user, **form.cleaned_data)
        except DomainError as e:
            form.show(e)
        else:
            messages.success(request, f"已{'设定' if created else '修改'}目标任务：{target}。")
            return redirect(reverse("admin:stats_target_changelist") + f"?year={target.year}")
    return render(request, "common/action_form.html", {
        **admin.site.each_context(request), "title": "设定目标任务", "form": form, "form_id": "target-form",
        "submit": "保存", "cancel_url": reverse("admin:stats_target_changelist"),
        "intro": "为本工会的直接下级工会设定年度目标任务；同一组织、年度、指标已有目标的，保存后以新值为准。"})


# The import of targets (common.import_views' pages, behind this app's access rule) ---------------------------

def _require_setter(request) -> None:
    if not actions.sets_targets(request.user):
        raise Http404(NOT_FOUND)


def _get_job_or_404(request, job_id: int) -> ImportJob:
    _require_setter(request)
    return get_visible_or_404(request.user, ImportJob.objects.filter(kind=importing.KIND), pk=job_id)


def import_targets(request):
    """The upload page: the file is imported at once, each row as a target the account's union may set."""
    _require_setter(request)
    form = ImportForm(request.POST or None, request.FILES or None, importer=importing.TARGETS)
    if request.method == "POST" and form.is_valid():
        job = importing.run_import(upload=form.cleaned_data["file"], by=request.user, mode=form.cleaned_data["mode"])
        return redirect("admin:stats_target_import_result", job_id=job.pk)
    return upload_page(request, importing.TARGETS, form, notes=importing.GUIDE[1:])


def import_result(request, job_id: int):
    return status_page(request, importing.TARGETS, _get_job_or_404(request, job_id))


def import_errors(request, job_id: int):
    return error_download(request, importing.TARGETS, _get_job_or_404(request, job_id))


def import_template(request):
    _require_setter(request)
    return xlsx_response(importing.template_workbook(), "目标任务导入模板.xlsx")
