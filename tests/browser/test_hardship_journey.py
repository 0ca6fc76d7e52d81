"""Hardship files and the aid ledger (issue 6) in the browser: a worker's 困难职工帮扶申请, approved through the
hall, becomes a 困难职工档案; the county federation sets its plan (一人一策) and pairs a cadre; its approver
approves a 送温暖 bulk payment for two households on file, another cadre records it paid (审批与发放登记分离),
and the person's ledger (个人帮扶台账) shows the payment and the year's total."""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from gonghui.accounts.models import User
from gonghui.common.actors import system_actor
from gonghui.conftest import build_tree, make_cadre
from gonghui.hall.models import Application
from gonghui.hardship import actions as hardship
from gonghui.hardship.models import HardshipFile
from gonghui.ledger.models import Approval, Disbursement, Entry
from gonghui.members.actions import join_member
from gonghui.members.tests.conftest import make_facts, make_id
from tests.browser.steps import (
    bind_member,
    desk_shot,
    detail_button,
    hall_act,
    log_in_cadre,
    open_from_queue,
    pdf,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def aid_config(hall_items):
    """What migrations install and a transactional test's flush empties, put back: the ledger's 帮扶类别 and
    资金来源 (ledger 0002), and 困难职工帮扶申请's effect of opening a file once approved (hardship 0002)."""
    importlib.import_module("gonghui.ledger.migrations.0002_kinds_and_sources").seed(apps, None)
    importlib.import_module("gonghui.hardship.migrations.0002_hall_effect").open_files_on_approval(apps, None)


def _cadre(org, role: str, full_name: str) -> User:
    user = make_cadre(org, role)
    User.objects.filter(pk=user.pk).update(full_name=full_name)
    user.full_name = full_name
    return user


def _cells(rows) -> list[list[str]]:
    """A table's rows, each as the text of its cells."""
    return [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in rows.all()]


def _file_action(page: Page, label: str, form: dict, submit: str) -> None:
    """A hardship file's detail button, its confirmation page filled (`#id_<field>`: value; a select by its
    option's label), submitted; back on the file's page."""
    detail_button(page, label).click()
    expect(page).to_have_url(re.compile(r"/admin/hardship/hardshipfile/\d+/\w+/$"))
    for field, value in form.items():
        box = page.locator(f"#id_{field}")
        if box.evaluate("e => e.tagName") == "SELECT":
            box.select_option(label=value)
        else:
            box.fill(value)
    page.locator("#hardship-action-form").get_by_role("button", name=submit).click()
    expect(page).to_have_url(re.compile(r"/admin/hardship/hardshipfile/\d+/change/$"))


def test_hardship_application_becomes_file_plan_pair_then_warmth_bulk_payment_on_the_ledger(
        phone: Page, page: Page, new_desk, regions, aid_config, sms_outbox, screenshot, settings, tmp_path):
    """Issue 6, "Done when": a hardship application through the hall becomes a file, a plan and a paired
    cadre; a 送温暖 bulk payment; the person's ledger shows it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    orgs = build_tree()
    union, county = orgs["G1111"], orgs["K11"]
    # Her registered mobile is the one she signs in with: binding needs no second code.
    wang = join_member(org=union, facts=make_facts(name="王芳", id_number=make_id(seq=612), mobile="13912346612"),
                       by=system_actor())
    li = join_member(org=orgs["G1112"], facts=make_facts(name="李强", id_number=make_id(seq=613)), by=system_actor())
    operator, reviewer = _cadre(union, "operator", "周敏"), _cadre(union, "approver", "吴刚")
    county_approver = _cadre(county, "approver", "郑丽")
    county_operator = _cadre(county, "operator", "陈晨")  # keeps the files; records payments
    li_file = hardship.open_file(member=li, level="county", category=HardshipFile.Category.DEEP, by=system_actor(),
                                 household=[{"name": "李强", "relation": "本人", "monthly_income": "1500"}])
    proof = tmp_path / "诊断证明.pdf"
    proof.write_bytes(pdf())
    today = timezone.localdate()

    # The worker files 困难职工帮扶申请 on the phone.
    bind_member(phone, sms_outbox, "13912346612", name="王芳", id_number=make_id(seq=612),
                member_number=wang.member_number)
    phone.goto("/w/hall/items/hardship_aid/")
    expect(phone.locator("#guide")).to_contain_text("审批通过后建立困难职工档案")
    phone.fill("#id_name", "王芳")
    phone.select_option("#id_category", label="因病致困")
    phone.fill("#id_household_size", "3")
    phone.fill("#id_monthly_income", "2400")
    phone.fill("#id_reason", "爱人住院，医疗费用负担重。")
    phone.set_input_files("#id_file_proof", str(proof))
    phone.get_by_role("button", name="提交申请").click()
    expect(phone).to_have_url(re.compile(r"/w/hall/\d+/$"))
    app = Application.objects.get()

    # 受理 and 审核 by the grassroots union, 审批 by the county federation: the file is opened.
    log_in_cadre(page, operator)
    open_from_queue(page, app.number)
    hall_act(page, "受理", "材料齐全，予以受理。")
    reviewer_page = new_desk()
    log_in_cadre(reviewer_page, reviewer)
    open_from_queue(reviewer_page, app.number)
    hall_act(reviewer_page, "审核通过", "情况属实，同意上报。")
    approver_page = new_desk()
    log_in_cadre(approver_page, county_approver)
    open_from_queue(approver_page, app.number)
    hall_act(approver_page, "审批通过", "同意帮扶，建档。")
    app.refresh_from_db()
    assert app.status == "completed"
    file = HardshipFile.objects.get(member=wang)
    assert (file.source_application_id, file.status, file.level, file.org_id, file.per_capita_income) == (
        app.pk, "open", "county", union.pk, 800)  # 2400 元 for 3 people
    assert file.household.count() == 3

    # The county federation's file keeper finds it in 困难职工档案.
    desk = new_desk()
    log_in_cadre(desk, county_operator)
    desk.goto("/admin/hardship/hardshipfile/")
    rows = desk.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    row = rows.filter(has_text=wang.member_number)
    expect(row).to_contain_text("王芳")
    expect(row).to_contain_text("合肥瑶海机械有限公司工会")
    expect(row).to_contain_text("县级")
    expect(row).to_contain_text("800.00")
    row.get_by_role("link", name="王芳").click()
    expect(desk).to_have_url(re.compile(rf"/admin/hardship/hardshipfile/{file.pk}/change/$"))
    expect(desk.locator("body")).to_contain_text(app.number)  # 来源申请

    # 帮扶计划 (一人一策) and 结对, each through its confirmation page.
    review_on = today + datetime.timedelta(days=180)
    measures = "申请医疗救助；春节送温暖；协调爱人医保二次报销。"
    _file_action(desk, "帮扶计划", {"measures": measures, "responsible": str(operator),
                                    "review_due": f"{review_on:%Y-%m-%d}"}, "保存计划")
    expect(desk.get_by_text("已更新帮扶计划（一人一策）。")).to_be_visible()
    _file_action(desk, "结对", {"paired_cadre": str(reviewer)}, "确认结对")
    expect(desk.get_by_text(f"已确定结对帮扶干部：{reviewer}。")).to_be_visible()
    file.refresh_from_db()
    assert (file.measures, file.responsible_id, file.paired_cadre_id, file.review_due) == (
        measures, operator.pk, reviewer.pk, review_on)
    body = desk.locator("body")
    for shown in (measures, str(operator), str(reviewer), f"{review_on.year}年{review_on.month}月{review_on.day}日"):
        expect(body).to_contain_text(shown)
    desk_shot(screenshot, desk, "hardship-file")
    file_url = desk.url

    # 批量发放: the county approver lists both households; the preview shows every line, then one confirmation.
    title = f"{today.year}年春节送温暖"
    approver_page.goto("/admin/ledger/disbursement/add/")
    approver_page.fill("#id_title", title)
    approver_page.select_option("#id_kind", label="送温暖")
    approver_page.select_option("#id_fund_source", label="工会经费")
    approver_page.fill("#id_amount_each", "500")
    approver_page.fill("#id_member_numbers", f"{wang.member_number}\n{li.member_number}")
    approver_page.get_by_role("button", name="预览").click()
    expect(approver_page.locator("#preview-summary")).to_have_text("预览：共 2 人，每人 500.00 元，合计 1000.00 元。")
    lines = approver_page.locator("#ledger-preview tbody tr")
    expect(lines).to_have_count(2)
    assert _cells(lines) == [  # name, number, union, amount, problem, warning
        ["王芳", wang.member_number, "合肥瑶海机械有限公司工会", "500.00", "", ""],
        ["李强", li.member_number, "明光路商圈联合工会", "500.00", "", ""]]
    desk_shot(screenshot, approver_page, "ledger-bulk-preview")
    assert not Disbursement.objects.exists()  # a preview writes nothing
    approver_page.get_by_role("button", name="确认批量发放审批").click()
    expect(approver_page).to_have_url(re.compile(r"/admin/ledger/disbursement/\d+/change/$"))
    expect(approver_page.get_by_text(f"已审批批量发放“{title}”：2人，待另一位经办人登记发放。")).to_be_visible()
    batch = Disbursement.objects.get()
    assert (batch.title, batch.kind.code, batch.fund_source.code, batch.amount_each, batch.status) == (
        title, "warmth", "union", 500, "approved")
    assert sorted(batch.approvals.values_list("member__name", "hardship_file_id")) == [
        ("李强", li_file.pk), ("王芳", file.pk)]
    expect(detail_button(approver_page, "登记发放")).to_have_count(0)  # the approver does not record

    # 登记发放 by the county operator, a different person: one confirmation for the whole batch.
    desk.goto("/admin/ledger/disbursement/")
    desk.locator("#result_list").get_by_role("link", name=title).click()
    detail_button(desk, "登记发放").click()
    expect(desk.locator("#action-intro")).to_contain_text("送温暖 · 工会经费 · 每户 500.00 元 · 2人，合计 1000.00 元")
    expect(desk.locator("#id_paid_on"), "发放日期 defaults to today: a date box takes only YYYY-MM-DD").to_have_value(
        f"{today:%Y-%m-%d}")
    desk.locator("#ledger-action-form").get_by_role("button", name="确认整批已发放").click()
    expect(desk).to_have_url(re.compile(rf"/admin/ledger/disbursement/{batch.pk}/change/$"))
    expect(desk.get_by_text("已登记发放 2 笔，合计 1000.00 元。")).to_be_visible()
    entries = Entry.objects.order_by("member__name")
    assert [(e.member.name, e.kind.code, e.amount, e.paid_on, e.approved_by_id, e.recorded_by_id)
            for e in entries] == [
        ("李强", "warmth", 500, today, county_approver.pk, county_operator.pk),
        ("王芳", "warmth", 500, today, county_approver.pk, county_operator.pk)]
    assert set(Approval.objects.values_list("status", flat=True)) == {"paid"}
    batch.refresh_from_db()
    assert batch.status == "paid"

    # The person's ledger, from the file page.
    desk.goto(file_url)
    expect(desk.locator("body")).to_contain_text("送温暖 · 工会经费 · 500.00 元 · 瑶海区总工会 · 已发放")
    desk.get_by_role("link", name="查看个人帮扶台账").click()
    expect(desk).to_have_url(re.compile(rf"/admin/ledger/entry/person/{wang.pk}/$"))
    year = desk.locator(f"#person-years tr[data-year='{today.year}']")
    assert _cells(year)[0] == [f"{today.year}年", "500.00", "送温暖 500.00 元"]
    expect(desk.locator("#person-total")).to_have_text("500.00")
    ledger_rows = desk.locator("#person-entries tbody tr")
    expect(ledger_rows).to_have_count(1)
    assert _cells(ledger_rows) == [  # date, kind, source, union, amount, approver, recorder, mark, note
        [f"{today:%Y-%m-%d}", "送温暖", "工会经费", "瑶海区总工会", "500.00", "郑丽", "陈晨", "", ""]]
    desk_shot(screenshot, desk, "ledger-person")
