"""Issue 6 part 1 in the back office: the list of hardship files (filters, the 复核到期 due-list, search,
export), the read-only detail, 新建档案, and the 结对, 年度复核 and 退出 pages, with the actions' refusals shown
in Chinese and the typed values kept. Each test names the part it covers. Every URL as an outsider:
gonghui/tests/test_urls_404.py."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.conftest import login, make_cadre
from gonghui.hardship import actions
from gonghui.hardship.models import FileEvent, HardshipFile
from gonghui.ledger import actions as ledger_actions
from gonghui.ledger.models import FundSource, PaymentKind
from gonghui.members import actions as member_actions
from gonghui.members.tests.conftest import make_id

pytestmark = pytest.mark.django_db
HOUSEHOLD = "王五,本人,1800\n李梅，配偶，600.50\n王小,子女,0"


@pytest.fixture
def cadre(tree):
    return make_cadre(tree["T111"], "operator", username="t111_operator")


def open_form(member, **extra) -> dict:
    return {"member_number": member.member_number, "level": "county", "category": "relative",
            "causes": "因病、子女就学", "housing": "租住公房", "household": HOUSEHOLD, "measures": "医疗救助，助学",
            **extra}


def test_open_file_page_creates_the_file(client, cadre, member_factory):
    """Part 1 (建档 by a cadre): member by number, household one per line (2400.50 / 3 = 800.17), causes,
    housing, measures, responsible; the detail shows them read-only."""
    member = member_factory(name="王五")
    login(client, cadre)
    page = client.get("/admin/hardship/hardshipfile/add/").content.decode()
    assert "姓名,关系,月收入" in page and "t111_operator" in page
    response = client.post("/admin/hardship/hardshipfile/add/", open_form(member, responsible=cadre.pk))
    file = HardshipFile.objects.get()
    assert response["Location"] == f"/admin/hardship/hardshipfile/{file.pk}/change/"
    assert (file.member, file.per_capita_income, file.causes, file.housing, file.responsible) == (
        member, Decimal("800.17"), ["因病", "子女就学"], "租住公房", cadre)
    detail = client.get(response["Location"]).content.decode()
    for text in ("王五", member.member_number, "李梅 · 配偶 · 月收入 600.50 元", "800.17", "因病、子女就学",
                 "医疗救助，助学", "建档", "暂无帮扶审批", f"/admin/ledger/entry/person/{member.pk}/"):
        assert text in detail, text


def test_open_file_refusals_keep_typed_values(client, cadre, member_factory, tree):
    """Part 1 (一人一档, nothing half-done): a second file is refused with the message to update the first, a bad
    household line and a bad income are shown on the field, a member outside the subtree is not found; the
    typed values stay on the page and nothing is written."""
    member = member_factory(name="王五")
    actions.open_file(member=member, level="county", category="deep", by=system_actor(),
                      household=[{"name": "王五", "relation": "本人", "monthly_income": "1000"}])
    login(client, cadre)
    text = client.post("/admin/hardship/hardshipfile/add/", open_form(member)).content.decode()
    assert "一人一档" in text and "租住公房" in text and HardshipFile.objects.count() == 1
    other = member_factory(name="赵六")
    add = "/admin/hardship/hardshipfile/add/"
    text = client.post(add, open_form(other, household="赵六 本人 100")).content.decode()
    assert "家庭成员第1行应为“姓名,关系,月收入”三项" in text
    text = client.post(add, open_form(other, household="赵六,本人,很多")).content.decode()
    assert "月收入" in text and "应为金额" in text and "赵六,本人,很多" in text
    outside = member_factory("G1211", name="钱七")
    text = client.post("/admin/hardship/hardshipfile/add/", open_form(outside)).content.decode()
    assert "本级及下级工会没有该会员证号的会员" in text
    assert HardshipFile.objects.count() == 1


def test_pair_review_and_close_through_the_buttons(client, cadre, member_factory, tree):
    """Part 1: 帮扶计划 (一人一策), 结对 (a cadre of the union or above, chosen from the accounts in scope),
    年度复核 (note, new category, next review a year on), 退出 (reason, date, follow-up date; a follow-up before
    the exit refused in Chinese with values kept); the closed file keeps its history and loses the buttons."""
    member = member_factory(name="王五")
    file = actions.open_file(member=member, level="county", category="relative", by=cadre,
                             household=[{"name": "王五", "relation": "本人", "monthly_income": "1000"}],
                             opened_on=timezone.localdate() - datetime.timedelta(days=400))
    helper = make_cadre(tree["T111"], "approver", username="t111_helper")
    make_cadre(tree["G1211"], "operator", username="g1211_other")
    login(client, cadre)
    base = f"/admin/hardship/hardshipfile/{file.pk}"
    detail = client.get(f"{base}/change/").content.decode()
    assert f"{base}/pair/" in detail and f"{base}/review/" in detail and f"{base}/close/" in detail
    page = client.get(f"{base}/pair/").content.decode()
    assert "t111_helper" in page and "g1211_other" not in page
    assert client.post(f"{base}/pair/", {"paired_cadre": helper.pk})["Location"] == f"{base}/change/"
    text = client.post(f"{base}/plan/", {"measures": "", "responsible": helper.pk}).content.decode()
    assert "必填" in text
    client.post(f"{base}/plan/", {"measures": "申请医疗救助；子女助学", "responsible": helper.pk,
                                  "review_due": "2099-01-01"})
    text = client.post(f"{base}/review/", {"note": "", "category": "deep"}).content.decode()
    assert "必填" in text
    client.post(f"{base}/review/", {"note": "收入下降", "category": "deep"})
    text = client.post(f"{base}/close/", {"exit_reason": "relieved", "exit_on": timezone.localdate().isoformat(),
                                          "follow_up_on": "2000-01-01", "note": "已就业"}).content.decode()
    assert "返困回访日期应晚于退出日期" in text and "已就业" in text
    follow = timezone.localdate() + datetime.timedelta(days=180)
    client.post(f"{base}/close/", {"exit_reason": "relieved", "exit_on": timezone.localdate().isoformat(),
                                   "follow_up_on": follow.isoformat(), "note": "已就业"})
    file.refresh_from_db()
    assert (file.paired_cadre, file.category, file.status, file.exit_reason, file.follow_up_on) == (
        helper, "deep", "closed", "relieved", follow)
    assert list(file.events.values_list("kind", flat=True)) == ["opened", "paired", "updated", "reviewed", "closed"]
    assert (file.measures, file.responsible) == ("申请医疗救助；子女助学", helper)
    assert FileEvent.objects.get(kind="reviewed").note == "收入下降"
    detail = client.get(f"{base}/change/").content.decode()
    assert "已退出" in detail and "年度复核 · t111_operator：收入下降" in detail and f"{base}/close/" not in detail
    assert client.get(f"{base}/ledger/")["Location"] == f"/admin/ledger/entry/person/{member.pk}/"


def test_list_due_filter_search_export_and_outsiders(client, cadre, member_factory, tree):
    """Part 1: the list shows files with level and category; 复核到期 lists only files whose review date has
    come; search by member number; the export has the rows; an outside cadre sees none and gets 404 on the
    pages; the detail shows the member's approvals."""
    wang, li = member_factory(name="王五"), member_factory(name="李梅")
    due = actions.open_file(member=wang, level="city", category="deep", by=system_actor(),
                            household=[{"name": "王五", "relation": "本人", "monthly_income": "500"}])
    HardshipFile.objects.filter(pk=due.pk).update(review_due=timezone.localdate() - datetime.timedelta(days=1))
    actions.open_file(member=li, level="county", category="accident", by=system_actor(),
                      household=[{"name": "李梅", "relation": "本人", "monthly_income": "700"}])
    ledger_actions.approve(member=wang, kind=PaymentKind.objects.get(code="living"),
                           fund_source=FundSource.objects.get(code="union"), amount="600",
                           by=make_cadre(tree["T111"], "approver", username="t111_approver"))
    login(client, cadre)
    text = client.get("/admin/hardship/hardshipfile/").content.decode()
    assert "王五" in text and "李梅" in text and "意外致困" in text and "市级" in text
    text = client.get("/admin/hardship/hardshipfile/?due=1").content.decode()
    assert "王五" in text and "李梅" not in text
    text = client.get(f"/admin/hardship/hardshipfile/?q={li.member_number}").content.decode()
    assert "李梅" in text and "王五" not in text
    assert "生活救助 · 工会经费 · 600.00 元" in client.get(
        f"/admin/hardship/hardshipfile/{due.pk}/change/").content.decode()
    response = client.post("/admin/hardship/hardshipfile/", {"action": "export_xlsx", "_selected_action": [due.pk]})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][:5] == ("王五", wang.member_number, "合肥瑶海机械有限公司工会", "市级", "深度困难")

    login(client, make_cadre(tree["K12"], "operator", "org_admin", username="k12_outsider"))
    assert "王五" not in client.get("/admin/hardship/hardshipfile/").content.decode()
    for page in ("change", "pair", "review", "close", "ledger"):
        assert client.get(f"/admin/hardship/hardshipfile/{due.pk}/{page}/").status_code == 404, page
        assert client.post(f"/admin/hardship/hardshipfile/{due.pk}/{page}/", {"note": "x"}).status_code == 404
    due.refresh_from_db()
    assert not due.events.exclude(kind="opened").exists()


def test_open_file_follows_its_member_on_a_transfer(client, member_factory, tree):
    """Review finding 2 (the file was lost after a transfer): when a transfer moves the member to another union,
    the open file moves with them — an event "随会员转会移交至…" and an audit entry; the new union lists, opens
    and reviews it; the old union gets 404 on its pages and its action is refused."""
    member = member_factory("G1111", name="王五", id_number=make_id(seq=611))
    old = make_cadre(tree["K11"], "operator", "approver", username="k11_cadre")
    file = actions.open_file(member=member, level="county", category="deep", by=old,
                             household=[{"name": "王五", "relation": "本人", "monthly_income": "900"}])
    new = make_cadre(tree["G2111"], "operator", username="g2111_operator")
    transfer = member_actions.request_transfer(id_number=make_id(seq=611), name="王五", to_org=tree["G2111"], by=new)
    member_actions.decide_transfer(transfer, approve=True, by=old)
    file.refresh_from_db()
    assert file.org == tree["G2111"]
    event = file.events.get(kind="updated")
    assert (event.note, event.by, event.detail) == (
        "随会员转会移交至芜湖镜湖纺织有限公司工会", old,
        {"org": ["合肥瑶海机械有限公司工会", "芜湖镜湖纺织有限公司工会"]})
    assert AuditEntry.objects.get(action="hardship_transfer").object_id == str(file.pk)

    base = f"/admin/hardship/hardshipfile/{file.pk}"
    login(client, old)
    assert "王五" not in client.get("/admin/hardship/hardshipfile/").content.decode()
    for page in ("change", "review", "close"):
        assert client.get(f"{base}/{page}/").status_code == 404, page
    with pytest.raises(DomainError, match="没有办理"):
        actions.review(file=file, by=old, note="旧工会复核")

    login(client, new)
    assert "王五" in client.get("/admin/hardship/hardshipfile/").content.decode()
    assert f"{base}/review/" in client.get(f"{base}/change/").content.decode()
    assert client.post(f"{base}/review/", {"note": "转入后复核"})["Location"] == f"{base}/change/"
    assert file.events.get(kind="reviewed").by == new
