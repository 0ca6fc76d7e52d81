from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from unfold.widgets import UnfoldAdminFileFieldWidget

from gonghui.common import audit
from gonghui.common.admin import xlsx_response
from gonghui.common.models import ImportJob

from . import importing
from .models import Org
from .queries import can_manage_orgs, get_visible_or_404, scope_org, visible_to


def tree(request):
    """The organization tree, one level at a time: the page shows the account's own org and its
    children; expanding a row fetches that org's children as an htmx fragment."""
    parent_id = request.GET.get("parent")
    parent = get_visible_or_404(request.user, Org, pk=parent_id) if parent_id else scope_org(request.user)
    if parent is None:  # a staff account placed in no org has no tree to show
        raise Http404("未找到该页面。")
    children = (
        visible_to(request.user, Org).filter(parent=parent)
        .annotate(child_count=Count("children", filter=Q(children__status=Org.Status.ACTIVE)))
        .order_by("-child_count", "code")
    )
    context = {"parent": parent, "children": children}
    if request.htmx:
        return render(request, "orgs/tree_rows.html", context)
    return render(request, "orgs/tree.html", {**admin.site.each_context(request), **context,
                                              "title": "组织树"})


class ImportForm(forms.Form):
    file = forms.FileField(label="导入文件", widget=UnfoldAdminFileFieldWidget(attrs={"accept": ".xlsx,.csv"}),
                           help_text="支持 .xlsx 或 .csv，不超过 20 MB；第一行为中文列名。")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in {".xlsx", ".csv"}:
            raise forms.ValidationError("只支持 .xlsx 或 .csv 文件。")
        if upload.size > importing.MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件不能超过 20 MB。")
        return upload


def _require_importer(request) -> None:
    if not can_manage_orgs(request.user):
        raise Http404("未找到该页面。")


def _get_job_or_404(request, job_id: int) -> ImportJob:
    """An org import run inside the account's subtree that the account started, or that an org
    admin of the same or a higher org may look at; else 404."""
    job = get_visible_or_404(request.user, ImportJob.objects.filter(kind="orgs"), pk=job_id)
    if job.created_by_id != request.user.pk and not can_manage_orgs(request.user):
        raise Http404("未找到该记录。")
    return job


def import_orgs(request):
    """The upload page: the file is imported by a background task as the uploading account."""
    _require_importer(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = importing.start_org_import(upload=form.cleaned_data["file"], by=request.user)
        return redirect("admin:orgs_org_import_status", job_id=job.pk)
    jobs = visible_to(request.user, ImportJob).filter(kind="orgs", created_by=request.user)[:10]
    return render(request, "orgs/import.html", {
        **admin.site.each_context(request), "title": "导入组织", "form": form, "jobs": jobs,
        "columns": importing.REQUIRED_COLUMNS, "optional_columns": [
            c for c in importing.COLUMNS if c not in importing.REQUIRED_COLUMNS]})


def import_status(request, job_id: int):
    """A run's progress (polled by htmx as a fragment) and, once finished, its summary."""
    job = _get_job_or_404(request, job_id)
    context = {"job": job, "summary": job.summary}
    if request.htmx:
        return render(request, "orgs/import_progress.html", context)
    return render(request, "orgs/import_status.html", {**admin.site.each_context(request), **context,
                                                       "title": f"导入组织：{job.filename}"})


def import_errors(request, job_id: int):
    """The rejected rows of a run as a workbook, with the reasons and the faulty cells highlighted."""
    job = _get_job_or_404(request, job_id)
    path = Path(settings.MEDIA_ROOT) / job.error_file if job.error_file else None
    if path is None or not path.is_file():
        raise Http404("没有错误文件。")
    audit.record("export", actor=request.user, obj=job, object_repr=f"导入错误文件 {job.filename}")
    return xlsx_response(path.read_bytes(), f"导入错误_{Path(job.filename).stem}.xlsx")
