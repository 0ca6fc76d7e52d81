"""Issue 13 part 4, the work report: `gonghui report` writes the .docx and its .xlsx annex, whose figures are the
registry's (done when: "a test opens both and checks the figures in the text against the registry"); the
template is editable and versioned, its placeholders checked; the download is scoped.

The world, in 瑶海区总工会 (K11)'s subtree, for 2026年上半年 against 2025年上半年:
  members joined in G1111: 2026-03-01 甲 (农民工), 2026-04-01 乙 (快递员, 八大群体), 2026-05-01 丙;
                           2025-03-01 丁, 2025-04-01 戊                → 新增会员3人，同比增长50.0%
  outside (芜湖 G2111): 2026-03-01 庚, who must count nowhere in K11's report
The programs' sections with their figures (万元 of hardship aid…) are tested from above the programs, in
gonghui/tests/test_report_sections.py: the statistics engine's tests, like its code, import none of them.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from docx import Document
from openpyxl import load_workbook

from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.conftest import login, make_cadre
from gonghui.members.actions import join_member
from gonghui.members.tests.conftest import make_facts, make_id
from gonghui.stats.models import ReportTemplate
from gonghui.stats.registry import compute
from gonghui.stats.report import actions, document, template

pytestmark = pytest.mark.django_db

H1 = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
JOINS = [("甲", "G1111", "2026-03-01", {"is_migrant_worker": "是"}), ("乙", "G1111", "2026-04-01",
         {"worker_group": "快递员"}), ("丙", "G1111", "2026-05-01", {}), ("丁", "G1111", "2025-03-01", {}),
         ("戊", "G1111", "2025-04-01", {}), ("庚", "G2111", "2026-03-01", {})]


@pytest.fixture
def world(tree):
    for seq, (name, code, day, facts) in enumerate(JOINS, start=1):
        join_member(org=tree[code], facts=make_facts(id_number=make_id(seq=seq), name=name, join_date=day, **facts),
                    by=system_actor())
    return tree


def docx_text(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


# The period as reports name it -----------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "name"), [
    ("2026-01-01", "2026-06-30", "2026年上半年"),
    ("2026-07-01", "2026-12-31", "2026年下半年"),
    ("2026-01-01", "2026-12-31", "2026年全年"),
    ("2026-01-01", "2026-03-31", "2026年一季度"),
    ("2026-10-01", "2026-12-31", "2026年四季度"),
    ("2026-03-01", "2026-03-31", "2026年3月"),
    ("2026-01-01", "2026-09-30", "2026年1月1日至2026年9月30日"),
    ("2025-07-01", "2026-06-30", "2025年7月1日至2026年6月30日"),
])
def test_period_name_as_reports_write_it(start, end, name):
    """Criterion 4: a title with the union's name and the period (上半年/全年/一季度, else the days)."""
    assert document.period_name(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)) == name


# The command: both files, the figures as the registry computes them ---------------------------------------

def test_report_command_writes_docx_whose_text_carries_the_registry_figures(world, tmp_path):
    """Criterion 4 and done-when: `gonghui report` writes the .docx; its sentences carry the figures of
    compute() as reports print them (个, 人, 其中, 同比增长…%)."""
    out = tmp_path / "瑶海.docx"
    call_command("report", org="K11", start=H1[0], end=H1[1], out=str(out), stdout=io.StringIO())
    now = compute(world["K11"], *H1)
    before = compute(world["K11"], datetime.date(2025, 1, 1), datetime.date(2025, 6, 30))
    assert (now["members.joined"], before["members.joined"]) == (3, 2)
    assert (now["members.joined_migrant_workers"], now["members.joined_eight_groups"]) == (1, 1)
    lines = docx_text(out.read_bytes())
    text = "\n".join(lines)
    assert lines[0] == "瑶海区总工会2026年上半年工作情况报告"
    assert "期内新增会员3人，同比增长50.0%，其中农民工会员1人，“八大群体”会员1人。" in text
    assert f"截至期末，共有会员{now['members.total']}人" in text
    assert f"共有工会组织{now['orgs.unions_total']}个，其中基层工会（含联合基层工会）{now['orgs.grassroots_total']}个" \
        in text
    assert [line for line in lines if "、" in line[:2]] == [
        "一、组织建设", "二、会员发展", "三、网上入会", "四、网上办事", "五、困难职工帮扶", "六、职工互助保障"]
    assert "期内网上办事大厅未收到办件。" in text
    assert "庚" not in text and "芜湖" not in text


def test_report_command_writes_the_annex_by_direct_child(world, tmp_path):
    """Criterion 4: an Excel annex beside the .docx with the figures by direct child organization and a title
    row naming the union and the period; the last row is the union's whole subtree."""
    out = tmp_path / "合肥.docx"
    call_command("report", org="C1", start=H1[0], end=H1[1], out=str(out), stdout=io.StringIO())
    rows = list(load_workbook(tmp_path / "合肥.xlsx").active.iter_rows(values_only=True))
    assert rows[0][0] == "合肥市总工会2026年上半年各直属下级组织主要指标"
    assert rows[1][0] == "统计期间：2026-01-01 至 2026-06-30"
    header = rows[2]
    joined, total = header.index("期内新入会会员（人）"), header.index("期末会员数（人）")
    by_code = {row[0]: row for row in rows[3:]}
    assert [row[1] for row in rows[3:]] == ["瑶海区总工会", "庐阳区总工会", "合计（合肥市总工会全部）"]
    for code in ("K11", "K12", "C1"):
        values = compute(world[code], *H1, keys=["members.joined", "members.total"])
        assert (by_code[code][joined], by_code[code][total]) == (values["members.joined"], values["members.total"])
    assert (by_code["K11"][joined], by_code["K12"][joined], by_code["C1"][joined]) == (3, 0, 3)


def test_report_command_refuses_an_unknown_org(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="组织代码 NOPE 不存在"):
        call_command("report", org="NOPE", start=H1[0], end=H1[1], out=str(tmp_path / "x.docx"))


# The template language ----------------------------------------------------------------------------------

def figure(key, value, last_year=None, progress=None):
    return template.FigureValue(key, value, last_year, progress)


def test_filters_word_figures_as_the_reports_do(db):
    """Criterion 4: "同比增长…%", "同比下降…%", a rate's change in points, 万元 with two places, and
    "完成目标任务的…%，超额完成" from the targets' progress row."""
    assert str(figure("hardship.aid_amount", Decimal("1.2"))) == "1.20万元"
    assert template.year_on_year(figure("members.joined", 3, 2)) == "，同比增长50.0%"
    assert template.year_on_year(figure("members.joined", 3, 4)) == "，同比下降25.0%"
    assert template.year_on_year(figure("members.joined", 3, 3)) == "，与去年同期持平"
    assert template.year_on_year(figure("members.joined", 1001, 400)) == "，同比增长150.3%"  # 150.25: half up
    assert template.year_on_year(figure("members.joined", 3, 0)) == ""  # nothing to compare with
    assert template.year_on_year(figure("hall.completion_rate", 92.5, 90.4)) == "，同比提高2.1个百分点"
    assert template.year_on_year(figure("hardship.aid_amount", Decimal("1.23"), Decimal("2.46"))) == "，同比下降50.0%"
    row = {"key": "members.joined", "target": Decimal(400), "value": 470, "rate": 117.5, "over": True}
    assert template.target(figure("members.joined", 470, None, row)) == "，完成目标任务的117.5%，超额完成"
    assert template.target(figure("members.joined", 200, None, row | {"rate": 50.0})) == "，完成目标任务的50.0%"
    assert template.target(figure("members.joined", 200)) == ""


def test_render_leaves_out_a_section_whose_text_is_empty(world):
    """Conditions: a section all of whose text sits in a failing `if` is left out with its heading."""
    text = ("{{ 工会 }}{{ 期间 }}。\n# 会员\n新增{{ members.joined }}，去年同期{{ members.joined|去年 }}。\n"
            "# 转会\n{% if members.transfers_in %}转入{{ members.transfers_in }}{% endif %}\n")
    report = document.prepare(world["K11"], *H1, text=text)
    assert [(b.title, b.paragraphs) for b in report.blocks] == [
        ("", ["瑶海区总工会2026年上半年。"]), ("会员", ["新增3人，去年同期2人。"])]


@pytest.mark.parametrize(("body", "message"), [
    ("新增{{ members.joind }}", "模板中的“{{ members.joind }}”不是已登记的统计指标"),
    ("{% if hall.recieved > 3 %}多{% endif %}", "模板中的“{{ hall.recieved }}”不是已登记的统计指标"),
    ("{% include 'x.html' %}", "不支持的标签“include”"),
    ("{{ members.joined|lower }}", "不支持的格式“lower”"),
    ("{% if members.joined %}新增", "有未结束的 if"),
    ("新增{{ members.joined }", "不成对"),
])
def test_check_refuses_a_bad_placeholder_with_a_chinese_message(db, body, message):
    """Criterion 3: placeholders validated on save: an unknown figure key is named in the error."""
    with pytest.raises(DomainError, match=message.replace("{", r"\{").replace("}", r"\}")):
        template.check(body)


# Versions ---------------------------------------------------------------------------------------------------

def test_save_makes_a_new_active_version_and_rollback_restores_an_old_one(world):
    """Criterion 3: each save a new version (author, time), one active; rollback to an old version; audited."""
    admin = make_cadre(world["P"], "org_admin", username="province_admin")
    assert document.prepare(world["K11"], *H1).blocks[0].title == ""  # the default while none is saved
    first = actions.save_template(body="# 会员\n新增会员{{ members.joined }}。", note="初稿", by=admin)
    second = actions.save_template(body="# 会员\n本期新增{{ members.joined }}{{ members.joined|同比 }}。", by=admin)
    assert [(v.number, v.active, v.created_by) for v in ReportTemplate.objects.all()] == [
        (2, True, admin), (1, False, admin)]
    assert document.prepare(world["K11"], *H1).blocks[0].paragraphs == ["本期新增3人，同比增长50.0%。"]
    actions.activate_template(first, by=admin)
    assert list(ReportTemplate.objects.filter(active=True).values_list("number", flat=True)) == [1]
    assert document.prepare(world["K11"], *H1).blocks[0].paragraphs == ["新增会员3人。"]
    assert second.created_at is not None
    assert [(e.action, e.changes["version"]) for e in AuditEntry.objects.filter(
        action__startswith="stats_report_template").order_by("pk")] == [
        ("stats_report_template_save", [None, 1]), ("stats_report_template_save", [1, 2]),
        ("stats_report_template_activate", [2, 1])]


def test_only_a_province_administrator_edits_the_template(world):
    """Criterion 3: the province root's 单位管理员 keeps the template; a county administrator and a province
    operator are refused, and a bad placeholder is refused before anything is saved."""
    for user in (make_cadre(world["K11"], "org_admin"), make_cadre(world["P"], "operator")):
        with pytest.raises(DomainError, match="只有省级工会的单位管理员"):
            actions.save_template(body="{{ members.joined }}", by=user)
    with pytest.raises(DomainError, match="members.joind"):
        actions.save_template(body="{{ members.joind }}", by=make_cadre(world["P"], "org_admin"))
    assert not ReportTemplate.objects.exists()
    assert actions.save_template(body="{{ members.joined }}", by=system_actor()).number == 1


# The back office ---------------------------------------------------------------------------------------------

def test_admin_saves_a_new_version_and_shows_the_error_of_a_bad_placeholder(world, client):
    """Criterion 3: editable in the back office; a bad placeholder is a form error naming it."""
    login(client, make_cadre(world["P"], "org_admin", username="province_admin"))
    page = client.get("/admin/stats/reporttemplate/add/")
    assert page.status_code == 200 and "# 会员发展" in page.content.decode()  # starts from the default
    bad = client.post("/admin/stats/reporttemplate/add/", {"body": "{{ member.joined }}", "note": ""})
    assert bad.status_code == 200 and "模板中的“{{ member.joined }}”不是已登记的统计指标" in bad.content.decode()
    good = client.post("/admin/stats/reporttemplate/add/", {"body": "{{ members.joined }}", "note": "试行"})
    assert good.status_code == 302
    first = ReportTemplate.objects.get()
    changed = client.post(f"/admin/stats/reporttemplate/{first.pk}/change/",
                          {"body": "新增{{ members.joined }}", "note": "改写"})
    assert changed.status_code == 302
    assert list(ReportTemplate.objects.values_list("number", "body", "active")) == [
        (2, "新增{{ members.joined }}\n", True), (1, "{{ members.joined }}\n", False)]
    confirm = client.get(f"/admin/stats/reporttemplate/{first.pk}/rollback/")
    assert confirm.status_code == 200 and "回退到工作报告模板第1版" in confirm.content.decode()
    client.post(f"/admin/stats/reporttemplate/{first.pk}/rollback/")
    assert ReportTemplate.objects.get(active=True).number == 1


def test_admin_lets_other_cadres_read_but_not_edit(world, client):
    """Criterion 3: a county administrator reads the versions; adding, changing and rolling back answer 404."""
    version = actions.save_template(body="{{ members.joined }}", by=system_actor())
    actions.save_template(body="新增{{ members.joined }}", by=system_actor())
    login(client, make_cadre(world["K11"], "org_admin"))
    assert client.get("/admin/stats/reporttemplate/").status_code == 200
    export = client.post("/admin/stats/reporttemplate/", {"action": "export_xlsx", "_selected_action": [version.pk]})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("版本号", "当前使用", "修改说明") and rows[1][0] == 1
    assert client.get("/admin/stats/reporttemplate/add/").status_code == 404
    assert client.get(f"/admin/stats/reporttemplate/{version.pk}/rollback/").status_code == 404
    page = client.get(f"/admin/stats/reporttemplate/{version.pk}/change/")
    assert page.status_code == 200 and "{{ members.joined }}" in page.content.decode() and "回退到此版本" not in \
        page.content.decode()
    client.post(f"/admin/stats/reporttemplate/{version.pk}/change/", {"body": "x", "note": ""})
    assert ReportTemplate.objects.count() == 2


# The download ------------------------------------------------------------------------------------------------

def test_download_gives_the_report_of_a_union_of_the_subtree(world, client):
    """Criterion 4: the report downloads (the dashboard's button) and its text contains the figures; the
    annex with format=xlsx; audited."""
    login(client, make_cadre(world["K11"], "operator"))
    response = client.get("/admin/stats/report/?org=T111&from=2026-01-01&to=2026-06-30")
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    text = "\n".join(docx_text(response.content))
    assert text.startswith("明光路街道总工会2026年上半年工作情况报告")
    assert "期内新增会员3人，同比增长50.0%" in text
    annex = client.get("/admin/stats/report/?org=T111&from=2026-01-01&to=2026-06-30&format=xlsx")
    rows = list(load_workbook(io.BytesIO(annex.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "明光路街道总工会2026年上半年各直属下级组织主要指标"
    assert [row[1] for row in rows[3:]] == [
        "合肥瑶海机械有限公司工会", "明光路商圈联合工会", "合计（明光路街道总工会全部）"]
    assert AuditEntry.objects.filter(action="stats_report_download").count() == 2


def test_download_of_a_union_outside_the_subtree_is_404(world, client):
    """Scoping: an outsider gets 404, the same as a union that does not exist."""
    login(client, make_cadre(world["K11"], "org_admin"))
    assert client.get("/admin/stats/report/?org=K21&from=2026-01-01&to=2026-06-30").status_code == 404
    assert client.get("/admin/stats/report/?org=C1").status_code == 404
    assert client.get("/admin/stats/report/?org=NOPE").status_code == 404
    assert client.get("/admin/stats/report/?org=K11&from=2026-13-01").status_code == 404


def test_download_explains_a_template_naming_a_withdrawn_figure(world, client):
    """Criterion 3: a saved version whose figure has since been withdrawn is named, not a server error."""
    ReportTemplate.objects.create(number=1, body="{{ members.withdrawn }}", active=True,
                                  created_by=system_actor())  # as if saved before the figure went away
    login(client, make_cadre(world["K11"], "operator"))
    response = client.get("/admin/stats/report/?org=K11")
    assert response.status_code == 409
    assert "模板中的“{{ members.withdrawn }}”不是已登记的统计指标" in response.content.decode()
