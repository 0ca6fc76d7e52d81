"""Back-office pages for members beyond the admin's list and form: the timeline, the reveal of full
numbers, lifecycle steps, the search box (by POST), transfers and the streaming export. Each view
starts with an access helper that answers 404 outside the account's subtree; a cadre without the
role for a page gets the same 404 (as ScopedAdmin does), so a refusal never confirms a record exists."""

import re
import tempfile
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gonghui.common import audit, idcard, reauth
from gonghui.common.admin import XLSX
from gonghui.common.errors import DomainError
from gonghui.orgs.models import Org
from gonghui.orgs.queries import get_visible_or_404, scope_org, visible_to

from . import actions, facts, queries
from .forms import (
    EndMembershipForm,
    LookupForm,
    RevealForm,
    TransferDecisionForm,
    TransferRequestForm,
    Unlogged,
    stored_id_number,
    stored_mobile,
)
from .models import Member, MemberEvent, Transfer

NOT_FOUND = "未找到该记录。"


def _member_or_404(request, object_id) -> Member:
    return get_visible_or_404(request.user, Member.objects.select_related("org"), pk=object_id)


def _page(request, template: str, title: str, **context):
    return render(request, template, {**admin.site.each_context(request), "title": title,
                                      "opts": Member._meta, **context})


def _form_page(request, title: str, form, *, cancel_url: str, intro: str = "", submit: str = "确认", **context):
    return _page(request, "common/action_form.html", title, form=form, cancel_url=cancel_url, intro=intro,
                 submit=submit, form_id="member-action-form", **context)


def _show_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def timeline(request, object_id):
    """The member's history: every MemberEvent, oldest first; a transfer names both unions."""
    member = _member_or_404(request, object_id)
    events = MemberEvent.objects.filter(member=member).select_related("org", "to_org", "by").order_by("date", "id")
    return _page(request, "members/timeline.html", f"会籍记录：{member}", member=member, events=events)


@never_cache  # Cache-Control: no-store — the full numbers must not stay in any cache
@sensitive_post_parameters("password")
def reveal(request, object_id):
    """The full ID and mobile numbers (R-PI-3): the pii_viewer role, a reason, a POST and a fresh
    login (or the password again). GET shows only the form; the numbers are only in the POST's
    response, never in a URL; actions.reveal writes the audit entry."""
    member = _member_or_404(request, object_id)
    if not queries.can_reveal(request.user):
        raise Http404(NOT_FOUND)
    form = RevealForm(request.POST or None, fresh=reauth.is_fresh(request))
    values = None
    if request.method == "POST" and form.is_valid():
        if form.needs_password and not reauth.confirm_password(request, form.cleaned_data["password"]):
            form.add_error("password", "密码不正确，请重新输入。")
        else:
            try:
                values = actions.reveal(member, by=request.user, reason=form.cleaned_data["reason"])
            except DomainError as e:
                _show_error(form, e)
    if values:
        form, values = None, {name: Unlogged(value) for name, value in values.items()}
    return _page(request, "members/reveal.html", f"查看完整号码：{member.name}", member=member, form=form,
                 values=values, change_url=reverse("admin:members_member_change", args=[member.pk]))


def end_membership(request, object_id, status: str):
    """退会, 退休 or 去世 for an active member: a date and a note."""
    member = _member_or_404(request, object_id)
    if not queries.can_edit_members(request.user):
        raise Http404(NOT_FOUND)
    label = Member.Status(status).label
    form = EndMembershipForm(request.POST or None, initial={"date": timezone.localdate()})
    change_url = reverse("admin:members_member_change", args=[member.pk])
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_membership(member, status=status, by=request.user, **form.cleaned_data)
        except DomainError as e:
            _show_error(form, e)
        else:
            messages.success(request, f"已办理{label}：{member.name}")
            return redirect(change_url)
    return _form_page(request, f"办理{label}：{member.name}", form, cancel_url=change_url)


_LONG_NUMBER = re.compile(r"\d{11,}")


def _private_number(term: str) -> bool:
    """An ID, mobile or (15-digit) member number: searched by POST only, never put in a URL."""
    return bool(_LONG_NUMBER.search(re.sub(r"[^0-9]", "", idcard.normalize(term))))


@sensitive_post_parameters("q")
def lookup(request):
    """The member list's search box posts here. A name goes back to the list as `?q=`; an ID
    number (or any long number) is looked up here, by the blind index, and opens the member's
    page: it never appears in a URL, and so in no access log."""
    if not admin.site._registry[Member].has_view_permission(request):
        raise Http404(NOT_FOUND)
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        term = form.cleaned_data["q"].strip()
        changelist = reverse("admin:members_member_changelist")
        if not _private_number(term):
            kept = {k: v for k, v in request.POST.items() if k not in {"q", "csrfmiddlewaretoken", "p"}}
            return redirect(f"{changelist}?{urlencode({**kept, 'q': term})}")
        found = list(queries.search(request.user, term)[:2])
        if len(found) == 1:
            return redirect("admin:members_member_change", found[0].pk)
        form.add_error("q", "未找到与该号码相符的会员（只在本账号所属工会及其下级工会中查找；不支持按手机号查找）。")
    return _form_page(request, "查找会员", form, cancel_url=reverse("admin:members_member_changelist"), submit="查找",
                      intro="输入姓名、会员证号或完整的证件号码。证件号码按加密索引精确查找，不会出现在网址中。")


# --- Transfers ------------------------------------------------------------------------------------

def request_transfer(request):
    """转会申请: the receiving union names the person by document number and name."""
    if not queries.can_edit_members(request.user):
        raise Http404(NOT_FOUND)
    form = TransferRequestForm(request.POST or None, orgs=visible_to(request.user, Org).active(),
                               initial={"to_org": scope_org(request.user)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = actions.request_transfer(id_number=data["id_number"], name=data["name"], to_org=data["to_org"],
                                                by=request.user, reason=data["reason"], doc_type=data["doc_type"])
        except DomainError as e:
            _show_error(form, e)
        else:
            messages.success(request, "转会申请已提交，等待会员所在工会审批。")
            return redirect("admin:members_transfer_change", transfer.pk)
    return _form_page(request, "转会申请", form, cancel_url=reverse("admin:members_transfer_changelist"),
                      submit="提交申请",
                      intro="填写要转入本工会的会员的证件号码和姓名；由会员现所在工会或其上级工会审批。")


def _transfer_or_404(request, object_id) -> Transfer:
    return get_visible_or_404(
        request.user, Transfer.objects.select_related("member__org", "from_org", "to_org", "requested_by"),
        pk=object_id)


def is_receiving_editor(user, transfer: Transfer) -> bool:
    """An editor of the receiving union (or above it): may withdraw the request."""
    org = scope_org(user)
    return org is not None and queries.can_edit_members(user) and transfer.to_org.is_within(org)


def decide_transfer(request, object_id, approve: bool):
    """Approve (the member moves) or reject (a note is required), by the member's current union or above."""
    transfer = _transfer_or_404(request, object_id)
    if not queries.can_approve_transfer(request.user, transfer.member):
        raise Http404(NOT_FOUND)
    form = TransferDecisionForm(request.POST or None)
    change_url = reverse("admin:members_transfer_change", args=[transfer.pk])
    if request.method == "POST" and form.is_valid():
        try:
            actions.decide_transfer(transfer, approve=approve, by=request.user, note=form.cleaned_data["note"])
        except DomainError as e:
            _show_error(form, e)
        else:
            messages.success(request, "已同意转会。" if approve else "已拒绝转会申请。")
            return redirect(change_url)
    title = f"{'同意' if approve else '拒绝'}转会：{transfer.member.name}"
    return _form_page(request, title, form, cancel_url=change_url, transfer=transfer,
                      intro=f"{transfer.from_org} → {transfer.to_org}")


def cancel_transfer(request, object_id):
    """The receiving union withdraws its pending request."""
    transfer = _transfer_or_404(request, object_id)
    if not is_receiving_editor(request.user, transfer):
        raise Http404(NOT_FOUND)
    change_url = reverse("admin:members_transfer_change", args=[transfer.pk])
    if request.method == "POST":
        try:
            actions.cancel_transfer(transfer, by=request.user)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已撤回转会申请。")
        return redirect(change_url)
    return _form_page(request, f"撤回转会申请：{transfer.member.name}", None, cancel_url=change_url,
                      intro=f"{transfer.from_org} → {transfer.to_org}", submit="撤回申请")


# --- Export ---------------------------------------------------------------------------------------

# The import's columns (facts.LABELS order, so that an unmasked export can be imported again), then
# the union and the membership status.
EXPORT_HEADER = [*facts.LABELS.values(), "所属工会", "会籍状态"]


def export_row(member: Member, *, reveal: bool) -> list:
    """One member in the import's layout; the ID and mobile are masked unless `reveal`."""
    return [
        member.name, member.get_gender_display(), member.get_ethnicity_display(),
        stored_id_number(member) if reveal else member.id_masked,
        member.birth_date,
        (stored_mobile(member) if reveal else member.mobile_masked),
        member.get_education_display(), member.get_political_status_display(),
        member.get_household_type_display(), "是" if member.is_migrant_worker else "否",
        member.get_worker_group_display(), member.join_date, member.member_number,
        member.org.name, member.get_status_display(),
    ]


def _write_workbook(out, title: str, header: list[str], rows) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 22 if name in {"身份证号", "所属工会"} else 12
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        cells.append(cell)
    ws.append(cells)
    for row in rows:
        ws.append(row)
    wb.save(out)


def export_members(request, queryset, *, what: str):
    """Stream `queryset` (already scoped and filtered) as .xlsx, masked unless the account may
    reveal; one audit entry per export (rows, masked or not, what was exported)."""
    reveal = queries.can_reveal(request.user)
    count = 0

    def rows():
        nonlocal count
        for member in queryset.select_related("org").iterator(chunk_size=2000):
            count += 1
            yield export_row(member, reveal=reveal)

    # Constant memory for millions of rows: openpyxl's write-only mode writes each row to a temporary
    # sheet file as it is appended, but save() then zips the sheet into the .xlsx — into memory if the
    # target were a BytesIO (the whole file, hundreds of MB for millions of rows). The target is an
    # anonymous temporary file on disk instead; FileResponse sends it in chunks and closing it (at the
    # end of the response) deletes it. The rows come from a chunked database iterator.
    out = tempfile.TemporaryFile(suffix=".xlsx")
    _write_workbook(out, "会员", EXPORT_HEADER, rows())
    out.seek(0)
    audit.record("export", actor=request.user, object_repr=f"会员导出：{what}",
                 changes={"rows": count, "masked": not reveal})
    response = FileResponse(out, as_attachment=True, filename=f"会员_{timezone.localdate():%Y%m%d}.xlsx",
                            content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return response
