"""The back-office imports of hardship: existing files (导入困难职工档案), for cadres who may open files
(经办人, 单位管理员), and past aid payments (导入历史发放记录), for cadres who record payments. Each has its
upload, result page (counts and the rejected rows), error workbook and template; the rows go into the
account's own subtree only. Routes: gonghui/hardship/urls.py."""

from django.http import Http404
from django.shortcuts import redirect

from gonghui.common.admin import xlsx_response
from gonghui.common.import_views import ImportForm, error_download, status_page, upload_page
from gonghui.common.models import ImportJob
from gonghui.ledger import actions as ledger_actions
from gonghui.orgs.queries import get_visible_or_404

from . import actions, aid_history, importing

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


# 历史帮扶发放记录导入 -----------------------------------------------------------------------------------

def _require_history_importer(request) -> None:
    """Only an account that records aid payments (经办人, 单位管理员) with a union; else 404."""
    if not ledger_actions.may_import_history(request.user):
        raise Http404(NOT_FOUND)


def _get_history_job_or_404(request, job_id: int) -> ImportJob:
    """A history import run inside the account's subtree, for an account that may import them; else 404."""
    _require_history_importer(request)
    return get_visible_or_404(request.user, ImportJob.objects.filter(kind=aid_history.KIND), pk=job_id)


def import_history(request):
    """The upload page of past aid payments: imported at once as the uploading account, into its subtree."""
    _require_history_importer(request)
    form = ImportForm(request.POST or None, request.FILES or None, importer=aid_history.AID_HISTORY)
    if request.method == "POST" and form.is_valid():
        job = aid_history.run_import(upload=form.cleaned_data["file"], by=request.user,
                                     mode=form.cleaned_data["mode"])
        return redirect("admin:hardship_aid_history_import_result", job_id=job.pk)
    return upload_page(request, aid_history.AID_HISTORY, form, notes=[
        f"必填列：{'、'.join(aid_history.REQUIRED)}；“备注”可不填。帮扶类别、资金来源填写名称或代码，发放工会填写组织代码。",
        "用于启用系统之前已经发放的帮扶资金：导入后计入统计，台账分录中标记为“历史导入”，不能再次登记发放。",
        "只能导入本工会及下级工会会员的记录。同一人、类别、金额、日期和发放工会的记录只计一次，重复导入不会重复记账。"])


def import_history_result(request, job_id: int):
    """A history run's counts and its rejected rows, with the error workbook to download."""
    return status_page(request, aid_history.AID_HISTORY, _get_history_job_or_404(request, job_id))


def import_history_errors(request, job_id: int):
    """The rejected rows of a history run as a workbook, with the reasons and the faulty cells highlighted."""
    return error_download(request, aid_history.AID_HISTORY, _get_history_job_or_404(request, job_id))


def import_history_template(request):
    """The template of past aid payments (.xlsx): headers, text and date columns, the kinds and sources in use."""
    _require_history_importer(request)
    return xlsx_response(aid_history.template_workbook(), "历史帮扶发放记录导入模板.xlsx")
