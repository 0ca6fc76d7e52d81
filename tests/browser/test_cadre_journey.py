"""The first journey: a county cadre logs in with two-factor, browses its subtree, and reaches
nothing of another county, not even by typing its URLs."""

import base64
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from gonghui.accounts.actions import create_cadre
from gonghui.common.actors import system_actor
from gonghui.conftest import PASSWORD, build_tree, make_cadre

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_FOUND = "页面不存在或您无权访问"


def _code(key: bytes, device: TOTPDevice) -> str:
    return f"{totp(key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def _log_in(page: Page, username: str) -> None:
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))


def test_cadre_journey_subtree_only(page: Page, regions, screenshot):
    orgs = build_tree()
    cadre = make_cadre(orgs["K11"], "operator", "approver", "org_admin")
    device = TOTPDevice.objects.get(user=cadre)

    _log_in(page, cadre.username)
    screenshot(page, "login-two-factor")
    page.fill("#id_token", _code(device.bin_key, device))
    page.locator("#two-factor-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#nav-sidebar, nav").first).to_contain_text("工会组织")
    screenshot(page, "admin-index-county-cadre")

    page.goto("/admin/orgs/org/tree/")
    tree = page.locator("#org-tree")
    expect(tree).to_contain_text("瑶海区总工会")
    expect(tree).to_contain_text("明光路街道总工会")
    expect(tree).not_to_contain_text("合肥瑶海机械有限公司工会")
    tree.locator("li[data-org='T111'] button[title='展开下级']").click()
    expect(tree.locator("li[data-org='G1111']")).to_contain_text("合肥瑶海机械有限公司工会")
    expect(tree).to_contain_text("明光路商圈联合工会")
    screenshot(page, "org-tree-expanded")

    page.goto("/admin/orgs/org/")
    results = page.locator("#result_list")
    for name in ("瑶海区总工会", "明光路街道总工会", "合肥瑶海机械有限公司工会", "明光路商圈联合工会"):
        expect(results).to_contain_text(name)
    # 合肥市总工会 shows only as the parent of K11, never as a row of its own.
    for name in ("庐阳区总工会", "三孝口街道总工会", "合肥庐阳食品有限公司工会", "镜湖区总工会"):
        expect(results).not_to_contain_text(name)
    expect(results.locator("tbody tr")).to_have_count(4)
    screenshot(page, "org-changelist-county-cadre")

    response = page.goto(f"/admin/orgs/org/{orgs['K12'].pk}/change/")
    assert response.status == 404
    expect(page.locator("body")).to_contain_text(NOT_FOUND)
    expect(page.locator("body")).not_to_contain_text("庐阳区总工会")
    screenshot(page, "not-found-other-county")

    response = page.goto(f"/admin/orgs/org/tree/?parent={orgs['K21'].pk}")
    assert response.status == 404
    expect(page.locator("body")).to_contain_text(NOT_FOUND)
    expect(page.locator("body")).not_to_contain_text("范罗山街道总工会")
    page.get_by_role("link", name="返回管理后台首页").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_two_factor_wrong_code_rejected(page: Page, regions, screenshot):
    orgs = build_tree()
    cadre = make_cadre(orgs["K11"], "operator")
    device = TOTPDevice.objects.get(user=cadre)
    wrong = f"{(int(_code(device.bin_key, device)) + 500_000) % 1_000_000:06d}"

    _log_in(page, cadre.username)
    page.fill("#id_token", wrong)
    page.locator("#two-factor-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    expect(page.locator("#two-factor-form")).to_contain_text("验证码不正确")
    screenshot(page, "two-factor-wrong-code")
    page.goto("/admin/orgs/org/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))


def test_first_login_enrols_two_factor_then_changes_password(page: Page, regions, screenshot):
    """A new cadre's first login: enrol an authenticator (QR code and secret), then replace the
    initial password before reaching the back office."""
    orgs = build_tree()
    cadre = create_cadre(username="new_k11_operator", password=PASSWORD, org=orgs["K11"], roles={"operator"},
                         by=system_actor())

    _log_in(page, cadre.username)
    expect(page.locator("#enrol svg")).to_be_visible()
    secret = page.locator("#otp-secret").inner_text()
    screenshot(page, "two-factor-enrolment")

    device = TOTPDevice.objects.get(user=cadre, confirmed=False)
    key = base64.b32decode(secret.replace(" ", ""))
    assert key == device.bin_key
    page.fill("#id_token", _code(key, device))
    page.locator("#two-factor-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/password_change/$"))
    expect(page.locator("#must-change")).to_be_visible()
    device.refresh_from_db()
    assert device.confirmed
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "Xin#Mima2026k11")
    page.fill("#id_new_password2", "Xin#Mima2026k11")
    screenshot(page, "first-login-change-password")
    page.locator("#password-change-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_text("密码已修改")).to_be_visible()
    cadre.refresh_from_db()
    assert cadre.check_password("Xin#Mima2026k11") and not cadre.must_change_password
