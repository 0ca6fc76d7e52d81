"""Back-office pages of the ledger beyond the admin's lists: 新增审批 (preview with the duplicate warning, then
confirm), 登记发放 (a hidden idempotency key), 冲销, 批量发放 (preview, one confirmation, all or nothing) and its
登记发放, and the person's ledger (个人帮扶台账) with its export. Each view starts with its access helper: 404
outside the subtree or without the role; a refusal of the action is shown on the page, typed values kept."""

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from gonghui.common import audit
from gonghui.common.admin import xlsx_response
from gonghui.common.errors import DomainError
from gonghui.common.excel import build_workbook
from gonghui.members.models import Member
from gonghui.orgs.queries import get_visible_or_404, scope_org

from . import actions, programs, queries
from .forms import ApproveForm, DisburseForm, RecordForm, ReverseForm
from .models import Approval, Disbursement, Entry

NOT_FOUND = "未找到该页面。"


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404(NOT_FOUND)


def _render(request, template: str, title: str, opts, **context):
    return render(request, template, {**admin.site.each_context(request), "title": title, "opts": opts, **context})


def _confirm_page(request, title: str, form, *, opts, cancel_url: str, submit: str, intro: str = ""):
    return _render(request, "common/action_form.html", title, opts, form=form, cancel_url=cancel_url,
                   submit=submit, intro=intro, form_id="ledger-action-form")


# 审批 ---------------------------------------------------------------------------------------------------

def approve(request):
    """新增审批: the form, then a preview (the member, 先建档后帮扶, 重复领取提示), then 确认审批 for exactly what
    the preview showed. The paying union is the approver's own."""
    _require(actions.may_approve(request.user))
    org = scope_org(request.user)
    form = ApproveForm(request.POST or None, user=request.user)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            preview = actions.preview_disbursement(org=org, kind=data["kind"], fund_source=data["fund_source"],
                                                   amount_each=data["amount"], members=[form.member], by=request.user)
            if request.POST.get("step") == "confirm" and request.POST.get("previewed") == form.fingerprint():
                approval = actions.approve(member=form.member, kind=data["kind"], fund_source=data["fund_source"],
                                           amount=data["amount"], by=request.user, org=org, reason=data["reason"])
                messages.success(request, f"已审批：{approval.member.name} {approval.kind.name} {approval.amount} 元，"
                                          "待经办人登记发放。")
                return redirect("admin:ledger_approval_change", approval.pk)
        except DomainError as e:
            form.show(e)
    return _render(request, "ledger/preview_form.html", "新增帮扶审批", Approval._meta, form=form, preview=preview,
                   fingerprint=form.fingerprint() if preview and form.is_valid() else "", confirm="确认审批",
                   form_id="ledger-approve-form",
                   cancel_url=reverse("admin:ledger_approval_changelist"),
                   intro=f"发放工会：{org.name}。审批后由另一位经办人登记发放（审批与发放登记分离）。")


def _approval_or_404(request, object_id) -> Approval:
    return get_visible_or_404(request.user, Approval.objects.select_related(
        "member", "org", "kind", "fund_source", "approved_by"), pk=object_id)


def record(request, object_id):
    """登记发放 of one approval. The form carries an idempotency key: the same submission twice records once."""
    _require(actions.may_record(request.user))
    approval = _approval_or_404(request, object_id)
    change_url = reverse("admin:ledger_approval_change", args=[approval.pk])
    form = RecordForm(request.POST or None, key=actions.new_key())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = actions.record_payment(approval=approval, by=request.user, key=data["key"],
                                           paid_on=data["paid_on"], note=data["note"])
        except DomainError as e:
            form.show(e)
        else:
            messages.success(request, f"已登记发放 {entry.amount} 元（{entry.paid_on:%Y-%m-%d}）。")
            return redirect(change_url)
    return _confirm_page(request, f"登记发放：{approval}", form, opts=Approval._meta, cancel_url=change_url,
                         submit="确认已发放", intro=f"{approval.member.name}（{approval.member.member_number}）· "
                         f"{approval.kind.name} · {approval.fund_source.name} · {approval.amount} 元 · 审批人 "
                         f"{approval.approved_by} · 发放工会 {approval.org.name}")


def reverse_entry(request, object_id):
    """冲销: an entry of the opposite amount, with the reason; the first entry stays."""
    _require(actions.may_approve(request.user))
    entry = get_visible_or_404(request.user, Entry.objects.select_related("member", "kind", "org"), pk=object_id)
    change_url = reverse("admin:ledger_entry_change", args=[entry.pk])
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reversal = actions.reverse(entry=entry, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as e:
            form.show(e)
        else:
            messages.success(request, f"已冲销，冲销分录金额 {reversal.amount} 元。")
            return redirect("admin:ledger_entry_change", reversal.pk)
    return _confirm_page(request, f"冲销：{entry.member.name} {entry}", form, opts=Entry._meta, cancel_url=change_url,
                         submit="确认冲销", intro=f"原分录：{entry.paid_on:%Y-%m-%d} {entry.kind.name} {entry.amount} "
                         f"元（{entry.org.name}）。冲销不删除原分录，另记一笔相反金额的分录。")


# 批量发放 -----------------------------------------------------------------------------------------------

def disburse(request):
    """批量发放: the list (member numbers, or every open hardship file of the subtree), a preview of every line
    (problems refuse the batch, warnings do not), then one confirmation: all lines approved, or none."""
    _require(actions.may_approve(request.user))
    org = scope_org(request.user)
    form = DisburseForm(request.POST or None, user=request.user)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            preview = actions.preview_disbursement(org=org, kind=data["kind"], fund_source=data["fund_source"],
                                                   amount_each=data["amount_each"], members=form.members,
                                                   by=request.user)
            if request.POST.get("step") == "confirm" and request.POST.get("previewed") != form.fingerprint():
                messages.warning(request, "名单或金额与预览时不同，请核对下面的预览后再确认。")
            elif request.POST.get("step") == "confirm":
                batch = actions.approve_disbursement(
                    title=data["title"], org=org, kind=data["kind"], fund_source=data["fund_source"],
                    amount_each=data["amount_each"], members=form.members, by=request.user)
                messages.success(request, f"已审批批量发放“{batch.title}”：{len(form.members)}人，"
                                          "待另一位经办人登记发放。")
                return redirect("admin:ledger_disbursement_change", batch.pk)
        except DomainError as e:
            form.show(e)
    return _render(request, "ledger/preview_form.html", "批量发放", Disbursement._meta, form=form, preview=preview,
                   fingerprint=form.fingerprint() if preview and form.is_valid() else "", confirm="确认批量发放审批",
                   form_id="ledger-disburse-form", cancel_url=reverse("admin:ledger_disbursement_changelist"),
                   intro=f"发放工会：{org.name}。先预览，名单中任何一人不能发放时整批不予保存；确认后由另一位经办人"
                         "一次登记全部发放。")


def record_batch(request, object_id):
    """登记发放 of a whole batch, one transaction: every line's entry or none."""
    _require(actions.may_record(request.user))
    batch = get_visible_or_404(request.user, Disbursement.objects.select_related(
        "org", "kind", "fund_source", "approved_by"), pk=object_id)
    change_url = reverse("admin:ledger_disbursement_change", args=[batch.pk])
    form = RecordForm(request.POST or None, key=actions.new_key())
    del form.fields["note"]
    if request.method == "POST" and form.is_valid():
        try:
            entries = actions.record_disbursement(batch=batch, by=request.user, key=form.cleaned_data["key"],
                                                  paid_on=form.cleaned_data["paid_on"])
        except DomainError as e:
            form.show(e)
        else:
            total = sum(e.amount for e in entries)
            messages.success(request, f"已登记发放 {len(entries)} 笔，合计 {total} 元。")
            return redirect(change_url)
    lines = batch.approvals.count()
    return _confirm_page(request, f"登记发放：{batch.title}", form, opts=Disbursement._meta, cancel_url=change_url,
                         submit="确认整批已发放", intro=f"{batch.kind.name} · {batch.fund_source.name} · 每户 "
                         f"{batch.amount_each} 元 · {lines}人，合计 {batch.amount_each * lines} 元 · 审批人 "
                         f"{batch.approved_by}。整批一次登记，任何一笔不能登记时全部不登记。")


# 个人帮扶台账 --------------------------------------------------------------------------------------------

def _member_or_404(request, member_id) -> Member:
    return get_visible_or_404(request.user, Member.objects.select_related("org"), pk=member_id)


def person(request, member_id):
    """Every entry of the member (aid, mutual-aid benefits, …) newest first, with reversal marks and the
    duplicate flag, and the totals per year."""
    member = _member_or_404(request, member_id)
    entries, years = queries.person_ledger(member)
    return _render(request, "ledger/person.html", f"个人帮扶台账：{member.name}", Entry._meta, member=member,
                   entries=entries, years=years, total=sum((y.total for y in years), 0),
                   links=programs.person_links(request.user, member),
                   export_url=reverse("admin:ledger_entry_person_export", args=[member.pk]))


def _mark(entry) -> str:
    if entry.reversal_of_id:
        state = "冲销分录"
    else:
        state = "已冲销" if entry.reversed else ""
    return "；".join(part for part in ("历史导入" if entry.is_history else "", state) if part)


def person_export(request, member_id):
    member = _member_or_404(request, member_id)
    entries, _ = queries.person_ledger(member)
    header = ["发放日期", "帮扶类别", "资金来源", "发放工会", "金额（元）", "审批人", "登记人", "标记", "重复领取提示",
              "说明"]
    rows = ([e.paid_on, e.kind.name, e.fund_source.name, e.org.name, e.amount, str(e.approved_by),
             str(e.recorded_by), _mark(e), "是" if e.duplicate else "", e.note] for e in entries)
    data = build_workbook(f"{member.name}帮扶台账", header, rows)
    audit.record("export", actor=request.user, obj=member, object_repr=f"个人帮扶台账 导出：{member.name}",
                 changes={"rows": len(entries)})
    return xlsx_response(data, f"个人帮扶台账_{member.member_number}_{timezone.localdate():%Y%m%d}.xlsx")
