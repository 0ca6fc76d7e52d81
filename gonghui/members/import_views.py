"""The back-office member import (导入会员): upload, the background run's progress and summary, the
error workbook, the template — the shared import pages (`common.import_views`) behind this app's access
helpers. MemberAdmin.get_urls() registers these under admin:members_member_import*."""

from django.http import Http404
from django.shortcuts import redirect

from gonghui.common.admin import xlsx_response
from gonghui.common.import_views import ImportForm, error_download, status_page, upload_page
from gonghui.common.models import ImportJob
from gonghui.orgs.forms import org_picker
from gonghui.orgs.models import Org
from gonghui.orgs.queries import get_visible_or_404, scope_org

from . import facts, importing
from .queries import can_edit_members


class MemberImportForm(ImportForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, importer=importing.MEMBERS, **kwargs)
        self.fields["org"] = org_picker(user, label="导入到工会")
        self.order_fields(["file", "org", "mode"])


def _require_editor(request) -> Org:
    """The account's org, for an account that may enter members; else 404."""
    if not can_edit_members(request.user):
        raise Http404("未找到该页面。")
    return scope_org(request.user)


def _get_job_or_404(request, job_id: int) -> ImportJob:
    """A member import run inside the account's subtree that the account started, or that an
    account entering members at the same or a higher org may look at; else 404."""
    job = get_visible_or_404(request.user, ImportJob.objects.filter(kind=importing.MEMBERS.kind), pk=job_id)
    if job.created_by_id != request.user.pk and not can_edit_members(request.user):
        raise Http404("未找到该记录。")
    return job


def import_members(request):
    """The upload page: the file is imported by a background task as the uploading account, into an
    active union of the account's subtree (the picker offers no other)."""
    own = _require_editor(request)
    form = MemberImportForm(request.POST or None, request.FILES or None, user=request.user, initial={"org": own.pk})
    if request.method == "POST" and form.is_valid():
        job = importing.start_member_import(upload=form.cleaned_data["file"], org=form.cleaned_data["org"],
                                            mode=form.cleaned_data["mode"], by=request.user)
        return redirect("admin:members_member_import_status", job_id=job.pk)
    required = [facts.LABELS[f] for f in importing.REQUIRED]
    optional = [label for f, label in facts.LABELS.items() if f not in importing.REQUIRED]
    return upload_page(request, importing.MEMBERS, form, notes=[
        f"必填列：{'、'.join(required)}；可选列：{'、'.join(optional)}。列的顺序不限，表头上方可以有一行标题。",
        "身份证号、手机号、会员证号请设置为“文本”格式：被 Excel 变成数字的身份证号不能导入。",
        "同一身份证号在文件中出现多次时只导入第一次出现的行；已在其他工会在会的人员需办理转会。"
        "导入在后台进行，完成后可下载错误文件，修改后重新导入。"])


def import_status(request, job_id: int):
    """A run's progress (polled by htmx as a fragment) and, once finished, its summary."""
    return status_page(request, importing.MEMBERS, _get_job_or_404(request, job_id))


def import_errors(request, job_id: int):
    """The rejected rows of a run as a workbook, with the reasons and the faulty cells highlighted."""
    return error_download(request, importing.MEMBERS, _get_job_or_404(request, job_id))


def import_template(request):
    """The import template (.xlsx): headers, text-formatted number columns, dropdowns, instructions."""
    _require_editor(request)
    return xlsx_response(importing.template_workbook(), "会员导入模板.xlsx")
