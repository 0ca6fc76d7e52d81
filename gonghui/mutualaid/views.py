"""Back-office pages of mutual aid behind the admin (registered by admin.py under admin:mutualaid_*): the unit
enrolment (member numbers pasted or the Excel list, preview, then one confirmation) and its error workbook,
a campaign's run, and the decisions on a claim (核准 / 不予给付). Each begins with its access helper."""

import re

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from unfold.widgets import UnfoldAdminFileFieldWidget, UnfoldAdminTextareaWidget

from gonghui.common.admin import xlsx_response
from gonghui.common.errors import DomainError
from gonghui.common.forms import BackOfficeStyleMixin
from gonghui.common.import_views import error_download
from gonghui.common.models import ImportJob
from gonghui.common.money import yuan
from gonghui.members.models import Member
from gonghui.orgs.forms import org_picker
from gonghui.orgs.models import Org
from gonghui.orgs.queries import get_visible_or_404, scope_org, visible_to

from . import actions, importing
from .models import Campaign, Claim, Plan

NOT_FOUND = "未找到该记录。"


def _page(request, template: str, title: str, **context):
    return render(request, template, {**admin.site.each_context(request), "title": title, **context})


def _require_enroller(request) -> None:
    """Only an account that may enrol its subtree's unions (经办人, 单位管理员); else 404."""
    if scope_org(request.user) is None or not request.user.has_role(*actions.ENROL_ROLES):
        raise Http404(NOT_FOUND)


# Unit enrolment ------------------------------------------------------------------------------------------

class EnrolForm(BackOfficeStyleMixin, forms.Form):
    plan = forms.ModelChoiceField(label="互助保障计划", queryset=Plan.objects.none())
    org = forms.ModelChoiceField(label="参保工会", queryset=Org.objects.none(),
                                 help_text="本账号所属工会或其下级工会；名单中的会员须属于该工会或其下级工会。")
    numbers = forms.CharField(label="会员证号", required=False, widget=UnfoldAdminTextareaWidget(attrs={"rows": 6}),
                              help_text="每行一个，也可用空格或逗号分隔。")
    file = forms.FileField(label="或上传参保名单", required=False,
                           widget=UnfoldAdminFileFieldWidget(attrs={"accept": ".xlsx,.csv"}),
                           help_text="Excel 文件（.xlsx）或 CSV，不超过 10 MB；列：姓名，以及身份证号或会员证号。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["plan"].queryset = visible_to(user, Plan).filter(active=True, period_end__gte=timezone.localdate())
        self.fields["org"] = org_picker(user, label="参保工会", help_text=(
            "本账号所属工会或其下级工会；名单中的会员须属于该工会或其下级工会。输入组织代码或名称查找。"))
        self.order_fields(["plan", "org", "numbers", "file"])

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if problem := importing.ENROLMENT.upload_problem(upload):
            raise forms.ValidationError(problem)
        return upload

    def clean(self):
        """`members`: the members of the union's subtree with the numbers typed, in the order given;
        `not_found`: the numbers not found there (the same for "nobody" and "someone elsewhere")."""
        data = super().clean()
        if not (data.get("numbers") or "").strip() and not data.get("file") and "file" not in self.errors:
            raise forms.ValidationError("请填写会员证号或上传参保名单。")
        if data.get("org") is None:
            return data
        numbers = [n.upper() for n in re.split(r"[\s,，、;；]+", data.get("numbers") or "") if n]
        found = {m.member_number: m for m in visible_to(self.user, Member.objects.subtree(data["org"]))
                 .select_related("org").filter(member_number__in=numbers)}
        data["members"] = [found[n] for n in numbers if n in found]
        data["not_found"] = [n for n in numbers if n not in found]
        return data


def enrol(request):
    """单位参保: the plan, the union and the list (numbers pasted, an Excel list, or both) → the preview line by
    line → 确认参保 (all or nothing). The list's unmatched rows are left out, kept with their error workbook."""
    _require_enroller(request)
    form = EnrolForm(request.POST or None, request.FILES or None, user=request.user)
    preview = job = None
    not_found = []
    if request.method == "POST" and form.is_valid():
        plan, org, members = form.cleaned_data["plan"], form.cleaned_data["org"], form.cleaned_data["members"]
        not_found = form.cleaned_data["not_found"]
        try:
            upload = form.cleaned_data["file"]
            if upload is not None:
                listing = importing.read_enrolment_list(upload.read(), upload.name, org=org, by=request.user,
                                                        plan=plan)
                members = members + listing.written
                job = importing.keep_rejected(listing, filename=upload.name, by=request.user)
            if request.POST.get("confirm") and not not_found:
                enrolment = actions.enrol(plan=plan, org=org, members=members, by=request.user)
                messages.success(request, f"已参保 {enrolment.members_count} 人，"
                                          f"互助金合计 {yuan(enrolment.premium_total)}。")
                return redirect("admin:mutualaid_enrolment_change", enrolment.pk)
            preview = actions.preview_enrolment(plan=plan, org=org, members=members, by=request.user)
        except DomainError as e:
            form.show(e)
    return _page(request, "mutualaid/enrol.html", "单位参保", form=form, preview=preview, job=job, not_found=not_found,
                 numbers="\n".join(line.member.member_number for line in preview.lines) if preview else "",
                 cancel_url=reverse("admin:mutualaid_enrolment_changelist"))


def enrol_errors(request, job_id: int):
    """The rejected rows of an uploaded list, with the reasons and the faulty cells highlighted: the list's
    ImportJob inside the account's subtree, for an account that may enrol there; else 404."""
    _require_enroller(request)
    job = get_visible_or_404(request.user, ImportJob.objects.filter(kind=importing.KIND), pk=job_id)
    return error_download(request, importing.ENROLMENT, job)


def enrol_template(request):
    _require_enroller(request)
    return xlsx_response(importing.template_workbook(), "参保名单模板.xlsx")


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


class ApproveForm(BackOfficeStyleMixin, forms.Form):
    """核准 asks nothing: the form carries the action's refusal back to the page."""


class ReasonForm(BackOfficeStyleMixin, forms.Form):
    reason = forms.CharField(label="不予给付原因（申请人可见）", max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3}))


def decide_claim(request, object_id, approve: bool):
    """核准 (the benefit computed at filing, cut to the year's room left, goes to the ledger to be paid by
    someone else) or 不予给付 (a reason). A refusal is shown on the page, the reason typed kept."""
    claim = get_visible_or_404(request.user, Claim.objects.select_related("plan", "member", "org"), pk=object_id)
    if not actions.can_decide(request.user, claim):
        raise Http404(NOT_FOUND)
    change_url = reverse("admin:mutualaid_claim_change", args=[claim.pk])
    form = (ApproveForm if approve else ReasonForm)(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            if approve:
                claim = actions.approve_claim(claim=claim, by=request.user)
                messages.success(request, f"已核准互助金 {yuan(claim.benefit)}，待经办人登记发放。")
            else:
                actions.reject_claim(claim=claim, by=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, "已作不予给付处理。")
            return redirect(change_url)
        except DomainError as e:
            form.show(e)
    title = f"{'核准' if approve else '不予给付'}：{claim.member.name} {claim.plan.name}"
    return _page(request, "mutualaid/claim_decide.html", title, claim=claim, form=form, cancel_url=change_url,
                 submit="确认核准" if approve else "确认不予给付", form_id="mutualaid-claim-form",
                 intro=f"就诊日期 {claim.event_date:%Y-%m-%d} · 医疗费用 {yuan(claim.expense)} · "
                       f"受理工会 {claim.org.name}")
