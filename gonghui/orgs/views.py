from django.contrib import admin
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render

from gonghui.common.import_views import ImportForm, error_download, status_page, upload_page
from gonghui.common.models import ImportJob

from . import importing
from .forms import org_label
from .models import Org
from .queries import can_import_orgs, can_manage_orgs, get_visible_or_404, scope_org, visible_to


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


def _require_importer(request) -> None:
    if not can_import_orgs(request.user):
        raise Http404("未找到该页面。")


def _get_job_or_404(request, job_id: int) -> ImportJob:
    """An org import run inside the account's subtree that the account started, or that an org
    admin of the same or a higher org may look at; else 404."""
    job = get_visible_or_404(request.user, ImportJob.objects.filter(kind=importing.ORGS.kind), pk=job_id)
    if job.created_by_id != request.user.pk and not can_manage_orgs(request.user):
        raise Http404("未找到该记录。")
    return job


def import_orgs(request):
    """The upload page: the file is imported by a background task as the uploading account."""
    _require_importer(request)
    form = ImportForm(request.POST or None, request.FILES or None, importer=importing.ORGS)
    if request.method == "POST" and form.is_valid():
        job = importing.start_org_import(upload=form.cleaned_data["file"], by=request.user,
                                         mode=form.cleaned_data["mode"])
        return redirect("admin:orgs_org_import_status", job_id=job.pk)
    optional = [c for c in importing.COLUMNS if c not in importing.REQUIRED_COLUMNS]
    return upload_page(request, importing.ORGS, form, notes=[
        f"必填列：{'、'.join(importing.REQUIRED_COLUMNS)}。", f"可选列：{'、'.join(optional)}。",
        "按组织代码新增或更新；上级组织可以写在下级组织之后；完成后可下载错误文件修改后重新导入。"])


def import_status(request, job_id: int):
    """A run's progress (polled by htmx as a fragment) and, once finished, its summary."""
    return status_page(request, importing.ORGS, _get_job_or_404(request, job_id))


def import_errors(request, job_id: int):
    """The rejected rows of a run as a workbook, with the reasons and the faulty cells highlighted."""
    return error_download(request, importing.ORGS, _get_job_or_404(request, job_id))


PICK_PAGE = 20


def pick_org(request):
    """The org picker's search (select2's JSON): active orgs of the account's subtree whose code is the term
    or whose name contains it, PICK_PAGE at a time. An account placed in no org gets 404."""
    if scope_org(request.user) is None:
        raise Http404("未找到该页面。")
    term = request.GET.get("term", "").strip()
    page = request.GET.get("page", "1")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    orgs = visible_to(request.user, Org).active().order_by("path")
    if term:
        orgs = orgs.filter(Q(code=term.upper()) | Q(code=term) | Q(name__contains=term))
    found = list(orgs[(page - 1) * PICK_PAGE: page * PICK_PAGE + 1])
    return JsonResponse({"results": [{"id": str(o.pk), "text": org_label(o)} for o in found[:PICK_PAGE]],
                         "pagination": {"more": len(found) > PICK_PAGE}})
