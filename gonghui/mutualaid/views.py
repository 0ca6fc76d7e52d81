"""Back-office pages of mutual aid behind the admin (registered by admin.py under admin:mutualaid_*): the unit
enrolment (member numbers pasted or the Excel list, preview, then one confirmation) and its error workbook,
a campaign's run, and the decisions on a claim (核准 / 不予给付). Each begins with its access helper."""

import base64
import re
from urllib.parse import quote

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from unfold.widgets import UnfoldAdminFileFieldWidget, UnfoldAdminTextareaWidget

from gonghui.common import audit, pii
from gonghui.common.admin import xlsx_response
from gonghui.common.errors import DomainError
from gonghui.common.forms import BackOfficeStyleMixin
from gonghui.members.models import Member
from gonghui.orgs.models import Org
from gonghui.orgs.queries import get_visible_or_404, scope_org, visible_to

from . import actions, importing
from .models import Campaign, Claim, Plan
from .rules import yuan

NOT_FOUND = "未找到该记录。"
ERRORS_KEY = "mutualaid_enrol_errors"


def _page(request, template: str, title: str, **context):
    return render(request, template, {**admin.site.each_context(request), "title": title, **context})


def _show_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# Unit enrolment ------------------------------------------------------------------------------------------

class EnrolForm(BackOfficeStyleMixin, forms.Form):
    plan = forms.ModelChoiceField(label="互助保障计划", queryset=Plan.objects.none())
    org = forms.ModelChoiceField(label="参保工会", queryset=Org.objects.none(),
                                 help_text="本账号所属工会或其下级工会；名单中的会员须属于该工会或其下级工会。")
    numbers = forms.CharField(label="会员证号", required=False, widget=UnfoldAdminTextareaWidget(attrs={"rows": 6}),
                              help_text="每行一个，也可用空格或逗号分隔。")
    file = forms.FileField(label="或上传参保名单", required=False,
                           widget=UnfoldAdminFileFieldWidget(attrs={"accept": ".xlsx,.csv"}),
                           help_text="Excel 文件（.xlsx），列：姓名，以及身份证号或会员证号。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = visible_to(user, Plan).filter(active=True, period_end__gte=timezone.localdate())
        self.fields["org"].queryset = visible_to(user, Org).active().order_by("path")

    def clean(self):
        data = super().clean()
        if not (data.get("numbers") or "").strip() and not data.get("file"):
            raise forms.ValidationError("请填写会员证号或上传参保名单。")
        return data


def _members_by_number(user, org: Org, text: str) -> tuple[list[Member], list[str]]:
    """The members of org's subtree with these member numbers, in the order given, and the numbers not found
    there (the same for "nobody" and "someone elsewhere")."""
    numbers = [n.upper() for n in re.split(r"[\s,，、;；]+", text or "") if n]
    found = {m.member_number: m for m in visible_to(user, Member.objects.subtree(org).select_related("org"))
             .filter(member_number__in=numbers)}
    return [found[n] for n in numbers if n in found], [n for n in numbers if n not in found]


def _keep_errors(request, data: bytes) -> None:
    """The error workbook of the last upload, for its download link: in the session, encrypted (the user's
    own rows, with names and ID numbers)."""
    token = pii.encrypt(base64.b64encode(data).decode(), context=f"{ERRORS_KEY}:{request.user.pk}")
    request.session[ERRORS_KEY] = token


def enrol(request):
    """单位参保: the plan, the union and the list (numbers pasted, an Excel list, or both) → the preview line by
    line → 确认参保 (all or nothing). The list's unmatched rows are left out with their error workbook."""
    if scope_org(request.user) is None or not request.user.has_role(*actions.ENROL_ROLES):
        raise Http404(NOT_FOUND)
    form = EnrolForm(request.POST or None, request.FILES or None, user=request.user)
    preview, not_found, listing = None, [], None
    if request.method == "POST" and form.is_valid():
        plan, org = form.cleaned_data["plan"], form.cleaned_data["org"]
        members, not_found = _members_by_number(request.user, org, form.cleaned_data["numbers"])
        try:
            upload = form.cleaned_data["file"]
            if upload is not None:
                listing = importing.read_enrolment_list(upload.read(), upload.name, org=org, plan=plan)
                members += listing.members
                if listing.errors:
                    _keep_errors(request, listing.error_workbook())
            if request.POST.get("confirm") and not not_found:
                enrolment = actions.enrol(plan=plan, org=org, members=members, by=request.user)
                messages.success(request, f"已参保 {enrolment.members_count} 人，"
                                          f"互助金合计 {yuan(enrolment.premium_total)}。")
                return redirect("admin:mutualaid_enrolment_change", enrolment.pk)
            preview = actions.preview_enrolment(plan=plan, org=org, members=members, by=request.user)
        except DomainError as e:
            _show_error(form, e)
    return _page(request, "mutualaid/enrol.html", "单位参保", form=form, preview=preview, not_found=not_found,
                 listing=listing, numbers="\n".join(line.member.member_number for line in preview.lines)
                 if preview else "", cancel_url=reverse("admin:mutualaid_enrolment_changelist"))


def enrol_errors(request):
    """The rejected rows of the account's last uploaded list, with the reasons and the faulty cells highlighted."""
    token = request.session.get(ERRORS_KEY)
    if scope_org(request.user) is None or not request.user.has_role(*actions.ENROL_ROLES) or not token:
        raise Http404(NOT_FOUND)
    data = base64.b64decode(pii.decrypt(token, context=f"{ERRORS_KEY}:{request.user.pk}"))
    audit.record("export", actor=request.user, object_repr="参保名单导入错误文件")
    return xlsx_response(data, quote("参保名单导入错误.xlsx"))


def enrol_template(request):
    if scope_org(request.user) is None or not request.user.has_role(*actions.ENROL_ROLES):
        raise Http404(NOT_FOUND)
    return xlsx_response(importing.template_workbook(), quote("参保名单模板.xlsx"))


# Campaigns and claims ------------------------------------------------------------------------------------

def run_campaign(request, object_id):
    """赠送: how many members the campaign would cover now, then 确认赠送."""
    campaign = get_visible_or_404(request.user, Campaign.objects.select_related("plan", "org"), pk=object_id)
    if not actions.can_enrol(request.user, campaign.org):
        raise Http404(NOT_FOUND)
    change_url = reverse("admin:mutualaid_campaign_change", args=[campaign.pk])
    if request.method == "POST":
        try:
            enrolment = actions.run_campaign(campaign=campaign, by=request.user)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已为 {enrolment.members_count} 名会员赠送“{campaign.plan.name}”。")
            return redirect("admin:mutualaid_enrolment_change", enrolment.pk)
    count = actions.campaign_members(campaign).count()
    intro = (f"将为{campaign.org.name}及下级工会中符合条件、尚未参保的 {count} 名会员赠送“{campaign.plan.name}”，"
             f"互助金合计 {yuan(campaign.plan.premium * count)}，由{campaign.org.name}承担。")
    return _page(request, "common/action_form.html", f"赠送：{campaign.name}", intro=intro, cancel_url=change_url,
                 submit="确认赠送", form_id="mutualaid-campaign-form")


class ReasonForm(BackOfficeStyleMixin, forms.Form):
    reason = forms.CharField(label="不予给付原因（申请人可见）", max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3}))


def decide_claim(request, object_id, approve: bool):
    """核准 (the benefit, recomputed, goes to the ledger to be paid by someone else) or 不予给付 (a reason)."""
    claim = get_visible_or_404(request.user, Claim.objects.select_related("plan", "member", "org"), pk=object_id)
    if not actions.can_decide(request.user, claim):
        raise Http404(NOT_FOUND)
    change_url = reverse("admin:mutualaid_claim_change", args=[claim.pk])
    form = None if approve else ReasonForm(request.POST or None)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if approve:
                claim = actions.approve_claim(claim=claim, by=request.user)
                messages.success(request, f"已核准互助金 {yuan(claim.benefit)}，待经办人登记发放。")
            else:
                actions.reject_claim(claim=claim, by=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, "已作不予给付处理。")
        except DomainError as e:
            messages.error(request, e.message)
        return redirect(change_url)
    title = f"{'核准' if approve else '不予给付'}：{claim.member.name} {claim.plan.name}"
    return _page(request, "mutualaid/claim_decide.html", title, claim=claim, form=form, cancel_url=change_url,
                 submit="确认核准" if approve else "确认不予给付", form_id="mutualaid-claim-form",
                 intro=f"就诊日期 {claim.event_date:%Y-%m-%d} · 医疗费用 {yuan(claim.expense)} · "
                       f"受理工会 {claim.org.name}")
