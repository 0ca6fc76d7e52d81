"""The service hall's worker pages (/w/hall/…, mobile first): the open items, applying with files, and the
worker's own applications. The hall engine holds the items, the applications and their transitions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from gonghui.common.errors import DomainError
from gonghui.hall import actions, queries
from gonghui.hall.forms import ItemForm, RatingForm
from gonghui.hall.models import Application, ServiceItem

from .queries import worker_or_404

worker_page = login_required(login_url="portal:sign_in")
NOT_FOUND = "未找到该页面。"


def _own_application(request, pk) -> Application:
    """The signed-in worker's own application, else 404."""
    worker_or_404(request)
    app = (Application.objects.select_related("version__item", "handling_org", "applicant_org")
           .filter(pk=pk, applicant=request.user).first())
    if app is None:
        raise Http404(NOT_FOUND)
    return app


@worker_page
def hall(request):
    """网上办事大厅: the open items and the worker's applications."""
    worker = worker_or_404(request)
    items = ServiceItem.objects.filter(active=True, current__isnull=False).select_related("current")
    mine = Application.objects.filter(applicant=request.user).select_related("version__item")[:20]
    return render(request, "portal/hall_home.html", {"worker": worker, "items": items, "mine": mine})


@worker_page
def apply(request, code):
    """The item's guide and form; files are attached and the application submitted in one go, or nothing."""
    worker = worker_or_404(request)
    item = ServiceItem.objects.filter(code=code, active=True, current__isnull=False).select_related("current").first()
    if item is None:
        raise Http404(NOT_FOUND)
    member = worker.member
    if item.current.entry_url:  # handled on its own page: the guide and the way there
        return render(request, "portal/hall_apply.html", {"worker": worker, "item": item, "form": None})
    form = ItemForm(item.current, request.POST or None, request.FILES or None)
    if member is None or not {"worker", "member"} & set(item.current.applicants):
        return render(request, "portal/hall_apply.html", {"worker": worker, "item": item, "form": None,
                                                   "union_only": member is not None})
    if request.method == "POST" and form.is_valid():
        try:
            app = actions.file_application(item=item, applicant=request.user, applicant_org=member.org,
                                           applicant_name=member.name, raw=form.raw(), uploads=form.uploads())
        except DomainError as e:
            form.show(e)
        else:
            messages.success(request, f"已提交，受理编号 {app.number}。")
            return redirect("portal:hall_application", app.pk)
    return render(request, "portal/hall_apply.html", {"worker": worker, "item": item, "form": form})


@worker_page
def application(request, pk):
    """One of the worker's applications: status, due date, history, files, and rating once completed."""
    worker = worker_or_404(request)
    app = _own_application(request, pk)
    rating = RatingForm(request.POST or None) if app.status == Application.Status.COMPLETED and app.rating is None \
        else None
    if request.method == "POST":
        try:
            if request.POST.get("what") == "withdraw":
                actions.transition(app, "withdraw", by=request.user)
                messages.success(request, "已撤回。")
            elif request.POST.get("what") == "resubmit":
                actions.transition(app, "resubmit", by=request.user)
                messages.success(request, "已重新提交。")
            elif rating is not None and rating.is_valid():
                actions.rate(app, by=request.user, rating=rating.cleaned_data["rating"],
                             comment=rating.cleaned_data["comment"])
                messages.success(request, "感谢您的评价。")
            else:
                raise DomainError("请选择满意度。")
        except DomainError as e:
            messages.error(request, e.message)
        return redirect("portal:hall_application", app.pk)
    return render(request, "portal/hall_application.html", {
        "worker": worker, "app": app, "events": app.events.exclude(action="create").select_related("org"),
        "rating": rating,
        "files": app.attachments.all(), "flag": queries.due_flag(app)})


