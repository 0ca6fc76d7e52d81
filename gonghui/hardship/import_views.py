"""The back-office hardship file import (导入困难职工档案): upload, the result page (counts and the rejected
rows), the error workbook and the template. For cadres who may open files (经办人, 单位管理员); the files go
into the account's own subtree only. Routes: gonghui/hardship/urls.py."""

from pathlib import Path

from django import forms
from django.contrib import admin
from django.http import Http404
from django.shortcuts import redirect, render
from unfold.widgets import UnfoldAdminFileFieldWidget

from gonghui.common import audit
from gonghui.common.admin import xlsx_response
from gonghui.common.forms import BackOfficeStyleMixin
from gonghui.common.models import ImportJob
from gonghui.orgs.queries import get_visible_or_404, visible_to

from . import actions, importing
from .models import HardshipFile

NOT_FOUND = "未找到该页面。"


class HardshipImportForm(BackOfficeStyleMixin, forms.Form):
    file = forms.FileField(label="导入文件", widget=UnfoldAdminFileFieldWidget(attrs={"accept": ".xlsx"}),
                           help_text="Excel 文件（.xlsx），不超过 20 MB；请使用导入模板，表头为中文列名。")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in importing.SUFFIXES:
            raise forms.ValidationError("只支持 Excel 文件（.xlsx），请用导入模板填写。")
        if upload.size > importing.MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件不能超过 20 MB；更大的文件请分成几个文件导入。")
        return upload


def _require_manager(request) -> None:
    """Only an account that may open hardship files in its subtree; else 404."""
    if not actions.may_manage(request.user):
        raise Http404(NOT_FOUND)


def _get_job_or_404(request, job_id: int) -> ImportJob:
    """A hardship import run inside the account's subtree, for an account that may open files there; else 404."""
    _require_manager(request)
    return get_visible_or_404(request.user, ImportJob.objects.filter(kind=importing.KIND), pk=job_id)


def _context(request, title: str) -> dict:
    return {**admin.site.each_context(request), "title": title, "opts": HardshipFile._meta}


def import_files(request):
    """The upload page: the file is imported at once as the uploading account, into its subtree."""
    _require_manager(request)
    form = HardshipImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = importing.run_import(upload=form.cleaned_data["file"], by=request.user)
        return redirect("admin:hardship_hardshipfile_import_result", job_id=job.pk)
    jobs = visible_to(request.user, ImportJob).filter(kind=importing.KIND, created_by=request.user)[:10]
    return render(request, "hardship/import.html", {
        **_context(request, "导入困难职工档案"), "form": form, "jobs": jobs, "required": importing.REQUIRED,
        "columns": importing.TEMPLATE_COLUMNS})


def import_result(request, job_id: int):
    """A run's counts and its rejected rows, with the error workbook to download."""
    job = _get_job_or_404(request, job_id)
    return render(request, "hardship/import_result.html", {
        **_context(request, f"导入困难职工档案：{job.filename}"), "job": job, "summary": job.summary})


def import_errors(request, job_id: int):
    """The rejected rows of a run as a workbook, with the reasons and the faulty cells highlighted."""
    job = _get_job_or_404(request, job_id)
    data = job.read_error_file()
    if data is None:
        raise Http404("没有错误文件。")
    audit.record("export", actor=request.user, obj=job, object_repr=f"困难职工档案导入错误文件 {job.filename}")
    return xlsx_response(data, f"导入错误_{Path(job.filename).stem}.xlsx")


def import_template(request):
    """The import template (.xlsx): headers, text and date columns, dropdowns, instructions."""
    _require_manager(request)
    return xlsx_response(importing.template_workbook(), "困难职工档案导入模板.xlsx")
