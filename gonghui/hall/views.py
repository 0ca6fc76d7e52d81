"""The service hall's back-office pages: the action pages behind the application's buttons (受理, 审批, 退回补正,
不予受理, 转办, 上报) and 新建办件. Every view starts with its access helper. The worker pages are the portal's
(gonghui/portal/hall_views.py)."""

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from gonghui.common.errors import DomainError
from gonghui.members.models import Member
from gonghui.orgs.models import Org
from gonghui.orgs.queries import get_visible_or_404, scope_org, visible_to

from . import actions
from .forms import ItemForm, NoteForm, ReasonForm
from .models import Application, ServiceItem

NOT_FOUND = "未找到该页面。"


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
