"""The worker portal on a phone (issue 4): sign-up with an SMS code, real-name binding and the electronic
member card checked by someone else's phone; an application through a union's poster QR code decided by
its approver in the back office; a returned application corrected and resubmitted.

The worker's pages are driven on a 375 px wide phone and must fit it: no page scrolls sideways."""

import re

import pytest
from playwright.sync_api import Page, expect

from gonghui.common.actors import system_actor
from gonghui.conftest import build_tree, make_cadre
from gonghui.members.actions import join_member
from gonghui.members.models import Member
from gonghui.members.tests.conftest import make_facts, make_id
from gonghui.portal import actions
from gonghui.portal.models import JoinApplication, QrScan
from gonghui.portal.tokens import join_token
from tests.browser.steps import fits, last_code, log_in_cadre, phone_shot, sign_in_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]








def _open_application(page: Page, name: str) -> None:
    """The approver's way in: 入会申请 in the menu, then the applicant's row."""
    page.get_by_role("link", name="入会申请").first.click()
    expect(page).to_have_url(re.compile(r"/admin/portal/joinapplication/"))
    page.locator("#result_list").get_by_role("link", name=name).click()
    expect(page).to_have_url(re.compile(r"/admin/portal/joinapplication/\d+/change/"))


def _accept(page: Page, name: str) -> None:
    _open_application(page, name)
    page.get_by_role("link", name="通过").click()
    expect(page.locator("#action-intro")).to_contain_text(f"{name}（")
    confirm = page.locator("#member-action-form button[type=submit]")
    expect(confirm).to_have_text("通过")  # the button says what it does (members/action_form.html)
    confirm.click()
    expect(page).to_have_url(re.compile(r"/admin/portal/joinapplication/\d+/change/"))
    expect(page.get_by_text("已通过，会员证号")).to_be_visible()


def _fill_application(phone: Page, *, name: str, id_number: str, mobile: str, employer: str) -> None:
    phone.fill("#id_name", name)
    phone.fill("#id_id_number", id_number)
    phone.fill("#id_mobile", mobile)
    phone.select_option("#id_ethnicity", label="汉族")
    phone.select_option("#id_household_type", label="非农业")
    phone.select_option("#id_worker_group", label="快递员")
    phone.fill("#id_employer_name", employer)


def test_worker_signs_up_binds_and_card_verifies(phone: Page, new_phone, regions, sms_outbox, screenshot):
    """Issue 4: sign-up with an SMS code, 实名绑定 to an existing member record, the electronic member card,
    and its QR code checked on another phone (no login): 有效, the masked name, the union."""
    orgs = build_tree()
    # Registered with another mobile than the one she signs in with: the binding code goes there.
    member = join_member(org=orgs["G1111"], facts=make_facts(name="王芳", id_number=make_id(seq=202),
                                                             mobile="13955550202"), by=system_actor())

    phone.goto("/w/")
    sign_in_worker(phone, sms_outbox, "13912345678")
    expect(phone).to_have_url(re.compile(r"/w/$"))
    expect(phone.locator("#membership")).to_contain_text("尚未关联会员记录")
    expect(phone.locator("#membership")).to_contain_text("139****5678")
    fits(phone)

    phone.get_by_role("link", name="我已是会员：实名绑定").click()
    expect(phone).to_have_url(re.compile(r"/w/bind/$"))
    phone.fill("#id_name", "王芳")
    phone.fill("#id_id_number", make_id(seq=202))
    phone.get_by_role("button", name="下一步").click()
    expect(phone).to_have_url(re.compile(r"/w/bind/$"))
    expect(phone.get_by_role("status")).to_contain_text("验证码已发送至会员登记手机 139****0202")
    assert sms_outbox[-1]["to"] == "13955550202"
    fits(phone)
    phone_shot(screenshot, phone, "portal-bind-code")
    phone.fill("#id_code", last_code(sms_outbox))
    phone.get_by_role("button", name="验证并绑定").click()
    expect(phone).to_have_url(re.compile(r"/w/$"))
    expect(phone.get_by_role("status")).to_contain_text("实名绑定成功")
    expect(phone.locator("#membership")).to_contain_text(member.member_number)
    expect(phone.locator("#membership")).to_contain_text("合肥瑶海机械有限公司工会")

    phone.get_by_role("navigation", name="主菜单").get_by_role("link", name="会员卡").click()
    expect(phone).to_have_url(re.compile(r"/w/card/$"))
    card = phone.locator("#member-card")
    expect(card.locator("h1")).to_have_text("王芳")
    expect(card).to_contain_text(member.member_number)
    expect(card).to_contain_text("合肥瑶海机械有限公司工会")
    expect(card.locator("#card-qr svg")).to_be_visible()
    fits(phone)
    phone_shot(screenshot, phone, "portal-card")

    verify_url = phone.locator("#card-qr").get_attribute("data-verify-url")
    assert re.search(r"/v/[^/]+/$", verify_url), verify_url
    checker = new_phone()
    checker.goto(verify_url)
    expect(checker.locator("#verdict")).to_have_text("有效")
    expect(checker.locator("#verify-name")).to_have_text("王*")
    expect(checker.locator("#verify-org")).to_have_text("合肥瑶海机械有限公司工会")
    expect(checker.locator("body")).not_to_contain_text("王芳")
    expect(checker.locator("body")).not_to_contain_text(member.member_number)
    fits(checker)
    phone_shot(screenshot, checker, "portal-verify")


def test_worker_applies_by_qr_and_approver_accepts(phone: Page, page: Page, regions, sms_outbox, screenshot):
    """Issue 4: 扫码入会 — the poster's QR code leads a worker who is not signed in through the login page
    back to the application form; the union's approver accepts it in the back office; the worker sees the
    membership, the notification and the member number on the card."""
    orgs = build_tree()
    union = orgs["G1111"]
    link = actions.join_link(union, by=system_actor())
    approver = make_cadre(union, "approver")

    phone.goto(f"/w/join/q/{join_token(link)}/")
    expect(phone).to_have_url(re.compile(r"/w/login/\?next="))
    assert QrScan.objects.filter(link=link).count() == 1
    sign_in_worker(phone, sms_outbox, "13912345679")
    # Back to the union's form, still counted as a scan (the session remembers the QR code).
    expect(phone).to_have_url(re.compile(rf"/w/join/{union.pk}/\?via=qr$"))
    expect(phone.locator(".org-name")).to_have_text("合肥瑶海机械有限公司工会")
    expect(phone.get_by_text("申请方式：扫码入会")).to_be_visible()

    _fill_application(phone, name="赵敏", id_number=make_id(seq=302), mobile="13912345679",
                      employer="合肥瑶海机械有限公司")
    fits(phone)
    phone_shot(screenshot, phone, "portal-join-form")
    phone.get_by_role("button", name="提交申请").click()
    expect(phone).to_have_url(re.compile(r"/w/applications/\d+/$"))
    expect(phone.locator("#application-status")).to_have_text("待审核")
    application = JoinApplication.objects.get()
    assert (application.name, application.channel, application.org_id) == ("赵敏", "qr", union.pk)

    log_in_cadre(page, approver)
    _accept(page, "赵敏")
    member = Member.objects.get(name="赵敏")
    assert (member.org_id, member.status) == (union.pk, Member.Status.ACTIVE)

    phone.goto("/w/")
    phone.reload()
    membership = phone.locator("#membership")
    expect(membership.locator("h2")).to_have_text("赵敏")
    expect(membership).to_contain_text(member.member_number)
    expect(membership).to_contain_text("在会")
    expect(phone.locator("#notifications")).to_contain_text("您加入合肥瑶海机械有限公司工会的申请已通过")
    expect(phone.locator("#applications")).to_contain_text("已通过")
    fits(phone)
    phone_shot(screenshot, phone, "portal-home-member")

    phone.locator("#notifications").get_by_role("link").first.click()
    expect(phone).to_have_url(re.compile(r"/w/card/$"))
    expect(phone.locator("#member-card")).to_contain_text(member.member_number)


def test_returned_application_corrected_and_resubmitted(phone: Page, page: Page, regions, sms_outbox, screenshot):
    """Issue 4: the approver returns an application with a reason; the worker reads it, corrects the
    application and resubmits it (待审核 again); the approver accepts."""
    orgs = build_tree()
    union = orgs["G1112"]
    approver = make_cadre(union, "approver")

    phone.goto(f"/w/join/{union.pk}/")
    sign_in_worker(phone, sms_outbox, "13912345670")
    expect(phone).to_have_url(re.compile(rf"/w/join/{union.pk}/$"))
    expect(phone.get_by_text("申请方式：查找工会")).to_be_visible()
    _fill_application(phone, name="钱多多", id_number=make_id(seq=402), mobile="13912345670", employer="明光路")
    phone.get_by_role("button", name="提交申请").click()
    expect(phone.locator("#application-status")).to_have_text("待审核")
    application_url = phone.url

    log_in_cadre(page, approver)
    _open_application(page, "钱多多")
    page.get_by_role("link", name="退回").click()
    page.fill("#id_reason", "工作单位请填写全称")
    confirm = page.locator("#member-action-form button[type=submit]")
    expect(confirm).to_have_text("退回")
    confirm.click()
    expect(page.get_by_text("已退回，申请人可修改后重新提交")).to_be_visible()

    phone.goto(application_url)
    expect(phone.locator("#application-status")).to_have_text("已退回")
    expect(phone.locator("#return-reason")).to_have_text("退回原因：工作单位请填写全称")
    form = phone.locator("#resubmit-form")
    expect(form.locator("#id_name")).to_have_value("钱多多")  # kept from the application
    expect(form.locator("#id_employer_name")).to_have_value("明光路")
    # The ID number is never put back into a page: the worker types it again.
    expect(form.locator("#id_id_number")).to_have_value("")
    form.locator("#id_id_number").fill(make_id(seq=402))
    form.locator("#id_employer_name").fill("合肥明光路商贸有限公司")
    fits(phone)
    phone_shot(screenshot, phone, "portal-application-returned")
    form.get_by_role("button", name="重新提交").click()
    expect(phone.get_by_role("status")).to_contain_text("已重新提交")
    expect(phone.locator("#application-status")).to_have_text("待审核")
    expect(phone.locator("#resubmit-form")).to_have_count(0)
    expect(phone.locator(".timeline")).to_contain_text("修改后重新提交")

    page.goto("/admin/")
    _accept(page, "钱多多")
    application = JoinApplication.objects.get()
    assert (application.status, application.employer_name) == ("accepted", "合肥明光路商贸有限公司")
    phone.reload()
    expect(phone.locator("#application-status")).to_have_text("已通过")


def test_application_error_keeps_what_was_typed(phone: Page, regions, sms_outbox, screenshot):
    """A wrong ID check digit: the error shows under 身份证号, and what the worker typed stays in the form."""
    orgs = build_tree()
    union = orgs["G1111"]
    good = make_id(seq=502)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")

    phone.goto(f"/w/join/{union.pk}/")
    sign_in_worker(phone, sms_outbox, "13912345671")
    _fill_application(phone, name="孙丽", id_number=wrong, mobile="13912345671", employer="合肥瑶海机械有限公司")
    phone.get_by_role("button", name="提交申请").click()
    expect(phone).to_have_url(re.compile(rf"/w/join/{union.pk}/$"))
    field = phone.locator(".field", has=phone.locator("#id_id_number"))
    expect(field).to_have_class(re.compile(r"\binvalid\b"))
    expect(field.locator(".error")).to_contain_text("校验")
    expect(phone.locator("#id_name")).to_have_value("孙丽")
    expect(phone.locator("#id_employer_name")).to_have_value("合肥瑶海机械有限公司")
    expect(phone.locator("#id_worker_group")).to_have_value("courier")
    assert not JoinApplication.objects.exists()
    fits(phone)
    phone_shot(screenshot, phone, "portal-join-form-error")
