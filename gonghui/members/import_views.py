"""The back-office member import (导入会员): upload, the background run's progress and summary, the
error workbook, the template. MemberAdmin.get_urls() registers these under admin:members_member_import*."""

from pathlib import Path

from django import forms
from django.contrib import admin
from django.http import Http404
from django.shortcuts import redirect, render
from unfold.widgets import UnfoldAdminFileFieldWidget, UnfoldAdminRadioSelectWidget, UnfoldAdminSelectWidget

from gonghui.common import audit
from gonghui.common.admin import xlsx_response
from gonghui.common.forms import BackOfficeStyleMixin
from gonghui.common.models import ImportJob
from gonghui.orgs.models import Org
from gonghui.orgs.queries import get_visible_or_404, scope_org, visible_to

from . import facts, importing
from .queries import can_edit_members

ORG_SELECT_LIMIT = 300  # up to this many unions in the subtree, the target is picked from a list


class MemberImportForm(BackOfficeStyleMixin, forms.Form):
    file = forms.FileField(label="导入文件", widget=UnfoldAdminFileFieldWidget(attrs={"accept": ".xlsx"}),
                           help_text="Excel 文件（.xlsx），不超过 200 MB；请使用导入模板，表头为中文列名。")
    org = forms.CharField(label="导入到工会", max_length=50,
                          help_text="填写组织代码；默认为本账号所属工会，也可以是其下级工会。")
    mode = forms.ChoiceField(label="导入方式", choices=list(importing.MODES.items()), initial=importing.VALID_ONLY,
                             widget=UnfoldAdminRadioSelectWidget)

    def __init__(self, *args, orgs: list[Org] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if orgs is not None:  # a small subtree: choose from the list instead of typing a code
            choices = [(o.code, f"{o.name}（{o.code}）") for o in orgs]
            self.fields["org"].widget = UnfoldAdminSelectWidget(choices=choices)
            self.fields["org"].help_text = "默认为本账号所属工会，也可以选择其下级工会。"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in importing.SUFFIXES:
            raise forms.ValidationError("只支持 Excel 文件（.xlsx），请用导入模板填写。")
        if upload.size > importing.MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件不能超过 200 MB；更大的文件请分成几个文件导入。")
        return upload


def _require_editor(request) -> Org:
    """The account's org, for an account that may enter members; else 404."""
    if not can_edit_members(request.user):
        raise Http404("未找到该页面。")
    return scope_org(request.user)


def _get_job_or_404(request, job_id: int) -> ImportJob:
    """A member import run inside the account's subtree that the account started, or that an
    account entering members at the same or a higher org may look at; else 404."""
    job = get_visible_or_404(request.user, ImportJob.objects.filter(kind="members"), pk=job_id)
    if job.created_by_id != request.user.pk and not can_edit_members(request.user):
        raise Http404("未找到该记录。")
    return job


def import_members(request):
    """The upload page: the file is imported by a background task as the uploading account, into a
    union of the account's subtree (another union's code answers 404, like one that does not exist)."""
    own = _require_editor(request)
    active = visible_to(request.user, Org).filter(status=Org.Status.ACTIVE).order_by("path")
    choices = list(active[:ORG_SELECT_LIMIT + 1])
    form = MemberImportForm(request.POST or None, request.FILES or None, initial={"org": own.code},
                            orgs=choices if len(choices) <= ORG_SELECT_LIMIT else None)
    if request.method == "POST" and form.is_valid():
        org = get_visible_or_404(request.user, Org, code=form.cleaned_data["org"].strip())
        if org.status != Org.Status.ACTIVE:
            form.add_error("org", "该工会已撤销或合并，不能导入会员。")
        else:
            job = importing.start_member_import(upload=form.cleaned_data["file"], org=org,
                                                mode=form.cleaned_data["mode"], by=request.user)
            return redirect("admin:members_member_import_status", job_id=job.pk)
    jobs = visible_to(request.user, ImportJob).filter(kind="members", created_by=request.user)[:10]
    return render(request, "members/import.html", {
        **admin.site.each_context(request), "title": "导入会员", "form": form, "jobs": jobs,
        "required": [facts.LABELS[f] for f in importing.REQUIRED],
        "optional": [label for f, label in facts.LABELS.items() if f not in importing.REQUIRED]})


def import_status(request, job_id: int):
    """A run's progress (polled by htmx as a fragment) and, once finished, its summary."""
    job = _get_job_or_404(request, job_id)
    context = {"job": job, "summary": job.summary, "mode_label": importing.MODES.get(job.summary.get("mode"), "")}
    if request.htmx:
        return render(request, "members/import_progress.html", context)
    return render(request, "members/import_status.html", {**admin.site.each_context(request), **context,
                                                          "title": f"导入会员：{job.filename}"})


def import_errors(request, job_id: int):
    """The rejected rows of a run as a workbook, with the reasons and the faulty cells highlighted."""
    job = _get_job_or_404(request, job_id)
    data = job.read_error_file()
    if data is None:
        raise Http404("没有错误文件。")
    audit.record("export", actor=request.user, obj=job, object_repr=f"会员导入错误文件 {job.filename}")
    return xlsx_response(data, f"导入错误_{Path(job.filename).stem}.xlsx")


def import_template(request):
    """The import template (.xlsx): headers, text-formatted number columns, dropdowns, instructions."""
    _require_editor(request)
    return xlsx_response(importing.template_workbook(), "会员导入模板.xlsx")
