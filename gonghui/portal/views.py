"""Worker pages (/w/, mobile first) and the public card check (/v/). Every worker page starts with
`queries.worker_or_404(request)`: a signed-in worker account, else the login page (anonymous) or 404 (a cadre).
The cadre pages (decisions, posters) are at the end; they start with their own access helper."""

import segno
from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required, login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from gonghui.common.errors import DomainError
from gonghui.members.actions import update_own_details
from gonghui.members.forms import Unlogged
from gonghui.members.models import Member, MemberEvent
from gonghui.notifications import actions as notification_actions
from gonghui.notifications import queries as notification_queries
from gonghui.orgs.models import Org
from gonghui.orgs.queries import get_visible_or_404

from . import actions, queries, tokens
from .forms import (
    ApplicationForm,
    BindCodeForm,
    BindForm,
    CodeSignInForm,
    FindUnionForm,
    MobileChangeForm,
    PasswordForm,
    PasswordSignInForm,
    ProfileForm,
    RejectBindingForm,
    ReturnForm,
)
from .models import BindingRequest, CardCheck, JoinApplication, Worker

worker_page = login_required(login_url="portal:sign_in")
NOT_FOUND = "未找到该页面。"


def _ip(request) -> str | None:
    return get_client_ip_address(request)


def _qr_svg(url: str) -> str:
    # segno's SVG is plain markup (no script), safe to inline under a strict CSP.
    return segno.make(url, error="m").svg_inline(scale=5, dark="#1a1a1a", omitsize=True)


def mask_name(name: str) -> str:
    """张三 → 张*, 张三丰 → 张*丰, 欧阳娜娜 → 欧**娜: the verification page shows no more."""
    if len(name) <= 2:
        return name[:1] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


# Sign-in ----------------------------------------------------------------------------------------

@login_not_required
@never_cache
@sensitive_post_parameters("code", "password", "mobile")
def sign_in(request):
    """Mobile + SMS code (a first sign-in creates the account), or mobile + password."""
    by_password = request.POST.get("how") == "password" or request.GET.get("how") == "password"
    form_class = PasswordSignInForm if by_password else CodeSignInForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if by_password:
                user = actions.sign_in_with_password(mobile_number=data["mobile"], password=data["password"],
                                                     ip=_ip(request))
            else:
                user = actions.sign_in_with_code(mobile_number=data["mobile"], code=data["code"], ip=_ip(request))
        except DomainError as e:
            form.show(e)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            target = request.POST.get("next") or request.GET.get("next") or ""
            return redirect(target if target.startswith("/w/") else "portal:home")
    return render(request, "portal/sign_in.html", {"form": form, "by_password": by_password,
                                                   "next": request.GET.get("next", "")})


@login_not_required
@require_POST
@sensitive_post_parameters("mobile")
def send_code(request):
    """htmx: send a code to the typed number; answers the status line under the form."""
    try:
        actions.request_code(mobile_number=request.POST.get("mobile", ""), ip=_ip(request))
    except DomainError as e:
        return render(request, "portal/_code_status.html", {"error": e.message})
    return render(request, "portal/_code_status.html", {"sent": True})


@require_POST
def sign_out(request):
    logout(request)
    return redirect("portal:sign_in")


# My pages ---------------------------------------------------------------------------------------

@worker_page
def home(request):
    """我的: membership, card, applications, notifications."""
    worker = queries.worker_or_404(request)
    member = worker.member
    notifications = notification_queries.recent(request.user)
    notification_actions.mark_read(request.user)
    history = (MemberEvent.objects.filter(member=member).select_related("org", "to_org").order_by("-date", "-id")
               if member else [])
    return render(request, "portal/home.html", {
        "worker": worker, "member": member, "history": history, "notifications": notifications,
        "applications": worker.applications.select_related("org")[:10],
        "binding": None if member else queries.open_binding(worker),
    })


@worker_page
@sensitive_post_parameters("id_number", "code")
def bind(request):
    """实名绑定: name and ID number; then, when the record's registered mobile is not the account's own, the code
    sent to it; a record without a mobile waits for its union. The page shows where the worker's request is."""
    worker = queries.worker_or_404(request)
    what = request.POST.get("what") if request.method == "POST" else None
    details = BindForm(request.POST if what == "details" else None)
    code = BindCodeForm(request.POST if what == "code" else None)
    if what and not worker.member_id:
        try:
            done = _bind_step(request, worker, what, details, code)
        except DomainError as e:
            form = details if what == "details" and e.field != "code" else code
            if form.is_bound:
                form.show(e)
            else:  # a new code asked for, or the first one not sent: said above the code step
                messages.error(request, e.message)
        else:
            if done:
                messages.success(request, done)
                worker.refresh_from_db(fields=["member"])
                return redirect("portal:home" if worker.member_id else "portal:bind")
    binding = queries.open_binding(worker)
    return render(request, "portal/bind.html", {
        "worker": worker, "form": details, "code_form": code, "binding": binding,
        "again": bool(details.errors) or request.GET.get("again") == "1"})


def _bind_step(request, worker: Worker, what: str, details: BindForm, code: BindCodeForm) -> str | None:
    """Run the posted step of the binding page: the message to show, or None when its form is invalid."""
    ip = _ip(request)
    if what == "details" and details.is_valid():
        binding = actions.bind_member(worker=worker, ip=ip, **details.cleaned_data)
        return {BindingRequest.Via.SIGN_IN: "实名绑定成功。",
                BindingRequest.Via.SMS: f"验证码已发送至会员登记手机 {binding.member.mobile_masked}",
                BindingRequest.Via.UNION: "已提交，等待工会确认。"}[binding.via]
    if what == "code" and code.is_valid():
        actions.bind_with_code(worker=worker, code=code.cleaned_data["code"], ip=ip)
        return "实名绑定成功。"
    if what == "resend":
        binding = actions.send_binding_code(worker=worker, ip=ip)
        return f"验证码已发送至会员登记手机 {binding.member.mobile_masked}"
    return None


@worker_page
def find_union(request):
    """Find the union to apply to: by employer or union name, or (不惊动单位) an area or sector union."""
    worker = queries.worker_or_404(request)
    federations = request.GET.get("via") == "federation"
    form = FindUnionForm(request.GET or None)
    text, area = (form.cleaned_data["q"], form.cleaned_data["area"]) if form.is_valid() else ("", None)
    unions = queries.find_unions(text, federations=federations, area=area)
    return render(request, "portal/find_union.html", {
        "worker": worker, "form": form, "unions": unions, "federations": federations,
        "searched": bool(text or area)})


@login_not_required
def scan(request, token):
    """The URL in a union's poster QR code: counted, then on to the application (signing in first)."""
    link = tokens.join_link_for(token)
    if link is None or link.org.status != Org.Status.ACTIVE:
        return render(request, "portal/scan_invalid.html", status=404)
    actions.record_scan(link)
    request.session["join_via_qr"] = link.org_id
    return redirect(f"{reverse('portal:apply', args=[link.org_id])}?via=qr")


@worker_page
@sensitive_post_parameters("id_number", "mobile")
def apply(request, org_id):
    """网上申请入会: the member facts, checked as the import checks them."""
    worker = queries.worker_or_404(request)
    org = Org.objects.filter(pk=org_id, status=Org.Status.ACTIVE).first()
    if org is None:
        raise Http404(NOT_FOUND)
    via = request.GET.get("via", "search")
    if via == "qr" and request.session.get("join_via_qr") != org.pk:
        via = "search"  # "scanned" only when this session came through the union's QR code
    channel = {"qr": JoinApplication.Channel.QR, "federation": JoinApplication.Channel.FEDERATION}.get(
        via, JoinApplication.Channel.SEARCH)
    form = ApplicationForm(request.POST or None, initial={"mobile": Unlogged(actions.worker_mobile(worker))})
    if channel != JoinApplication.Channel.FEDERATION:
        form.fields["employer_name"].help_text = ""
    if request.method == "POST" and form.is_valid():
        try:
            application = actions.submit_application(worker=worker, org=org, channel=channel, raw=form.raw(),
                                                     employer_name=form.cleaned_data["employer_name"])
        except DomainError as e:
            form.show(e)
        else:
            request.session.pop("join_via_qr", None)
            messages.success(request, "申请已提交，请等待工会审核。")
            return redirect("portal:application", application.pk)
    return render(request, "portal/apply.html", {"worker": worker, "org": org, "form": form, "channel": channel,
                                                 "channel_label": JoinApplication.Channel(channel).label})


def _application_or_404(worker: Worker, pk) -> JoinApplication:
    application = JoinApplication.objects.select_related("org").filter(pk=pk, worker=worker).first()
    if application is None:
        raise Http404(NOT_FOUND)
    return application


@worker_page
@sensitive_post_parameters("id_number", "mobile")
def application(request, pk):
    """One application: status, history, and, when returned, the form to correct and resubmit."""
    worker = queries.worker_or_404(request)
    application = _application_or_404(worker, pk)
    form = None
    if application.status == JoinApplication.Status.RETURNED:
        initial = {f: getattr(application, f) for f in ("name", "gender", "ethnicity", "education",
                                                        "political_status", "household_type", "worker_group",
                                                        "employer_name")}
        initial["is_migrant_worker"] = "是" if application.is_migrant_worker else "否"
        form = ApplicationForm(request.POST or None, initial=initial)
        form.fields["id_number"].required = False  # empty: the number filed before (never shown again)
        form.fields["id_number"].help_text = form.fields["mobile"].help_text = "留空则沿用原来填写的号码。"
        if request.method == "POST" and form.is_valid():
            try:
                actions.resubmit_application(application=application, worker=worker, raw=form.raw(),
                                             employer_name=form.cleaned_data["employer_name"])
            except DomainError as e:
                form.show(e)
            else:
                messages.success(request, "已重新提交，请等待工会审核。")
                return redirect("portal:application", application.pk)
    return render(request, "portal/application.html", {
        "worker": worker, "application": application, "form": form, "events": application.events.all()})


@worker_page
def withdraw(request, pk):
    worker = queries.worker_or_404(request)
    application = _application_or_404(worker, pk)
    if request.method != "POST":
        return render(request, "portal/withdraw.html", {"worker": worker, "application": application})
    try:
        actions.withdraw_application(application=application, worker=worker)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "申请已撤回。")
    return redirect("portal:application", application.pk)


def _card_context(request, worker: Worker) -> dict:
    card = actions.current_card(worker.member)
    url = request.build_absolute_uri(reverse("card_verify", args=[tokens.card_token(card)]))
    return {"card": card, "member": worker.member, "qr": _qr_svg(url), "verify_url": url, "at": timezone.localtime()}


@worker_page
def card(request):
    """电子会员卡: the QR code holds a signed token valid for minutes; the page refreshes it (htmx)."""
    worker = queries.worker_or_404(request)
    if worker.member is None or worker.member.status != Member.Status.ACTIVE:
        return render(request, "portal/card_none.html", {"worker": worker})
    context = _card_context(request, worker)
    if request.htmx:
        return render(request, "portal/_card_qr.html", context)
    return render(request, "portal/card.html", {"worker": worker, **context})


@login_not_required
@never_cache
def verify(request, token):
    """Public check of a card's QR code: valid, revoked or expired, the masked name and the union, no more."""
    outcome, card = None, None
    try:
        card = tokens.card_for(token)
    except tokens.CardTokenExpired as e:
        card, outcome = e.card, CardCheck.Outcome.EXPIRED
    if card is None:
        return render(request, "portal/verify.html", {"outcome": "invalid"}, status=404)
    if outcome is None:
        outcome = CardCheck.Outcome.VALID if card.current else CardCheck.Outcome.REVOKED
    actions.record_card_check(card, outcome)
    return render(request, "portal/verify.html", {
        "outcome": outcome, "label": CardCheck.Outcome(outcome).label, "name": mask_name(card.member.name),
        "org": card.org.name, "at": timezone.localtime()})


@worker_page
@sensitive_post_parameters("mobile", "code", "password", "again")
def profile(request):
    """Correct what a member may correct themselves; change the mobile (with a code); set a password."""
    worker = queries.worker_or_404(request)
    member = worker.member
    what = request.POST.get("what")
    details = ProfileForm(request.POST if what == "details" else None, initial={
        f: getattr(member, f) for f in ("education", "political_status", "household_type", "worker_group")
    } if member else None)
    mobile_form = MobileChangeForm(request.POST if what == "mobile" else None)
    password_form = PasswordForm(request.POST if what == "password" else None)
    form = {"details": details, "mobile": mobile_form, "password": password_form}.get(what)
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if what == "details" and member is not None:
                update_own_details(member, changes=data, by=request.user)
            elif what == "mobile":
                actions.change_mobile(worker=worker, mobile_number=data["mobile"], code=data["code"], ip=_ip(request))
            elif what == "password":
                actions.set_password(worker=worker, password=data["password"])
        except DomainError as e:
            form.show(e)
        else:
            messages.success(request, "已保存。")
            return redirect("portal:profile")
    return render(request, "portal/profile.html", {
        "worker": worker, "member": member, "details": details, "mobile_form": mobile_form,
        "password_form": password_form})


# Cadre pages (back office) ----------------------------------------------------------------------

def _application_for_decision(request, object_id) -> JoinApplication:
    application = get_visible_or_404(request.user, JoinApplication.objects.select_related("org"), pk=object_id)
    if not queries.can_decide_applications(request.user, application.org):
        raise Http404(NOT_FOUND)
    return application


def _admin_page(request, title: str, form, *, cancel_url: str, intro: str = "", submit: str = "确认"):
    from django.contrib import admin

    return render(request, "common/action_form.html", {
        **admin.site.each_context(request), "title": title, "form": form, "cancel_url": cancel_url, "intro": intro,
        "submit": submit, "form_id": "member-action-form"})


def accept(request, object_id):
    application = _application_for_decision(request, object_id)
    change_url = reverse("admin:portal_joinapplication_change", args=[application.pk])
    if request.method == "POST":
        try:
            member = actions.accept_application(application=application, by=request.user)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已通过，会员证号 {member.member_number}。")
        return redirect(change_url)
    return _admin_page(request, f"通过入会申请：{application.name}", None, cancel_url=change_url, submit="通过",
                       intro=f"{application.name}（{application.id_masked}）申请加入{application.org}，"
                             f"方式：{application.get_channel_display()}。通过后即建立会员记录。")


def return_to_worker(request, object_id):
    application = _application_for_decision(request, object_id)
    change_url = reverse("admin:portal_joinapplication_change", args=[application.pk])
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.return_application(application=application, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, "已退回，申请人可修改后重新提交。")
            return redirect(change_url)
    return _admin_page(request, f"退回入会申请：{application.name}", form, cancel_url=change_url, submit="退回")


def _binding_for_union(request, object_id) -> BindingRequest:
    binding = get_visible_or_404(request.user, BindingRequest.objects.select_related("member__org"), pk=object_id)
    if binding.via != BindingRequest.Via.UNION or not queries.can_decide_binding(request.user, binding):
        raise Http404(NOT_FOUND)
    return binding


def _binding_intro(binding: BindingRequest) -> str:
    member = binding.member
    return (f"职工账号（登录手机 {binding.worker.mobile_masked}）申请绑定会员 {member.name}（{member.id_masked}，"
            f"会员证号 {member.member_number}，{member.org.name}）。该会员记录没有登记手机，无法短信验证；"
            f"请先核实申请人确为会员本人（如当面核验身份证或经单位确认）。")


def confirm_binding(request, object_id):
    binding = _binding_for_union(request, object_id)
    change_url = reverse("admin:portal_bindingrequest_change", args=[binding.pk])
    if request.method == "POST":
        try:
            actions.confirm_binding(binding=binding, by=request.user)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已确认，{binding.member.name}的职工账号已绑定会员记录。")
        return redirect(change_url)
    return _admin_page(request, f"确认实名绑定：{binding.member.name}", None, cancel_url=change_url, submit="确认",
                       intro=_binding_intro(binding))


def reject_binding(request, object_id):
    binding = _binding_for_union(request, object_id)
    change_url = reverse("admin:portal_bindingrequest_change", args=[binding.pk])
    form = RejectBindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reject_binding(binding=binding, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, "已驳回，申请人将看到驳回原因。")
            return redirect(change_url)
    return _admin_page(request, f"驳回实名绑定：{binding.member.name}", form, cancel_url=change_url, submit="驳回",
                       intro=_binding_intro(binding))


def poster(request, org_id, kind: str):
    """The union's join poster (PNG or A4 PDF) with the QR code of its current link."""
    from gonghui.common import posters

    org = get_visible_or_404(request.user, Org, pk=org_id)
    if not queries.can_manage_join_link(request.user, org):
        raise Http404(NOT_FOUND)
    link = actions.join_link(org, by=request.user)
    if link.revoked:
        messages.error(request, "该工会的入会二维码已停用，请先生成新的二维码。")
        return redirect("admin:portal_joinlink_changelist")
    url = request.build_absolute_uri(reverse("portal:scan", args=[tokens.join_token(link)]))
    note = f"第{link.version}版 · {timezone.localdate():%Y-%m-%d} 生成"
    try:
        make = posters.join_poster_pdf if kind == "pdf" else posters.join_poster_png
        content = make(org_name=org.name, url=url, note=note)
    except (DomainError, posters.PosterFontMissing) as e:
        messages.error(request, str(getattr(e, "message", e)))
        return redirect("admin:portal_joinlink_changelist")
    response = HttpResponse(content, content_type="application/pdf" if kind == "pdf" else "image/png")
    response["Content-Disposition"] = f'attachment; filename="join-poster-{org.code}.{kind}"'
    return response
