"""Steps the browser journeys share: a worker signing in with an SMS code on the phone, a cadre logging in
with password and authenticator code, and the phone pages' width check and screenshots."""

import re

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from gonghui.conftest import PASSWORD

PHONE_WIDTH = 375


def fits(page: Page) -> None:
    """The page fits the phone's width: nothing to scroll sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, page.url


def phone_shot(screenshot, page: Page, name: str) -> None:
    """A full-page screenshot taken from the bottom of the page: the tab bar is `position: fixed`, and a
    full-page capture draws it where the viewport was, across the middle of a long form otherwise. The
    last box typed in is blurred, so that its focus ring is not taken for an error."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    screenshot(page, name)


def last_code(outbox) -> str:
    return re.search(r"验证码是(\d{6})", outbox[-1]["text"]).group(1)


def sign_in_worker(phone: Page, outbox, mobile: str) -> None:
    """On the login page: ask for a code (htmx answers under the form), type it, 登录."""
    expect(phone).to_have_url(re.compile(r"/w/login/"))
    phone.fill("#id_mobile", mobile)
    phone.get_by_role("button", name="获取验证码").click()
    expect(phone.locator("#code-status")).to_contain_text("验证码已发送")
    assert outbox[-1]["to"] == mobile
    phone.fill("#id_code", last_code(outbox))
    phone.get_by_role("button", name="登录", exact=True).click()


def log_in_cadre(page: Page, user) -> None:
    """Password, then the authenticator's code, as in test_cadre_journey."""
    device = TOTPDevice.objects.get(user=user)
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.fill("#id_token", f"{code:0{device.digits}d}")
    page.locator("#two-factor-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
