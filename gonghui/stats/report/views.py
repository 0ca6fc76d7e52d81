"""The work report's pages: its download (the .docx, or the .xlsx annex with `format=xlsx`) for a union of the
cadre's subtree, and the confirmation of a template rollback."""

import datetime
from urllib.parse import quote

from django.contrib import admin, messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from gonghui.common import audit
from gonghui.common.admin import xlsx_response
from gonghui.common.errors import DomainError
from gonghui.orgs.models import Org
from gonghui.orgs.queries import get_visible_or_404, scope_org

from ..models import ReportTemplate
from . import actions, document

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _day(request, name: str, default: datetime.date) -> datetime.date:
    raw = request.GET.get(name)
    if not raw:
        return default
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise Http404("日期格式应为 YYYY-MM-DD。") from None


def report(request):
    """GET ?org=CODE&from=D&to=D[&format=xlsx]: the report of that union (the cadre's own by default) over
    the period (this year to today by default). A union outside the cadre's subtree answers 404."""
    scope = scope_org(request.user)
    if scope is None:
        raise Http404("未找到该页面。")
    org = get_visible_or_404(request.user, Org, code=request.GET["org"]) if request.GET.get("org") else scope
    today = datetime.date.today()
    start, end = _day(request, "from", today.replace(month=1, day=1)), _day(request, "to", today)
    if start > end:
        raise Http404("起始日期不能晚于截止日期。")
    try:
        prepared = document.prepare(org, start, end)
    except DomainError as e:  # the template in use names a figure withdrawn since it was saved
        return render(request, "common/error.html", {
            "title": "无法生成工作报告", "lead": e.message,
            "text": "请省级工会的单位管理员在“工作报告模板”中修改或回退模板后再试。"}, status=409)
    annex = request.GET.get("format") == "xlsx"
    audit.record("stats_report_download", actor=request.user, obj=org,
                 changes={"from": start, "to": end, "format": "xlsx" if annex else "docx"})
    if annex:
        return xlsx_response(document.xlsx_bytes(prepared), f"{prepared.title}（附表）.xlsx")
    response = HttpResponse(document.docx_bytes(prepared), content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(prepared.title + '.docx', safe='')}"
    response["Cache-Control"] = "no-store"
    return response


def activate(request, object_id):
    """回退 (the version page's button): confirm, then make this version the one in use."""
    if not actions.can_edit_template(request.user):
        raise Http404("未找到该页面。")
    version = ReportTemplate.objects.filter(pk=object_id).first()
    if version is None:
        raise Http404("未找到该记录。")
    change_url = reverse("admin:stats_reporttemplate_change", args=[version.pk])
    if request.method == "POST":
        try:
            actions.activate_template(version, by=request.user)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已回退到第{version.number}版，生成报告将使用此版本。")
            return redirect(reverse("admin:stats_reporttemplate_changelist"))
        return redirect(change_url)
    saved = timezone.localtime(version.created_at)
    note = f"（{version.note}）" if version.note else ""
    return render(request, "common/action_form.html", {
        **admin.site.each_context(request), "title": f"回退到工作报告模板第{version.number}版",
        "intro": f"第{version.number}版由 {version.created_by} 于 {saved:%Y-%m-%d %H:%M} 保存{note}。"
                 "确认后生成报告将使用此版本。",
        "submit": "确认回退", "cancel_url": change_url, "form_id": "report-template-activate"})
