"""Issue 6 part 6 (hardship half): existing hardship files imported from Excel, with the same error workbook as
the member import — valid rows kept, rejected rows with "第N行：【列】问题" and the faulty cells highlighted; each
file opened through actions.open_file (一人一档); members found only in the importer's subtree; the back-office
pages (upload, result, error workbook, template) and outsiders getting 404."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.common.excel import ERROR_FILL, build_workbook
from gonghui.common.models import AuditEntry, ImportJob
from gonghui.conftest import login, make_cadre
from gonghui.hardship import actions, importing
from gonghui.hardship.models import FileEvent, HardshipFile
from gonghui.members.tests.conftest import make_id

T = timezone.localdate()
HEADER = ["姓名", "会员证号", "身份证号", "档案级别", "困难类别", "致困原因", "住房情况", "家庭人口", "家庭月收入",
          "家庭人均月收入", "帮扶措施", "建档日期", "下次复核日期"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree, member_factory):
    return {
        "wang": member_factory("G1111", name="王五", id_number=make_id(seq=201)),
        "li": member_factory("G1112", name="李梅", id_number=make_id(seq=202)),
        "zhao": member_factory("T111", name="赵六", id_number=make_id(seq=203)),
        "on_file": member_factory("G1111", name="钱七", id_number=make_id(seq=204)),
        "outside": member_factory("G1211", name="孙八", id_number=make_id("340103", seq=205)),
    }


def xlsx(rows, header=HEADER) -> bytes:
    return build_workbook("困难职工档案", header, rows)


def row(member, *, number=True, id_number="", name=None, level="县级", category="深度困难", causes="因病、因残",
        housing="租房", size=3, income="2400", per_capita="", measures="医疗救助+就业帮扶", opened="2024-03-15",
        review=""):
    return [member.name if name is None else name, member.member_number if number else "",
            id_number, level, category, causes, housing, size, income,
            per_capita, measures, opened, review]


def test_import_good_rows_opens_files_through_open_file(tree, people):
    """Part 6: good rows become files — found by 会员证号 or by 身份证号; level, category, causes, housing, plan,
    per-capita income from the family's income (2400 / 3 = 800.00) or given per capita (650.50 × 2); the
    household with 本人 and placeholders; 建档日期; 下次复核日期 given or a year on; FileEvent and audit."""
    cadre = make_cadre(tree["K11"], "operator")
    data = xlsx([
        row(people["wang"]),
        row(people["li"], number=False, id_number=make_id(seq=202), level="市级", category="相对困难",
            causes="因学", size=2, income="", per_capita="650.50", opened="2025-01-10", review="2025-12-01"),
        row(people["zhao"], id_number=make_id(seq=203), level="province", category="意外", causes="", size=1,
            income=1500, per_capita=1500, opened=datetime.datetime(2023, 6, 1)),
    ])
    result = importing.import_file(data, "档案.xlsx", by=cadre)
    assert (result.rows, result.imported, result.rejected, result.errors) == (3, 3, 0, [])
    wang = HardshipFile.objects.get(member=people["wang"])
    assert (wang.org, wang.level, wang.category, wang.causes, wang.housing, wang.measures, wang.per_capita_income,
            wang.opened_on, wang.review_due, wang.status) == (
        tree["G1111"], "county", "deep", ["因病", "因残"], "租房", "医疗救助+就业帮扶", Decimal("800.00"),
        datetime.date(2024, 3, 15), datetime.date(2025, 3, 15), "open")
    assert [(h.name, h.relation, h.monthly_income) for h in wang.household.order_by("id")] == [
        ("王五", "本人", Decimal("2400.00")), ("待补录", "家庭成员", Decimal("0.00")),
        ("待补录", "家庭成员", Decimal("0.00"))]
    li = HardshipFile.objects.get(member=people["li"])
    assert (li.level, li.category, li.causes, li.per_capita_income, li.opened_on, li.review_due) == (
        "city", "relative", ["因学"], Decimal("650.50"), datetime.date(2025, 1, 10), datetime.date(2025, 12, 1))
    zhao = HardshipFile.objects.get(member=people["zhao"])
    assert (zhao.level, zhao.category, zhao.causes, zhao.per_capita_income, zhao.opened_on) == (
        "province", "accident", [], Decimal("1500.00"), datetime.date(2023, 6, 1))
    assert FileEvent.objects.filter(kind="opened", by=cadre).count() == 3
    assert AuditEntry.objects.filter(action="hardship_open", actor=cadre).count() == 3
    entry = AuditEntry.objects.get(action="import", actor=cadre)
    assert entry.changes == {"rows": 3, "imported": 3, "updated": 0, "rejected": 0, "mode": "valid-only"}


def test_import_per_capita_rounds_as_the_file_does(tree, people):
    """Review finding 5: the import checks a given per-capita income with the actions' one division, half up —
    100.01 / 2 = 50.01 is accepted (the import's own half-even division refused it as 50.00)."""
    cadre = make_cadre(tree["K11"], "operator")
    result = importing.import_file(xlsx([row(people["wang"], size=2, income="100.01", per_capita="50.01")]),
                                   "档案.xlsx", by=cadre)
    assert (result.imported, result.errors) == (1, [])
    assert HardshipFile.objects.get(member=people["wang"]).per_capita_income == Decimal("50.01")


def test_import_bad_rows_reported_with_exact_messages(tree, people):
    """Part 6: bad rows are reported by row and column with exact messages and not imported, the good row is
    kept: a member outside the subtree (by number and by ID: reported as not found), a person already on file
    (一人一档), the same person twice in the file, a name that does not match, unknown level and category, a
    household size, inconsistent per-capita income, a future and a missing date, a review before opening."""
    cadre = make_cadre(tree["K11"], "operator")
    actions.open_file(member=people["on_file"], level="county", category="deep", by=cadre,
                      household=[{"name": "钱七", "relation": "本人", "monthly_income": "500"}])
    outside_number = people["outside"].member_number
    tomorrow = (T + datetime.timedelta(days=1)).isoformat()
    data = xlsx([
        row(people["wang"]),  # row 2: good
        row(people["outside"]),  # 3
        row(people["outside"], number=False, id_number=make_id("340103", seq=205)),  # 4: by ID
        row(people["on_file"]),  # 5
        row(people["wang"], level="市级"),  # 6: the same person again
        row(people["li"], name="李海"),  # 7
        row(people["zhao"], level="乡级", category="很困难", size=0),  # 8
        row(people["li"], income="2400", per_capita="700", opened=tomorrow),  # 9
        row(people["zhao"], opened="", income="", review="2020-01-01"),  # 10
        row(people["zhao"], number=False, opened="2024-05-01", review="2024-04-01"),  # 11
    ])
    result = importing.import_file(data, "档案.xlsx", by=cadre)
    assert (result.rows, result.imported, result.rejected) == (10, 1, 9)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "会员证号", f"本工会及下级工会中没有会员证号为 {outside_number} 的会员。"),
        (4, "身份证号", "本工会及下级工会中没有该身份证号的会员。"),
        (5, "会员证号", actions.ALREADY_ON_FILE),
        (6, "会员证号", "与第2行是同一名会员（一人一档），不能重复导入。"),
        (7, "姓名", "姓名与会员信息不一致，请核对会员证号或身份证号。"),
        (8, "档案级别", "档案级别“乡级”无法识别，应为：全国级、省级、市级或县级。"),
        (8, "困难类别", "困难类别“很困难”无法识别，应为：深度困难、相对困难或意外致困。"),
        (8, "家庭人口", "家庭人口“0”无效，应为 1 至 20 的整数（含本人）。"),
        (9, "家庭人均月收入", "家庭人均月收入应为家庭月收入÷家庭人口＝800.00 元，请核对。"),
        (9, "建档日期", "建档日期不能晚于今天。"),
        (10, "家庭月收入", "请填写家庭月收入或家庭人均月收入（元）。"),
        (10, "建档日期", "请填写建档日期，如 2020-05-01。"),
        (11, "会员证号", "请填写会员证号或身份证号。"),
        (11, "下次复核日期", "下次复核日期应晚于建档日期。"),
    ]
    assert list(HardshipFile.objects.values_list("member__name", flat=True).order_by("id")) == ["钱七", "王五"]
    assert not HardshipFile.objects.filter(member=people["outside"]).exists()


def test_import_error_workbook_as_the_member_import(tree, people):
    """Part 6 ("the same error workbook as the member import"): the rejected rows as they were, a 错误说明
    column "第N行：【列】问题；…", the faulty cells and the explanation highlighted, nothing else."""
    cadre = make_cadre(tree["K11"], "operator")
    data = xlsx([row(people["wang"]), row(people["li"], level="乡级", size="三"), row(people["outside"])])
    result = importing.import_file(data, "档案.xlsx", by=cadre)
    sheet = load_workbook(io.BytesIO(result.error_workbook())).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0] == HEADER + ["错误说明"]
    li, outside = people["li"], people["outside"]
    assert values[1] == ["李梅", li.member_number, None, "乡级", "深度困难", "因病、因残", "租房", "三", "2400", None,
                         "医疗救助+就业帮扶", "2024-03-15", None,
                         "第3行：【档案级别】档案级别“乡级”无法识别，应为：全国级、省级、市级或县级。；"
                         "【家庭人口】家庭人口“三”无效，应为 1 至 20 的整数（含本人）。"]
    assert values[2][:2] == ["孙八", outside.member_number]
    assert values[2][-1] == f"第4行：【会员证号】本工会及下级工会中没有会员证号为 {outside.member_number} 的会员。"
    assert len(values) == 3
    filled = [[c.coordinate for c in r if c.fill.fgColor.rgb == ERROR_FILL.fgColor.rgb] for r in sheet.iter_rows()]
    assert filled == [[], ["D2", "H2", "N2"], ["B3", "N3"]]


def test_import_refuses_a_file_without_required_columns(tree, monkeypatch):
    """Part 6: a file that cannot be imported at all says which columns are missing (or that it is too long,
    or that the account may not open files); nothing is written."""
    cadre = make_cadre(tree["K11"], "operator")
    with pytest.raises(importing.ImportFileError) as error:
        importing.import_file(xlsx([["王五", "县级"]], header=["姓名", "档案级别"]), "档案.xlsx", by=cadre)
    assert str(error.value).startswith(
        "缺少必填列：会员证号或身份证号、困难类别、家庭人口、建档日期、家庭月收入或家庭人均月收入。")
    with pytest.raises(importing.ImportFileError, match="没有导入困难职工档案的权限"):
        importing.import_file(xlsx([row_any()]), "档案.xlsx", by=make_cadre(tree["K11"], "approver"))
    monkeypatch.setattr(importing, "MAX_ROWS", 1)
    with pytest.raises(importing.ImportFileError) as error:
        importing.import_file(xlsx([row_any(), row_any()]), "档案.xlsx", by=cadre)
    assert str(error.value) == "单个文件最多 1 行，本文件有 2 行，请分成几个文件导入。"
    assert not HardshipFile.objects.exists()


def row_any():
    return ["王五", "X", "", "县级", "深度困难", "", "", 1, 100, "", "", "2024-01-01", ""]


def test_template_workbook_has_the_columns_and_reads_back(tree):
    """Part 6: the template has the import's columns and dropdowns; filled in, it imports."""
    book = load_workbook(io.BytesIO(importing.template_workbook()))
    sheet = book["困难职工档案"]
    assert [c.value for c in sheet[1]] == importing.TEMPLATE_COLUMNS
    assert sorted(v.formula1 for v in sheet.data_validations.dataValidation) == [
        '"全国级,省级,市级,县级"', '"深度困难,相对困难,意外致困"']
    assert book["填写说明"]["A1"].value == "困难职工档案导入说明"


# The pages ----------------------------------------------------------------------------------------

@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_import_page_upload_result_and_error_download(tree, people, client, media):
    """Part 6: the back-office journey — the page with the template link, upload, the result page with the
    counts and the rejected rows, the error workbook (stored encrypted) downloaded and audited, the template."""
    cadre = make_cadre(tree["K11"], "operator")
    login(client, cadre)
    page = client.get(reverse("admin:hardship_hardshipfile_import"))
    assert page.status_code == 200
    assert reverse("admin:hardship_hardshipfile_import_template") in page.content.decode()
    upload = SimpleUploadedFile("瑶海区困难职工.xlsx", xlsx([row(people["wang"]), row(people["outside"])]))
    response = client.post(reverse("admin:hardship_hardshipfile_import"), {"file": upload})
    job = ImportJob.objects.get(kind="hardship")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:hardship_hardshipfile_import_result", args=[job.pk])
    assert (job.status, job.total, job.summary["imported"], job.summary["rejected"]) == ("done", 2, 1, 1)
    text = re.sub(r"\s+", " ", client.get(response["Location"]).content.decode())
    assert "共 2 行：导入 1 份档案，未导入 1 行。" in text
    assert "本工会及下级工会中没有会员证号为" in text
    stored = ImportJob.media_path(job.error_file).read_bytes()
    assert b"PK" not in stored[:4]  # encrypted, not a plain workbook
    download = client.get(reverse("admin:hardship_hardshipfile_import_errors", args=[job.pk]))
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet["A2"].value == "孙八"
    assert AuditEntry.objects.filter(action="export", actor=cadre, object_id=str(job.pk)).exists()
    assert HardshipFile.objects.get().member == people["wang"]
    template = client.get(reverse("admin:hardship_hardshipfile_import_template"))
    assert load_workbook(io.BytesIO(template.content))["困难职工档案"]["A1"].value == "姓名"


def test_import_page_reports_an_unreadable_file(tree, client, media):
    """Part 6: a file with a missing column is reported on the result page; nothing imported."""
    login(client, make_cadre(tree["K11"], "operator"))
    upload = SimpleUploadedFile("坏.xlsx", xlsx([["王五"]], header=["姓名"]))
    response = client.post(reverse("admin:hardship_hardshipfile_import"), {"file": upload}, follow=True)
    assert "导入失败：缺少必填列" in response.content.decode()
    assert ImportJob.objects.get(kind="hardship").status == "failed"
    assert not HardshipFile.objects.exists()
    csv = SimpleUploadedFile("档案.csv", b"a,b\n")
    response = client.post(reverse("admin:hardship_hardshipfile_import"), {"file": csv})
    assert "只支持 Excel 文件（.xlsx）" in response.content.decode()


def test_import_pages_404_for_outsiders_and_without_the_role(tree, people, client, media):
    """Part 6 / done-when "outsiders getting 404": another county's cadre gets 404 for the run and its error
    workbook; a cadre without 经办人/单位管理员 gets 404 for every import page."""
    insider = make_cadre(tree["K11"], "operator")
    login(client, insider)
    client.post(reverse("admin:hardship_hardshipfile_import"),
                {"file": SimpleUploadedFile("a.xlsx", xlsx([row(people["outside"])]))})
    job = ImportJob.objects.get(kind="hardship")
    login(client, make_cadre(tree["K12"], "operator", "org_admin"))
    for name in ("admin:hardship_hardshipfile_import_result", "admin:hardship_hardshipfile_import_errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.get(reverse("admin:hardship_hardshipfile_import")).status_code == 200
    login(client, make_cadre(tree["K11"], "approver"))
    for url in (reverse("admin:hardship_hardshipfile_import"), reverse("admin:hardship_hardshipfile_import_template"),
                reverse("admin:hardship_hardshipfile_import_result", args=[job.pk]),
                reverse("admin:hardship_hardshipfile_import_errors", args=[job.pk])):
        assert client.get(url).status_code == 404, url
    login(client, make_cadre(tree["T111"], "operator"))  # below the importing union: not its run
    assert client.get(reverse("admin:hardship_hardshipfile_import_result", args=[job.pk])).status_code == 404
