"""Past aid payments imported in the browser (issue 13 part 5): a county operator opens 导入历史发放记录 from the
sidebar, uploads last spring's payments, sees what was imported and the row refused (a union outside the
county), finds the entries in the ledger under the 历史导入 filter, and the county's aid figures now count
them; the same file again adds nothing."""

import datetime
import importlib
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from gonghui.accounts.models import User
from gonghui.common.actors import system_actor
from gonghui.common.excel import build_workbook
from gonghui.conftest import build_tree, make_cadre
from gonghui.hardship import aid_history
from gonghui.ledger.models import Entry
from gonghui.members.actions import join_member
from gonghui.members.tests.conftest import make_facts, make_id
from gonghui.stats.registry import compute
from tests.browser.steps import desk_shot, log_in_cadre

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def aid_kinds(transactional_db):
    """The ledger's 帮扶类别 and 资金来源, which migration 0002 installs and a transactional test's flush empties."""
    importlib.import_module("gonghui.ledger.migrations.0002_kinds_and_sources").seed(apps, None)


def _upload(page: Page, data: bytes) -> None:
    page.set_input_files("#id_file", files=[{"name": "2026年上半年帮扶发放.xlsx", "mimeType": XLSX, "buffer": data}])
    page.get_by_role("button", name="上传并导入").click()
    expect(page).to_have_url(re.compile(r"/admin/hardship/hardshipfile/import/history/\d+/$"))


def test_history_import_counts_in_the_figures_and_is_marked_in_the_ledger(page: Page, regions, aid_kinds,
                                                                         screenshot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    orgs = build_tree()
    ids = {"王芳": make_id(seq=712), "李强": make_id(seq=713)}
    for name, org in (("王芳", "G1111"), ("李强", "G1112")):
        join_member(org=orgs[org], facts=make_facts(name=name, id_number=ids[name]), by=system_actor())
    operator = make_cadre(orgs["K11"], "operator", username="k11_history")
    User.objects.filter(pk=operator.pk).update(full_name="赵会计")
    year = timezone.localdate().year
    paid = [datetime.date(year, 1, 20), datetime.date(year, 1, 21)]
    if paid[1] > timezone.localdate():  # the first days of January: last year's, so never in the future
        paid = [d.replace(year=year - 1) for d in paid]
    data = build_workbook("历史帮扶发放记录", aid_history.TEMPLATE_COLUMNS, [
        ["王芳", ids["王芳"], "送温暖", "1000", paid[0].isoformat(), "工会经费", "G1111", "春节送温暖"],
        ["王芳", ids["王芳"], "医疗救助", "5,200.50", paid[1].isoformat(), "中央财政帮扶资金", "K11", ""],
        ["李强", ids["李强"], "生活救助", "2400", paid[1].isoformat(), "省级财政", "G1112", ""],
        ["李强", ids["李强"], "生活救助", "600", paid[1].isoformat(), "省级财政", "K21", ""],
    ])

    log_in_cadre(page, operator)
    page.get_by_role("link", name="导入历史发放记录").first.click()
    expect(page).to_have_url(re.compile(r"/admin/hardship/hardshipfile/import/history/$"))
    expect(page.get_by_text("历史导入").first).to_be_visible()
    _upload(page, data)
    expect(page.get_by_text("导入 3 笔历史发放")).to_be_visible()
    expect(page.get_by_text("本工会及下级工会中没有组织代码为 K21 的工会。")).to_be_visible()
    desk_shot(screenshot, page, "aid-history-import")

    page.goto("/admin/ledger/entry/?is_history__exact=1")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#result_list")).to_contain_text("历史导入")
    expect(page.locator("#result_list")).to_contain_text("5200.50")
    desk_shot(screenshot, page, "ledger-history-entries")

    period = (datetime.date(paid[0].year, 1, 1), timezone.localdate())
    figures = compute(orgs["K11"], *period, prefix="hardship.")
    # 1,000 + 5,200.50 + 2,400 元 = 8,600.50 元 = 0.86 万元, to two people
    assert (figures["hardship.aid_amount"], figures["hardship.helped"]) == (Decimal("0.86"), 2)

    page.goto("/admin/hardship/hardshipfile/import/history/")
    _upload(page, data)
    expect(page.get_by_text("导入 0 笔历史发放")).to_be_visible()
    assert Entry.objects.filter(is_history=True).count() == 3
