"""Steps the browser journeys share: a worker signing in with an SMS code on the phone and binding their
member record, a cadre logging in with password and authenticator code, the phone pages' width check and
screenshots, back-office screenshots and detail buttons, and a hall application handled from 待我办理."""

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


def bind_member(phone: Page, outbox, mobile: str, *, name: str, id_number: str, member_number: str,
                registered: str | None = None) -> None:
    """A new worker signs in on /w/bind/ and binds the member record by name and ID number; when the record's
    `registered` mobile is not the sign-in `mobile`, with the code sent to the registered mobile."""
    phone.goto("/w/bind/")
    sign_in_worker(phone, outbox, mobile)
    expect(phone).to_have_url(re.compile(r"/w/bind/$"))
    phone.fill("#id_name", name)
    phone.fill("#id_id_number", id_number)
    phone.get_by_role("button", name="下一步").click()
    if registered and registered != mobile:
        expect(phone.get_by_role("status")).to_contain_text(
            f"验证码已发送至会员登记手机 {registered[:3]}****{registered[-4:]}")
        assert outbox[-1]["to"] == registered
        phone.fill("#id_code", last_code(outbox))
        phone.get_by_role("button", name="验证并绑定").click()
    expect(phone.locator("#membership")).to_contain_text(member_number)


def pdf() -> bytes:
    """A small, well-formed one-page PDF (catalogue, pages, page, content stream, font; a correct xref table),
    so that the file attached is one a PDF reader opens, not just the five magic bytes."""
    stream = b"BT /F1 18 Tf 72 720 Td (Diagnosis certificate) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def desk_shot(screenshot, page: Page, name: str) -> None:
    """A back-office page whole, with the window made as tall as the page first: the sidebar and the detail
    page's footer (关闭) are fixed to the window, and a full-page capture of a taller page draws them where
    the window was, across the middle."""
    viewport = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
    screenshot(page, name)
    page.set_viewport_size(viewport)


def detail_button(page: Page, label: str):
    """A button of an admin detail page, by its whole label (its icon's name comes first; 受理 is also the
    end of 不予受理)."""
    return page.get_by_role("link", name=re.compile(rf"(^|\s){label}$"))


def open_from_queue(page: Page, number: str) -> None:
    """A hall handler's way in: 待我办理, then the application's row."""
    page.goto("/admin/hall/application/?mine=1")
    page.locator("#result_list").get_by_role("link", name=number).click()
    expect(page).to_have_url(re.compile(r"/admin/hall/application/\d+/change/"))


def hall_act(page: Page, label: str, opinion: str) -> None:
    """A hall application's detail button, then its confirmation page: the opinion, and the submit button
    named like the action."""
    detail_button(page, label).click()
    expect(page).to_have_url(re.compile(r"/admin/hall/application/\d+/\w+/$"))
    page.fill("#id_note", opinion)
    confirm = page.locator("#hall-act-form button[type=submit]")
    expect(confirm).to_have_text(label)
    confirm.click()
    expect(page).to_have_url(re.compile(r"/admin/hall/application/\d+/change/$"))
    expect(page.get_by_text(f"已{label}。")).to_be_visible()
