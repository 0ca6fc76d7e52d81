"""The online service hall (issue 5) on a phone and in the back office: a bound member files 困难职工帮扶申请
with a PDF; the grassroots union's operator accepts it (受理), its approver reviews it (审核), the county
federation's approver approves it (审批); the worker follows each step on the application page and rates
the service.

The worker's pages are driven on a 375 px wide phone and must fit it: no page scrolls sideways."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from gonghui.common.actors import system_actor
from gonghui.conftest import build_tree, make_cadre
from gonghui.hall.models import Application
from gonghui.members.actions import join_member
from gonghui.members.tests.conftest import make_facts, make_id
from tests.browser.steps import (
    bind_member,
    desk_shot,
    detail_button,
    fits,
    hall_act,
    log_in_cadre,
    open_from_queue,
    pdf,
    phone_shot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEM = "困难职工帮扶申请"


def _history(phone: Page) -> list[str]:
    """The states the application page's history lists, in order (each line: time, state · union…)."""
    return [re.match(r"\S+ \S+ (\S+)", line).group(1) for line in phone.locator("#hall-history li").all_inner_texts()]


def test_worker_files_hardship_aid_three_levels_decide_and_worker_rates(
        phone: Page, page: Page, new_desk, regions, hall_items, sms_outbox, screenshot, settings, tmp_path):
    """Issue 5, "Done when": 困难职工帮扶申请 with a PDF on the phone; 受理 and 审核 by the grassroots union,
    审批 by the county federation in the back office; the worker sees each step and rates the service."""
    settings.MEDIA_ROOT = tmp_path / "media"
    orgs = build_tree()
    union, county = orgs["G1111"], orgs["K11"]
    # Her registered mobile is the one she signs in with: binding needs no second code.
    member = join_member(org=union, facts=make_facts(name="王芳", id_number=make_id(seq=612), mobile="13912346612"),
                         by=system_actor())
    operator, reviewer = make_cadre(union, "operator"), make_cadre(union, "approver")
    county_approver = make_cadre(county, "approver")
    proof = tmp_path / "诊断证明.pdf"
    proof.write_bytes(pdf())

    # The worker signs in, binds the member record, and opens the item from the hall.
    bind_member(phone, sms_outbox, "13912346612", name="王芳", id_number=make_id(seq=612),
                member_number=member.member_number)
    phone.goto("/w/hall/")
    fits(phone)
    phone.locator("#items").get_by_role("link", name=ITEM).click()
    expect(phone).to_have_url(re.compile(r"/w/hall/items/hardship_aid/$"))
    expect(phone.locator("#guide")).to_contain_text("受理 → 审核 → 审批")

    phone.fill("#id_name", "王芳")
    phone.select_option("#id_category", label="因病致困")
    phone.fill("#id_household_size", "3")
    phone.fill("#id_monthly_income", "2400")
    phone.fill("#id_reason", "爱人住院，医疗费用负担重。")
    phone.set_input_files("#id_file_proof", str(proof))
    assert phone.locator("#id_file_proof").evaluate("input => input.files[0].name") == "诊断证明.pdf"
    fits(phone)
    phone_shot(screenshot, phone, "hall-apply")
    phone.get_by_role("button", name="提交申请").click()
    expect(phone).to_have_url(re.compile(r"/w/hall/\d+/$"))
    app = Application.objects.get()
    expect(phone.get_by_role("status")).to_contain_text(f"已提交，受理编号 {app.number}")
    expect(phone.locator("#hall-status")).to_have_text("已提交")
    expect(phone.locator("#hall-application")).to_contain_text("合肥瑶海机械有限公司工会")
    expect(phone.locator("#hall-application").get_by_role("link", name="诊断证明.pdf")).to_be_visible()
    attachment = app.attachments.get()
    assert (attachment.kind, attachment.size, app.handling_org_id) == ("pdf", len(pdf()), union.pk)
    assert (Path(settings.MEDIA_ROOT) / attachment.path).read_bytes() == pdf()
    fits(phone)
    application_url = phone.url

    # 受理: the grassroots union's operator, from 待我办理.
    log_in_cadre(page, operator)
    page.goto("/admin/hall/application/?mine=1")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(app.number)
    expect(rows.first).to_contain_text(ITEM)
    expect(rows.first).to_contain_text("王芳")
    expect(rows.first).to_contain_text("受理")  # the current step
    desk_shot(screenshot, page, "hall-queue")
    open_from_queue(page, app.number)
    for label in ("受理", "退回补正", "不予受理", "转办", "上报"):
        expect(detail_button(page, label)).to_be_visible()
    expect(detail_button(page, "审批通过")).to_have_count(0)  # not at 受理
    expect(page.locator("body")).to_contain_text("爱人住院，医疗费用负担重。")
    desk_shot(screenshot, page, "hall-detail")
    with page.expect_download() as download:  # the cadre opens the material the worker attached
        page.get_by_role("link", name="诊断证明.pdf").click()
    assert Path(download.value.path()).read_bytes() == pdf()
    hall_act(page, "受理", "材料齐全，予以受理。")
    app.refresh_from_db()
    assert (app.status, app.step_name, app.handling_org_id) == ("accepted", "审核", union.pk)
    page.goto("/admin/hall/application/?mine=1")
    expect(rows).to_have_count(0)  # 审核 is the approver's: off the operator's queue

    phone.goto(application_url)
    expect(phone.locator("#hall-status")).to_have_text("已受理")
    expect(phone.locator("#hall-history")).to_contain_text("材料齐全，予以受理。")

    # 审核: the grassroots union's approver; the application moves up to the county federation.
    reviewer_page = new_desk()
    log_in_cadre(reviewer_page, reviewer)
    open_from_queue(reviewer_page, app.number)
    hall_act(reviewer_page, "审核通过", "情况属实，同意上报。")
    app.refresh_from_db()
    assert (app.status, app.step_name, app.handling_org_id) == ("in_progress", "审批", county.pk)

    phone.reload()
    expect(phone.locator("#hall-status")).to_have_text("办理中")
    expect(phone.locator("#hall-application")).to_contain_text("瑶海区总工会")

    # 审批: the county federation's approver.
    county_page = new_desk()
    log_in_cadre(county_page, county_approver)
    open_from_queue(county_page, app.number)
    hall_act(county_page, "审批通过", "同意帮扶。")
    app.refresh_from_db()
    assert (app.status, app.step_role) == ("completed", "")

    # The worker sees every step, and rates the service.
    phone.reload()
    expect(phone.locator("#hall-status")).to_have_text("已办结")
    history = _history(phone)
    for state in ("已提交", "已受理", "办理中", "已办结"):
        assert state in history, history
    assert history.index("已提交") < history.index("已受理") < history.index("办理中") < history.index("已办结")
    expect(phone.locator("#hall-history")).to_contain_text("同意帮扶。")
    rating = phone.locator("#rating-form")
    rating.locator("#id_rating").select_option(label="★★★★★")
    rating.locator("#id_comment").fill("办理很快，谢谢。")
    rating.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_role("status")).to_contain_text("感谢您的评价")
    expect(phone.locator("#rated")).to_have_text("您的评价：5 星（办理很快，谢谢。）")
    expect(phone.locator("#rating-form")).to_have_count(0)
    app.refresh_from_db()
    assert (app.rating, app.rating_comment) == (5, "办理很快，谢谢。")
    fits(phone)
    phone_shot(screenshot, phone, "hall-application")
