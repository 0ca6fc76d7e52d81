"""The pages every import shares: the upload form and page, a run's progress and result (one page that
polls as an htmx fragment while the run is going), and the error workbook's download. The apps' views
keep their own access helpers (who may import what) and call these after them."""

from pathlib import Path

from django import forms
from django.contrib import admin
from django.http import Http404
from django.shortcuts import render
from unfold.widgets import UnfoldAdminFileFieldWidget, UnfoldAdminRadioSelectWidget

from . import audit
from .admin import xlsx_response
from .forms import BackOfficeStyleMixin
from .imports import MODES, VALID_ONLY, Importer
from .models import ImportJob


class ImportForm(BackOfficeStyleMixin, forms.Form):
    """The upload: the file, checked by the importer's one upload check, and the mode where offered.
    An import that asks for a target union adds the org picker (`orgs.forms.org_picker`)."""

    file = forms.FileField(label="导入文件", widget=UnfoldAdminFileFieldWidget)

    def __init__(self, *args, importer: Importer, **kwargs):
        super().__init__(*args, **kwargs)
        self.importer = importer
        accept = ",".join(importer.suffixes)
        self.fields["file"].widget.attrs["accept"] = accept
        self.fields["file"].help_text = (f"{importer.kinds_text}，不超过 {importer.max_bytes // (1024 * 1024)} MB；"
                                         "请使用导入模板，表头为中文列名。")
        if importer.modes:
            self.fields["mode"] = forms.ChoiceField(label="导入方式", choices=list(MODES.items()), initial=VALID_ONLY,
                                                    required=False, widget=UnfoldAdminRadioSelectWidget)

    def clean_mode(self):
        return self.cleaned_data.get("mode") or VALID_ONLY

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if problem := self.importer.upload_problem(upload):
            raise forms.ValidationError(problem)
        return upload


def upload_page(request, importer: Importer, form: ImportForm, *, notes: list[str], title: str = ""):
    """The upload page: the form, the notes on the columns, the template link and the account's recent runs."""
    jobs = ImportJob.objects.filter(kind=importer.kind, created_by=request.user)[:10]
    return render(request, "common/import.html", {
        **admin.site.each_context(request), "title": title or importer.title, "form": form, "notes": notes,
        "jobs": jobs, "importer": importer, "urls": importer.urls})


def status_page(request, importer: Importer, job: ImportJob):
    """A run's progress (polled by htmx as a fragment while it runs) and, once finished, its result."""
    summary = job.summary
    context = {"job": job, "summary": summary, "urls": importer.urls, "importer": importer,
               "mode_label": MODES.get(summary.get("mode"), "") if importer.modes else "",
               "counts": importer.counts.format_map(_Counts(summary))}
    if request.htmx:
        return render(request, "common/import_progress.html", context)
    return render(request, "common/import_status.html", {
        **admin.site.each_context(request), **context, "title": f"{importer.title}：{job.filename}"})


def error_download(request, importer: Importer, job: ImportJob):
    """The rejected rows of a run as a workbook (stored encrypted, decrypted here); audited as an export."""
    data = job.read_error_file()
    if data is None:
        raise Http404("没有错误文件。")
    audit.record("export", actor=request.user, obj=job, object_repr=f"{importer.noun}导入错误文件 {job.filename}")
    return xlsx_response(data, f"导入错误_{Path(job.filename).stem}.xlsx")


class _Counts(dict):
    """Summary counts for the page's sentence; a count the run has not written yet reads 0."""

    def __missing__(self, key):
        return 0
