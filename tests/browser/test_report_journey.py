"""The work report's template (issue 13 part 4) in the browser: the province's administrator opens 工作报告模板,
starts from the default assembled from the apps' sections, is told which placeholder names no figure, saves a
version, saves another, rolls back to the first; a county cadre then downloads the report, whose text is the
restored version's with the figures filled in."""

import io
import re

import pytest
from docx import Document
from playwright.sync_api import expect

from gonghui.common.actors import system_actor
from gonghui.conftest import build_tree, make_cadre
from gonghui.members.actions import join_member
from gonghui.members.tests.conftest import make_facts, make_id
from gonghui.stats.models import ReportTemplate
from tests.browser.steps import desk_shot, detail_button, log_in_cadre

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_province_admin_edits_versions_and_a_cadre_downloads_the_report(page, regions, screenshot, new_desk):
    tree = build_tree()
    for seq, day in enumerate(("2026-03-01", "2026-04-01", "2025-03-01"), start=1):
        join_member(org=tree["G1111"], facts=make_facts(id_number=make_id(seq=seq), join_date=day), by=system_actor())
    admin = make_cadre(tree["P"], "org_admin", username="sheng_admin")
    log_in_cadre(page, admin)

    page.get_by_role("link", name="工作报告模板").first.click()
    expect(page).to_have_url(re.compile(r"/admin/stats/reporttemplate/$"))
    page.goto("/admin/stats/reporttemplate/add/")
    body = page.locator("#id_body")
    expect(body).to_have_value(re.compile(r"# 会员发展\n期内新增会员\{\{ members.joined \}\}"))
    body.fill("# 会员发展\n期内新增会员{{ members.joind }}。")
    page.get_by_role("button", name=re.compile("保存")).first.click()
    expect(page.locator("body")).to_contain_text("模板中的“{{ members.joind }}”不是已登记的统计指标")
    desk_shot(screenshot, page, "report-template-error")

    body.fill("# 会员发展\n期内新增会员{{ members.joined }}{{ members.joined|同比 }}。")
    page.fill("#id_note", "精简为会员一节")
    page.get_by_role("button", name=re.compile("保存")).first.click()
    first = ReportTemplate.objects.get()
    page.goto(f"/admin/stats/reporttemplate/{first.pk}/change/")
    page.locator("#id_body").fill("# 会员发展\n本期发展会员{{ members.joined }}。")
    page.get_by_role("button", name=re.compile("保存")).first.click()
    assert list(ReportTemplate.objects.values_list("number", "active")) == [(2, True), (1, False)]

    page.goto(f"/admin/stats/reporttemplate/{first.pk}/change/")
    detail_button(page, "回退到此版本").click()
    expect(page.locator("#action-intro")).to_contain_text("第1版")
    page.get_by_role("button", name="确认回退").click()
    expect(page).to_have_url(re.compile(r"/admin/stats/reporttemplate/$"))
    expect(page.locator("body")).to_contain_text("已回退到第1版")
    desk_shot(screenshot, page, "report-templates")
    assert ReportTemplate.objects.get(active=True).number == 1

    county = new_desk()
    log_in_cadre(county, make_cadre(tree["K11"], "operator"))
    with county.expect_download() as download:
        county.evaluate("location.href = '/admin/stats/report/?org=T111&from=2026-01-01&to=2026-06-30'")
    assert download.value.suggested_filename == "明光路街道总工会2026年上半年工作情况报告.docx"
    text = [p.text for p in Document(io.BytesIO(open(download.value.path(), "rb").read())).paragraphs]
    assert text[:3] == ["明光路街道总工会2026年上半年工作情况报告", "一、会员发展", "期内新增会员2人，同比增长100.0%。"]
