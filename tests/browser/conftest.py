"""Browser tests: pytest-django's live server driven through Playwright by Debian's chromium.

Debian's chromium is used instead of Playwright's own download (`playwright install` is never
run): CI installs it with `apt-get install -y chromium fonts-wqy-microhei`, the fonts so that
Chinese renders in the screenshots. Screenshots go to docs/screenshots/.
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from gonghui.common.regions import load_regions

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _chromium() -> str | None:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    return path if os.access(path, os.X_OK) else None


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail(
                "CI 必须能运行浏览器测试，但未找到 Debian chromium：apt-get install -y chromium fonts-wqy-microhei",
                pytrace=False,
            )
        pytest.skip("未找到 Debian chromium：apt-get install -y chromium fonts-wqy-microhei")
    # Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses ORM
    # calls from a thread with a running loop. The tests' own ORM calls (building data, flushing
    # the database afterwards) are ordinary synchronous code, so the check is lifted while the
    # browser is up.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) on the back-office viewport, pointed at the live server."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def regions(transactional_db):
    """Transactional tests start from an emptied database, including the GB/T 2260 reference table
    the data migration loaded; put it back before building orgs (which validate region codes).
    Transactional tests run after all others (pytest-django orders them last), so the table emptied
    after the last of them is never seen by a test that needs it."""
    load_regions()


@pytest.fixture
def screenshot():
    """screenshot(page, name): save the whole page to docs/screenshots/<name>.png."""

    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sms_outbox(settings):
    """Text messages go to `gonghui.accounts.sms.outbox`, emptied for each test. gonghui/conftest.py's
    autouse fixture of the same name covers only the tests under gonghui/; the live server runs in this
    process, so the codes it sends land in the same list."""
    from gonghui.accounts import sms

    settings.SMS_BACKEND = "gonghui.accounts.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def new_phone(browser, live_server):
    """new_phone() -> a page in a fresh context (no cookies) on a phone-sized screen: the worker pages
    are mobile first. Each call is another phone, e.g. the one that scans a member's card."""
    contexts = []

    def make():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
            device_scale_factor=2, locale="zh-CN", timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_phone):
    """A worker's phone: 375×812 CSS pixels, touch, zh-CN."""
    return new_phone()


@pytest.fixture
def hall_items(transactional_db):
    """The service hall's default catalogue (困难职工帮扶申请 and the rest), which migration 0002 installs and
    a transactional test's flush empties: put back, as `regions` does for the region table."""
    from gonghui.hall import catalogue
    from gonghui.hall.models import ItemVersion, ServiceItem

    catalogue.install(ServiceItem, ItemVersion)


@pytest.fixture
def new_desk(browser, live_server):
    """new_desk() -> a page in a fresh context (no cookies) on the back-office viewport: another cadre at
    another desk, so that each one logs in with their own two-factor session."""
    contexts = []

    def make():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 800}, locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
