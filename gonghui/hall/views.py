"""Pages of the service hall. Workers (/w/hall/, mobile): the items with their guides, applying, their
applications with history, rating. Cadres (back office): the action pages behind the application's
buttons (受理, 审批, 退回补正, 不予受理, 转办, 上报). Every view starts with its access helper."""

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from gonghui.common.errors import DomainError
from gonghui.members.models import Member
from gonghui.orgs.models import Org
from gonghui.orgs.queries import get_visible_or_404, scope_org, visible_to
from gonghui.portal.queries import worker_or_404

from . import actions, queries
from .forms import ItemForm, NoteForm, RatingForm, ReasonForm
from .models import Application, ServiceItem

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
    return render(request, "hall/hall.html", {"worker": worker, "items": items, "mine": mine})


@worker_page
def apply(request, code):
    """The item's guide and form; files are attached and the application submitted in one go, or nothing."""
    worker = worker_or_404(request)
    item = ServiceItem.objects.filter(code=code, active=True, current__isnull=False).select_related("current").first()
    if item is None:
        raise Http404(NOT_FOUND)
    member = worker.member
    form = ItemForm(item.current, request.POST or None, request.FILES or None)
    if member is None or not {"worker", "member"} & set(item.current.applicants):
        return render(request, "hall/apply.html", {"worker": worker, "item": item, "form": None,
                                                   "union_only": member is not None})
    if request.method == "POST" and form.is_valid():
        try:
            app = actions.file_application(item=item, applicant=request.user, applicant_org=member.org,
                                           applicant_name=member.name, raw=form.raw(), uploads=form.uploads())
        except DomainError as e:
            form.show(e)
        else:
            messages.success(request, f"已提交，受理编号 {app.number}。")
            return redirect("hall:application", app.pk)
    return render(request, "hall/apply.html", {"worker": worker, "item": item, "form": form})


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
        return redirect("hall:application", app.pk)
    return render(request, "hall/application.html", {
        "worker": worker, "app": app, "events": app.events.exclude(action="create").select_related("org"),
        "rating": rating,
        "files": app.attachments.all(), "flag": queries.due_flag(app)})


# Cadre action pages (back office) ------------------------------------------------------------------

def _for_handler(request, object_id) -> Application:
    return get_visible_or_404(request.user, Application.objects.select_related("version__item", "handling_org"),
                              pk=object_id)


def step_action_label(app: Application, action: str) -> str:
    """What a handler's button, page title and message call `action` on `app`: approving names the step it
    passes (审核通过, 审批通过; a step named 办结 completes), the other actions their own label."""
    steps = app.version.steps
    if action == "approve" and app.step < len(steps):
        name = steps[app.step]["name"]
        return name if name == "办结" else f"{name}通过"
    return actions.ACTION_LABELS[action]


def act(request, object_id, action: str):
    """The page behind a detail button: the opinion (required for 退回补正 and 不予受理), 转办's target."""
    app = _for_handler(request, object_id)
    label = step_action_label(app, action)
    change_url = reverse("admin:hall_application_change", args=[app.pk])
    form = (ReasonForm if action in ("return", "reject") else NoteForm)(request.POST or None)
    targets = None
    if action == "transfer":
        scope = scope_org(request.user)
        targets = Org.objects.subtree(scope).filter(status=Org.Status.ACTIVE).exclude(pk=app.handling_org_id) \
            .order_by("path")[:500]
    if request.method == "POST" and form.is_valid():
        to_org = None
        if action == "transfer":
            to_org = Org.objects.filter(pk=request.POST.get("to_org") or 0).first()
        try:
            actions.transition(app, action, by=request.user, note=form.cleaned_data["note"], to_org=to_org)
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, f"已{label}。")
            return redirect(change_url)
    return render(request, "hall/act.html", {
        **admin.site.each_context(request), "title": f"{label}：{app.number} "
        f"{app.version.item.name}", "app": app, "form": form, "targets": targets, "cancel_url": change_url,
        "submit": label, "form_id": "hall-act-form",
        "intro": f"申请人：{app.applicant_name}（{app.applicant_org.name}）· 办理工会：{app.handling_org.name} · "
                 f"当前环节：{app.step_name or '—'}"})


FILING_ROLES = ("operator", "org_admin")


def file_for(request):
    """新建办件 (back office): a union's own application (建会、集体合同备案、经费返还…) or one for a member of the
    subtree (为他人申请: the member's worker account is the applicant, the cadre is recorded as filing it)."""
    scope = scope_org(request.user)
    if scope is None or not request.user.has_role(*FILING_ROLES):
        raise Http404(NOT_FOUND)
    items = ServiceItem.objects.filter(active=True, current__isnull=False).select_related("current")
    item = items.filter(code=request.GET.get("item") or request.POST.get("item") or "").first()
    form = ItemForm(item.current, request.POST or None, request.FILES or None) if item else None
    member_number = (request.POST.get("member_number") or "").strip()
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            if member_number:
                member = visible_to(request.user, Member.objects.select_related("org", "worker")).filter(
                    member_number=member_number, status=Member.Status.ACTIVE).first()
                worker = getattr(member, "worker", None) if member else None
                if member is None or worker is None:
                    raise DomainError("本级及下级工会没有该会员证号的在会会员，或其尚未注册职工账号"
                                      "（须先在“职工之家”登录并实名绑定）。", field="member_number")
                applicant, org, name, by = worker.user, member.org, member.name, request.user
            else:
                applicant, org, name, by = request.user, scope, scope.name, None
            app = actions.file_application(item=item, applicant=applicant, applicant_org=org, applicant_name=name,
                                           raw=form.raw(), on_behalf_by=by, uploads=form.uploads())
        except DomainError as e:
            form.show(e)
        else:
            messages.success(request, f"已提交，受理编号 {app.number}。")
            return redirect("admin:hall_application_change", app.pk)
    return render(request, "hall/file_for.html", {
        **admin.site.each_context(request), "title": "新建办件", "items": items, "item": item, "form": form,
        "member_number": member_number})
