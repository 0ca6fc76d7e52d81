"""The back-office hardship file import (导入困难职工档案): upload, the result page (counts and the rejected
rows), the error workbook and the template. For cadres who may open files (经办人, 单位管理员); the files go
into the account's own subtree only. Routes: gonghui/hardship/urls.py."""

from django.http import Http404
from django.shortcuts import redirect

from gonghui.common.admin import xlsx_response
from gonghui.common.import_views import ImportForm, error_download, status_page, upload_page
from gonghui.common.models import ImportJob
from gonghui.orgs.queries import get_visible_or_404

from . import actions, importing

NOT_FOUND = "未找到该页面。"


def _require_manager(request) -> None:
    """Only an account that may open hardship files in its subtree; else 404."""
    if not actions.may_manage(request.user):
        raise Http404(NOT_FOUND)


def _get_job_or_404(request, job_id: int) -> ImportJob:
    """A hardship import run inside the account's subtree, for an account that may open files there; else 404."""
    _require_manager(request)
    return get_visible_or_404(request.user, ImportJob.objects.filter(kind=importing.KIND), pk=job_id)


def import_files(request):
    """The upload page: the file is imported at once as the uploading account, into its subtree."""
    _require_manager(request)
    form = ImportForm(request.POST or None, request.FILES or None, importer=importing.HARDSHIP)
    if request.method == "POST" and form.is_valid():
        job = importing.run_import(upload=form.cleaned_data["file"], by=request.user, mode=form.cleaned_data["mode"])
        return redirect("admin:hardship_hardshipfile_import_result", job_id=job.pk)
    return upload_page(request, importing.HARDSHIP, form, notes=[
        f"“会员证号”和“身份证号”至少一列；必填列：{'、'.join(importing.REQUIRED)}，以及“家庭月收入”或“家庭人均月收入”。",
        f"可用列名：{'、'.join(importing.TEMPLATE_COLUMNS)}。",
        "只能为本工会及下级工会的在会会员建档；已有在档档案的职工不能重复建档（一人一档）。"
        "完成后可下载错误文件，修改后重新导入。"])


def import_result(request, job_id: int):
    """A run's counts and its rejected rows, with the error workbook to download."""
    return status_page(request, importing.HARDSHIP, _get_job_or_404(request, job_id))


def import_errors(request, job_id: int):
    """The rejected rows of a run as a workbook, with the reasons and the faulty cells highlighted."""
    return error_download(request, importing.HARDSHIP, _get_job_or_404(request, job_id))


def import_template(request):
    """The import template (.xlsx): headers, text and date columns, dropdowns, instructions."""
    _require_manager(request)
    return xlsx_response(importing.template_workbook(), "困难职工档案导入模板.xlsx")
