"""Issue 6 parts 2 and 4 in the back office: 新增审批 with its preview and duplicate warning, 登记发放 by someone
else with an idempotency key, 冲销, 批量发放 (preview, one confirmation, all or nothing, then one 登记发放), the
person's ledger with yearly totals and its export, and the province-wide configuration. Each test names the
part it covers. Every URL as an outsider: gonghui/tests/test_urls_404.py."""

import datetime
import io
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.common.actors import system_actor
from gonghui.conftest import login, make_cadre
from gonghui.hardship import actions as hardship_actions
from gonghui.ledger import actions
from gonghui.ledger.models import Approval, Disbursement, Entry, FundSource, PaymentKind

pytestmark = pytest.mark.django_db


def kind(code: str) -> PaymentKind:
    return PaymentKind.objects.get(code=code)


def source(code: str = "union") -> FundSource:
    return FundSource.objects.get(code=code)


def on_file(member):
    return hardship_actions.open_file(member=member, level="county", category="deep", by=system_actor(), household=[
        {"name": member.name, "relation": "本人", "monthly_income": "900"}])


def previewed(response) -> str:
    match = re.search(r'name="previewed" value="([0-9a-f]*)"', response.content.decode())
    assert match, "no preview on the page"
    return match.group(1)


@pytest.fixture
def cast(tree, member_factory):
    """A district (K11) approver and operator, two members of G1111 on file and one not on file."""
    wang, li, zhao = (member_factory(name=n) for n in ("王五", "李梅", "赵六"))
    on_file(wang)
    on_file(li)
    return {"approver": make_cadre(tree["K11"], "approver", username="k11_approver"),
            "operator": make_cadre(tree["K11"], "operator", username="k11_operator"),
            "wang": wang, "li": li, "zhao": zhao}


def approve_form(member, **extra) -> dict:
    return {"member_number": member.member_number, "kind": kind("living").pk, "fund_source": source().pk,
            "amount": "800", "reason": "生活困难", **extra}


def pay(approval, by, on=None):
    return actions.record_payment(approval=approval, by=by, key=actions.new_key(), paid_on=on)


def test_approve_previews_with_duplicate_warning_then_confirms(client, cast, tree):
    """Parts 2 and 4: the preview names the member and warns of a 生活救助 paid within the window (重复领取提示);
    confirming writes one approval of the approver's union with the typed amount, nothing before."""
    earlier = actions.approve(member=cast["wang"], kind=kind("living"), fund_source=source(), amount="300",
                              by=cast["approver"])
    pay(earlier, cast["operator"], on=timezone.localdate() - datetime.timedelta(days=30))
    login(client, cast["approver"])
    assert "会员证号" in client.get("/admin/ledger/approval/add/").content.decode()
    response = client.post("/admin/ledger/approval/add/", approve_form(cast["wang"], step="preview"))
    text = response.content.decode()
    assert "注意：365天内已领取过生活救助" in text and "300.00 元" in text and "王五" in text
    assert "合计 800.00 元" in text and Approval.objects.count() == 1
    response = client.post("/admin/ledger/approval/add/", approve_form(
        cast["wang"], step="confirm", previewed=previewed(response)))
    approval = Approval.objects.latest("id")
    assert response["Location"] == f"/admin/ledger/approval/{approval.pk}/change/"
    assert (approval.member, approval.amount, approval.org, approval.status) == (
        cast["wang"], Decimal("800.00"), tree["K11"], "approved")
    detail = client.get(response["Location"]).content.decode()
    assert "生活困难" in detail and "365天内已领取过生活救助" in detail and "尚未登记发放" in detail


def test_approve_confirm_with_changed_values_previews_again(client, cast):
    """Part 2: a confirmation applies only what was previewed; a changed amount shows the preview again."""
    login(client, cast["approver"])
    response = client.post("/admin/ledger/approval/add/", approve_form(cast["wang"], step="preview"))
    response = client.post("/admin/ledger/approval/add/", approve_form(
        cast["wang"], amount="8000", step="confirm", previewed=previewed(response)))
    assert response.status_code == 200 and "合计 8000.00 元" in response.content.decode()
    assert not Approval.objects.exists()


def test_approve_refuses_file_before_aid_and_unknown_member(client, cast, tree, member_factory):
    """Part 2 (先建档后帮扶): a member without an open file cannot get 生活救助 — the preview says so, the confirm
    button is disabled, a forced confirm writes nothing; a member outside the subtree is not found."""
    login(client, cast["approver"])
    response = client.post("/admin/ledger/approval/add/", approve_form(cast["zhao"], step="preview"))
    text = response.content.decode()
    assert "须先建档后帮扶：赵六没有在档的困难职工档案" in text
    assert re.search(r'id="confirm-button"\s+disabled', text)
    response = client.post("/admin/ledger/approval/add/", approve_form(
        cast["zhao"], step="confirm", previewed=previewed(response)))
    assert "须先建档后帮扶" in response.content.decode() and not Approval.objects.exists()
    outside = member_factory("G1211", name="钱七")
    text = client.post("/admin/ledger/approval/add/", approve_form(outside, step="preview")).content.decode()
    assert "本级及下级工会没有该会员证号的会员" in text and outside.member_number in text  # typed value kept


def test_record_by_another_user_once_and_same_user_refused(client, cast):
    """Part 2: the approver cannot record (审批与发放登记分离); another operator records with the page's key; the
    same submission again records nothing more; a new submission for a paid approval is refused."""
    approval = actions.approve(member=cast["wang"], kind=kind("living"), fund_source=source(), amount="800",
                               by=cast["approver"])
    url = f"/admin/ledger/approval/{approval.pk}/record/"
    both = make_cadre(cast["approver"].org, "approver", "operator", username="k11_both")
    approval2 = actions.approve(member=cast["li"], kind=kind("living"), fund_source=source(), amount="100", by=both)
    login(client, both)
    page = client.get(f"/admin/ledger/approval/{approval2.pk}/record/").content.decode()
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page).group(1)
    text = client.post(f"/admin/ledger/approval/{approval2.pk}/record/",
                       {"paid_on": "2026-01-05", "key": key}).content.decode()
    assert "审批人与发放登记人不能为同一人" in text and "2026-01-05" in text and not Entry.objects.exists()

    login(client, cast["operator"])
    page = client.get(url).content.decode()
    assert "王五" in page and "800.00 元" in page
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page).group(1)
    paid_on = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(url, {"paid_on": paid_on.isoformat(), "key": key, "note": "现金"})
    assert response["Location"] == f"/admin/ledger/approval/{approval.pk}/change/"
    entry = Entry.objects.get()
    assert (entry.amount, entry.paid_on, entry.recorded_by, entry.approved_by) == (
        Decimal("800.00"), paid_on, cast["operator"], cast["approver"])
    client.post(url, {"paid_on": paid_on.isoformat(), "key": key})  # the same form sent twice
    assert Entry.objects.count() == 1
    text = client.post(url, {"paid_on": paid_on.isoformat(), "key": actions.new_key()}).content.decode()
    assert "该审批当前为“已发放”，不能登记发放" in text and Entry.objects.count() == 1


def test_reverse_entry_from_the_entry_page(client, cast):
    """Part 2: 冲销 writes an entry of the opposite amount with the reason; the first stays, marked 已冲销; a
    second reversal is refused; the entry list has no add and offers the reversal filter."""
    approval = actions.approve(member=cast["wang"], kind=kind("living"), fund_source=source(), amount="800",
                               by=cast["approver"])
    entry = pay(approval, cast["operator"])
    login(client, cast["approver"])
    detail = client.get(f"/admin/ledger/entry/{entry.pk}/change/").content.decode()
    assert f"/admin/ledger/entry/{entry.pk}/reverse/" in detail and "800.00" in detail
    text = client.post(f"/admin/ledger/entry/{entry.pk}/reverse/", {"reason": ""}).content.decode()
    assert "这个字段是必填项" in text or "必填" in text
    response = client.post(f"/admin/ledger/entry/{entry.pk}/reverse/", {"reason": "金额录错"})
    reversal = Entry.objects.get(reversal_of=entry)
    assert response["Location"] == f"/admin/ledger/entry/{reversal.pk}/change/"
    assert (reversal.amount, reversal.note) == (Decimal("-800.00"), "冲销：金额录错")
    assert Approval.objects.get().status == "reversed"
    text = client.post(f"/admin/ledger/entry/{entry.pk}/reverse/", {"reason": "再冲"}).content.decode()
    assert "该审批当前为“已冲销”，不能冲销" in text and Entry.objects.count() == 2
    assert client.get("/admin/ledger/entry/add/").status_code == 404
    listing = client.get("/admin/ledger/entry/?reversal=reversal").content.decode()
    assert "-800.00" in listing and "冲销分录" in listing


def bulk_form(numbers, **extra) -> dict:
    return {"title": "2026年春节送温暖", "kind": kind("warmth").pk, "fund_source": source("donation").pk,
            "amount_each": "500", "source": "list", "member_numbers": "\n".join(numbers), **extra}


def test_bulk_preview_with_a_problem_refuses_confirm_and_writes_nothing(client, cast):
    """Part 2 (批量发放, all or nothing): the preview lists each line, flags 赵六 (not on file, 先建档后帮扶) and a
    number listed twice, counts and totals, and disables confirm; a forced confirm writes nothing."""
    login(client, cast["approver"])
    numbers = [cast["wang"].member_number, cast["zhao"].member_number, cast["li"].member_number,
               cast["wang"].member_number]
    response = client.post("/admin/ledger/disbursement/add/", bulk_form(numbers, step="preview"))
    text = response.content.decode()
    assert "共 4 人，每人 500.00 元，合计 2000.00 元" in text and "2 人不能发放" in text
    assert "赵六没有在档的困难职工档案" in text and "名单中重复出现" in text
    assert re.search(r'id="confirm-button"\s+disabled', text)
    response = client.post("/admin/ledger/disbursement/add/", bulk_form(
        numbers, step="confirm", previewed=previewed(response)))
    assert "名单中有2人不能发放" in response.content.decode() and "本批次未保存任何记录" in response.content.decode()
    assert not Disbursement.objects.exists() and not Approval.objects.exists()
    text = client.post("/admin/ledger/disbursement/add/", bulk_form(["NOSUCH1"], step="preview")).content.decode()
    assert "以下会员证号在本级及下级工会中没有：NOSUCH1" in text


def test_bulk_confirm_then_record_writes_every_entry_and_the_person_ledger(client, cast, tree):
    """Part 2 and 4 (批量发放 → 登记发放 → 个人帮扶台账): all open files of the subtree, one confirmation writes a
    batch of 2 approvals; the approver (not an operator) cannot record it; the operator records the whole batch
    (2 entries, 1000 元), once; the person's ledger shows the payment, a duplicate flag and the year's total."""
    login(client, cast["approver"])
    form = bulk_form([], source="files", category="deep", step="preview")
    response = client.post("/admin/ledger/disbursement/add/", form)
    assert "共 2 人，每人 500.00 元，合计 1000.00 元" in response.content.decode()
    response = client.post("/admin/ledger/disbursement/add/", form | {"step": "confirm",
                                                                     "previewed": previewed(response)})
    batch = Disbursement.objects.get()
    assert response["Location"] == f"/admin/ledger/disbursement/{batch.pk}/change/"
    assert sorted(a.member.name for a in batch.approvals.all()) == ["李梅", "王五"]
    detail = client.get(response["Location"]).content.decode()
    assert "2026年春节送温暖" in detail and "李梅" in detail and "1000.00" in detail
    url = f"/admin/ledger/disbursement/{batch.pk}/record/"
    response = client.post(url, {"paid_on": timezone.localdate().isoformat(), "key": actions.new_key()})
    assert response.status_code == 404 and not Entry.objects.exists()  # an approver without 经办人 role

    login(client, cast["operator"])
    page = client.get(url).content.decode()
    assert "2人，合计 1000.00 元" in page
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page).group(1)
    response = client.post(url, {"paid_on": timezone.localdate().isoformat(), "key": key})
    assert response["Location"] == f"/admin/ledger/disbursement/{batch.pk}/change/"
    assert Entry.objects.count() == 2 and sum(e.amount for e in Entry.objects.all()) == Decimal("1000.00")
    batch.refresh_from_db()
    assert batch.status == "paid"
    text = client.post(url, {"paid_on": timezone.localdate().isoformat(), "key": actions.new_key()}).content.decode()
    assert "该批次已登记发放" in text and Entry.objects.count() == 2

    # A second 送温暖 for 王五 the same season: flagged on his ledger.
    again = actions.approve(member=cast["wang"], kind=kind("warmth"), fund_source=source(), amount="200",
                            by=cast["approver"])
    pay(again, cast["operator"])
    page = client.get(f"/admin/ledger/entry/person/{cast['wang'].pk}/").content.decode()
    year = timezone.localdate().year
    assert "个人帮扶台账：王五" in page and page.count("送温暖") >= 2
    assert re.search(rf'data-year="{year}">\s*<td[^>]*>{year}年</td>\s*<td[^>]*data-total="700.00"', page)
    assert "重复领取提示" in page and "k11_operator" in page and "社会捐赠" in page and "工会经费" in page


def test_person_ledger_scoped_totals_by_year_and_export(client, cast, tree):
    """Part 4: the ledger of a member shows every entry newest first with totals per year net of reversals
    (2025: 300; this year: 800 − 800 + 200 = 200); the export has the same rows; an outside cadre gets 404;
    the member page and the file page link to it."""
    wang = cast["wang"]
    first = actions.approve(member=wang, kind=kind("serious_illness"), fund_source=source("central"),
                            amount="300", by=cast["approver"])
    pay(first, cast["operator"], on=datetime.date(2025, 6, 1))
    second = actions.approve(member=wang, kind=kind("living"), fund_source=source(), amount="800",
                             by=cast["approver"])
    actions.reverse(entry=pay(second, cast["operator"]), by=cast["approver"], reason="录错")
    third = actions.approve(member=wang, kind=kind("living"), fund_source=source(), amount="200",
                            by=cast["approver"])
    pay(third, cast["operator"])
    login(client, make_cadre(tree["G1111"], "operator", username="g1111_viewer"))
    page = client.get(f"/admin/ledger/entry/person/{wang.pk}/").content.decode()
    year = timezone.localdate().year
    assert re.search(rf'data-year="{year}">\s*<td[^>]*>{year}年</td>\s*<td[^>]*data-total="200.00"', page)
    assert re.search(r'data-year="2025">\s*<td[^>]*>2025年</td>\s*<td[^>]*data-total="300.00"', page)
    assert '<td class="px-3 py-2 font-semibold" id="person-total">500.00</td>' in page
    assert "冲销分录" in page and "已冲销" in page and "中央财政帮扶资金" in page
    assert page.index("2025-06-01") > page.index(f"{timezone.localdate():%Y-%m-%d}")  # newest first
    response = client.get(f"/admin/ledger/entry/person/{wang.pk}/export/")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("发放日期", "帮扶类别", "资金来源", "发放工会", "金额（元）")
    assert sorted(float(r[4]) for r in rows[1:]) == [-800.0, 200.0, 300.0, 800.0]
    assert [r[7] for r in rows[1:]].count("冲销分录") == 1
    member_page = client.get(f"/admin/members/member/{wang.pk}/change/").content.decode()
    assert f"/admin/members/member/{wang.pk}/ledger/" in member_page
    assert client.get(f"/admin/members/member/{wang.pk}/ledger/")["Location"] == \
        f"/admin/ledger/entry/person/{wang.pk}/"
    login(client, make_cadre(tree["K12"], "operator", "approver", "org_admin", username="k12_outsider"))
    for url in (f"/admin/ledger/entry/person/{wang.pk}/", f"/admin/ledger/entry/person/{wang.pk}/export/",
                f"/admin/members/member/{wang.pk}/ledger/", f"/admin/ledger/approval/{first.pk}/change/",
                f"/admin/ledger/approval/{third.pk}/record/", f"/admin/ledger/entry/{third.entries.get().pk}/reverse/"):
        assert client.get(url).status_code == 404, url
    assert "王五" not in client.get("/admin/ledger/entry/").content.decode()


def test_lists_filter_and_export_values(client, cast, tree):
    """Part 2: the approval list filters by kind, fund source, status and union and exports the rows shown."""
    a = actions.approve(member=cast["wang"], kind=kind("living"), fund_source=source(), amount="800",
                        by=cast["approver"])
    actions.approve(member=cast["li"], kind=kind("employment"), fund_source=source("central"), amount="50",
                    by=cast["approver"])
    login(client, cast["approver"])
    text = client.get(f"/admin/ledger/approval/?kind__id__exact={kind('living').pk}").content.decode()
    assert "王五" in text and "李梅" not in text
    assert "李梅" in client.get("/admin/ledger/approval/?org=G1111&status=approved").content.decode()
    response = client.post("/admin/ledger/approval/", {"action": "export_xlsx", "_selected_action": [a.pk]})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][:5] == ("王五", cast["wang"].member_number, "生活救助", "工会经费", 800)


def test_configuration_kept_by_province_administrators(client, tree):
    """Part 2: 帮扶类别 and 资金来源 are configurable by a province 单位管理员 (audited); a district one reads only."""
    login(client, make_cadre(tree["K11"], "org_admin", username="k11_admin"))
    assert "送温暖" in client.get("/admin/ledger/paymentkind/").content.decode()
    assert client.get("/admin/ledger/paymentkind/add/").status_code == 404
    login(client, make_cadre(tree["P"], "org_admin", username="p_admin"))
    response = client.post("/admin/ledger/fundsource/add/", {"code": "lottery", "name": "彩票公益金", "active": "on",
                                                              "order": "9"})
    assert response.status_code == 302 and FundSource.objects.get(code="lottery").name == "彩票公益金"
    from gonghui.common.models import AuditEntry

    assert AuditEntry.objects.filter(action="ledger_fundsource_add").exists()


def test_batch_recorded_by_its_approver_is_refused(client, cast, tree):
    """Part 2 (审批与发放登记分离, batch): an account holding both roles cannot record the batch it approved;
    nothing is written and the batch stays 待发放."""
    both = make_cadre(tree["K11"], "approver", "operator", username="k11_both")
    batch = actions.approve_disbursement(title="送温暖", org=tree["K11"], kind=kind("warmth"), fund_source=source(),
                                         amount_each="300", members=[cast["wang"], cast["li"]], by=both)
    login(client, both)
    assert f"/admin/ledger/disbursement/{batch.pk}/record/" not in client.get(
        f"/admin/ledger/disbursement/{batch.pk}/change/").content.decode()  # no button for the approver
    text = client.post(f"/admin/ledger/disbursement/{batch.pk}/record/",
                       {"paid_on": timezone.localdate().isoformat(), "key": actions.new_key()}).content.decode()
    assert "审批人与发放登记人不能为同一人" in text
    batch.refresh_from_db()
    assert batch.status == "approved" and not Entry.objects.exists()


def test_entry_export_marks_reversals(client, cast):
    """Part 2: the entry list's export has each entry with its reversal mark."""
    approval = actions.approve(member=cast["wang"], kind=kind("living"), fund_source=source(), amount="800",
                               by=cast["approver"])
    entry = pay(approval, cast["operator"])
    reversal = actions.reverse(entry=entry, by=cast["approver"], reason="录错")
    login(client, cast["approver"])
    response = client.post("/admin/ledger/entry/", {"action": "export_xlsx",
                                                    "_selected_action": [entry.pk, reversal.pk]})
    rows = sorted(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True),
                  key=lambda r: r[5])
    assert [(r[1], r[5], r[9][:4]) for r in rows] == [("王五", -800, "冲销分录"), ("王五", 800, "已冲销")]


def test_sidebar_lists_hardship_ledger_and_mutual_aid_pages(client, tree):
    """Parts 1–3 (back office): the sidebar's 困难帮扶 and 职工互助保障 groups lead to the pages; the import
    entry shows to those who may import, not to a read-only cadre."""
    login(client, make_cadre(tree["K11"], "operator", username="nav_operator"))
    home = client.get("/admin/").content.decode()
    for link in ("/admin/hardship/hardshipfile/", "/admin/hardship/hardshipfile/?due=1",
                 "/admin/hardship/hardshipfile/import/", "/admin/ledger/approval/", "/admin/ledger/disbursement/",
                 "/admin/ledger/entry/", "/admin/mutualaid/plan/", "/admin/mutualaid/claim/"):
        assert f'href="{link}"' in home, link
    client.logout()
    login(client, make_cadre(tree["K11"], username="nav_viewer"))
    home = client.get("/admin/").content.decode()
    assert 'href="/admin/hardship/hardshipfile/"' in home
    assert 'href="/admin/hardship/hardshipfile/import/"' not in home


def test_batch_line_record_url_refused_then_batch_recorded(client, cast, tree):
    """Review finding 1, through the URL: the 登记发放 page of one line of a batch shows no button on the line and
    refuses the typed URL with the batch's name, writing nothing; the batch's own 登记发放 then records it."""
    batch = actions.approve_disbursement(title="中秋送温暖", org=tree["K11"], kind=kind("warmth"), fund_source=source(),
                                         amount_each="300", members=[cast["wang"]], by=cast["approver"])
    line = batch.approvals.get()
    login(client, cast["operator"])
    url = f"/admin/ledger/approval/{line.pk}/record/"
    assert url not in client.get(f"/admin/ledger/approval/{line.pk}/change/").content.decode()
    text = client.post(url, {"paid_on": timezone.localdate().isoformat(), "key": actions.new_key()}).content.decode()
    assert "该审批属于批量发放“中秋送温暖”，请在批次页面整批登记发放。" in text and not Entry.objects.exists()
    response = client.post(f"/admin/ledger/disbursement/{batch.pk}/record/",
                           {"paid_on": timezone.localdate().isoformat(), "key": actions.new_key()})
    assert response.status_code == 302 and Entry.objects.get().approval == line


def test_downloads_name_the_file_in_chinese(client, cast):
    """Review finding 4: xlsx_response percent-encodes the file name itself — the person's ledger export and the
    list export (which passed it unencoded, so the header went out MIME-encoded) name the file in UTF-8."""
    login(client, cast["approver"])
    response = client.get(f"/admin/ledger/entry/person/{cast['wang'].pk}/export/")
    name = f"个人帮扶台账_{cast['wang'].member_number}_{timezone.localdate():%Y%m%d}.xlsx"
    assert response["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote(name)}"
    response = client.post("/admin/ledger/approval/", {"action": "export_xlsx", "_selected_action": [0]})
    assert response["Content-Disposition"] == \
        f"attachment; filename*=UTF-8''{quote(f'帮扶审批_{timezone.localdate():%Y%m%d}.xlsx')}"


def test_batch_export_counts_lines_from_the_list_query(client, cast, tree):
    """Review finding 15: the exports use the list's own annotations (人数, 冲销) rather than repeating them; the
    batch export still has each batch's line count and total."""
    batch = actions.approve_disbursement(title="送温暖", org=tree["K11"], kind=kind("warmth"), fund_source=source(),
                                         amount_each="300", members=[cast["wang"], cast["li"]], by=cast["approver"])
    login(client, cast["approver"])
    response = client.post("/admin/ledger/disbursement/", {"action": "export_xlsx", "_selected_action": [batch.pk]})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert (rows[0][5:7], rows[1][:2], rows[1][5:7]) == (("人数", "合计（元）"), ("送温暖", "瑶海区总工会"), (2, 600))
