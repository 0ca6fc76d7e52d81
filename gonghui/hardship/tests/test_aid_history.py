"""Issue 13 part 5 (history in, so the figures start from the truth): past aid payments (历史帮扶发放记录)
imported through the import pipeline and written to the ledger as history entries — marked, audited, in the
union's running book and the figures, never paid twice, idempotent on re-import, scoped to the importer's
subtree; the back-office pages and their outsiders."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.common.errors import DomainError
from gonghui.common.excel import build_workbook
from gonghui.common.imports import ALL_OR_NOTHING, WHOLE_ROW, ImportFileError
from gonghui.common.models import AuditEntry, ImportJob
from gonghui.conftest import login, make_cadre
from gonghui.hardship import aid_history
from gonghui.ledger import actions as ledger
from gonghui.ledger.models import Approval, Entry, FundSource, PaymentKind, UnionTotal
from gonghui.members.tests.conftest import make_id
from gonghui.stats.registry import compute

pytestmark = pytest.mark.django_db
T = timezone.localdate()
HEADER = aid_history.TEMPLATE_COLUMNS  # 姓名 身份证号 帮扶类别 金额（元） 发放日期 资金来源 发放工会 备注
YEAR = (datetime.date(T.year - 1, 1, 1), T)
AID_KEYS = ["hardship.aid_amount", "hardship.aid_living", "hardship.aid_medical", "hardship.aid_warmth",
            "hardship.aid_from_central", "hardship.aid_from_union", "hardship.helped"]


def ago(days: int) -> str:
    return (T - datetime.timedelta(days=days)).isoformat()


IDS = {"王五": make_id(seq=301), "李梅": make_id(seq=302), "赵六": make_id(seq=303),
       "孙八": make_id("340103", seq=305)}


@pytest.fixture
def people(tree, member_factory):
    return {
        "wang": member_factory("G1111", name="王五", id_number=IDS["王五"]),
        "li": member_factory("G1112", name="李梅", id_number=IDS["李梅"]),
        "zhao": member_factory("T111", name="赵六", id_number=IDS["赵六"]),
        "outside": member_factory("G1211", name="孙八", id_number=IDS["孙八"]),
    }


@pytest.fixture
def operator(tree):
    return make_cadre(tree["K11"], "operator", username="k11_operator")


def xlsx(rows) -> bytes:
    return build_workbook("历史帮扶发放记录", HEADER, rows)


def line(member, kind="生活救助", amount="1500", paid_on=None, source="中央财政帮扶资金", org="G1111", note="",
         name=None, id_number=None):
    return [member.name if name is None else name, id_number or IDS[member.name], kind, amount,
            paid_on or ago(100), source, org, note]


def good_file(people) -> bytes:
    """Five payments to three people (none has a hardship file, though 生活救助 and 送温暖 require one for a
    new approval): 1,500 + 2,000.50 生活救助, 12,345.67 医疗救助 by code, 800 送温暖 from 工会经费, 600 送温暖
    paid by the town federation T111."""
    wang, li, zhao = people["wang"], people["li"], people["zhao"]
    return xlsx([
        line(wang, amount="1500", paid_on=ago(200), note="2025年春节"),
        line(wang, amount="2,000.50", paid_on=ago(100)),
        line(li, kind="medical", amount="12345.67", paid_on=ago(30), source="provincial", org="G1112"),
        line(li, kind="送温暖", amount="800", paid_on=ago(30), source="工会经费", org="G1112"),
        line(zhao, kind="warmth", amount="600", paid_on=ago(10), source="union", org="T111"),
    ])


def figures(org):
    return compute(org, *YEAR, keys=AID_KEYS)


def test_import_writes_history_entries_that_the_figures_count(tree, people, operator):
    """Part 5: an import of 5 rows writes 5 approvals paid at once and 5 entries, all marked 历史导入, the importer
    as approver and recorder; the figures over the county and a grassroots union equal the amounts in the file
    (17,246.17 元 = 1.72 万元; 3 households helped); the union's running book has them; one audit entry per entry
    and one for the run."""
    before = figures(tree["K11"])
    result = aid_history.import_file(good_file(people), "历史发放.xlsx", by=operator)
    assert (result.rows, result.imported, result.rejected, result.errors) == (5, 5, 0, [])
    entries = Entry.objects.order_by("paid_on", "id")
    assert [(e.member.name, e.kind.code, e.fund_source.code, e.amount, e.org.code, e.is_history) for e in entries] == [
        ("王五", "living", "central", Decimal("1500.00"), "G1111", True),
        ("王五", "living", "central", Decimal("2000.50"), "G1111", True),
        ("李梅", "medical", "provincial", Decimal("12345.67"), "G1112", True),
        ("李梅", "warmth", "union", Decimal("800.00"), "G1112", True),
        ("赵六", "warmth", "union", Decimal("600.00"), "T111", True)]
    assert entries[0].paid_on == T - datetime.timedelta(days=200) and entries[0].note == "2025年春节"
    assert {(a.status, a.is_history, a.approved_by_id, a.hardship_file_id) for a in Approval.objects.all()} == {
        ("paid", True, operator.pk, None)}
    assert {(e.approved_by_id, e.recorded_by_id) for e in entries} == {(operator.pk, operator.pk)}
    assert before == {k: (0 if k == "hardship.helped" else Decimal("0.00")) for k in AID_KEYS}
    assert figures(tree["K11"]) == {
        "hardship.aid_amount": Decimal("1.72"), "hardship.aid_living": Decimal("0.35"),
        "hardship.aid_medical": Decimal("1.23"), "hardship.aid_warmth": Decimal("0.14"),
        "hardship.aid_from_central": Decimal("0.35"), "hardship.aid_from_union": Decimal("0.14"),
        "hardship.helped": 3}
    assert figures(tree["G1111"])["hardship.aid_living"] == Decimal("0.35")  # 3,500.50 元
    assert figures(tree["K12"])["hardship.aid_amount"] == Decimal("0.00")
    totals = {(t.org.code, t.kind.code): (t.amount, t.entries) for t in UnionTotal.objects.all()}
    assert totals[("G1111", "living")] == (Decimal("3500.50"), 2)
    assert totals[("T111", "warmth")] == (Decimal("600.00"), 1)
    out = io.StringIO()
    call_command("reconcile_ledger", stdout=out)  # the running book agrees with the entries
    assert AuditEntry.objects.filter(action="ledger_history", actor=operator).count() == 5
    run = AuditEntry.objects.get(action="import", actor=operator)
    assert run.changes == {"rows": 5, "imported": 5, "updated": 0, "rejected": 0, "mode": "valid-only"}


def test_reimport_adds_nothing(tree, people, operator):
    """Part 5 (idempotency): the same file imported again writes nothing — every row is reported as already
    imported — and the figures stay as they were; a new row in the file is still taken."""
    aid_history.import_file(good_file(people), "历史发放.xlsx", by=operator)
    after_first = figures(tree["K11"])
    again = aid_history.import_file(good_file(people), "历史发放.xlsx", by=operator)
    assert (again.imported, again.rejected) == (0, 5)
    assert {(e.column, e.message) for e in again.errors} == {(WHOLE_ROW, ledger.HISTORY_ALREADY)}
    assert Entry.objects.count() == 5 and figures(tree["K11"]) == after_first
    # Another officer of the province importing the same rows: still once.
    city = make_cadre(tree["C1"], "org_admin", username="c1_admin")
    third = aid_history.import_file(xlsx([line(people["wang"], amount="1500", paid_on=ago(200)),
                                          line(people["wang"], amount="1500", paid_on=ago(201))]), "x.xlsx", by=city)
    assert (third.imported, [e.row for e in third.errors]) == (1, [2])
    assert figures(tree["K11"])["hardship.aid_living"] == Decimal("0.50")  # 5,000.50 元


def test_bad_rows_reported_and_the_rest_kept(tree, people, operator):
    """Part 5: each bad row is reported by row and column with its reason and is not written, the good row is;
    the error workbook holds the rejected rows, stored encrypted on the job."""
    wang, li = people["wang"], people["li"]
    tomorrow = (T + datetime.timedelta(days=1)).isoformat()
    data = xlsx([
        line(wang),  # 2: good
        line(wang, kind="互助保障金"),  # 3: not an aid kind
        line(wang, kind="", amount="0", source="彩票公益金"),  # 4
        line(wang, amount="12.345", paid_on=tomorrow),  # 5
        line(wang, name="王武"),  # 6
        line(li, id_number="340102199001011234"),  # 7: bad check digit
        line(li, paid_on="1999-12-31", org=""),  # 8
        line(wang),  # 9: the same as row 2
        ["", "", "生活救助", "100", ago(5), "中央财政帮扶资金", "G1111", ""],  # 10
    ])
    upload = SimpleUploadedFile("历史发放.xlsx", data)
    job = aid_history.run_import(upload=upload, by=operator)
    assert (job.status, job.summary["rows"], job.summary["imported"], job.summary["rejected"]) == ("done", 9, 1, 8)
    errors = [(e["row"], e["column"], e["message"]) for e in job.summary["errors"]]
    assert errors[:3] == [
        (3, "帮扶类别", "帮扶类别“互助保障金”不是困难帮扶的类别。"),
        (4, "帮扶类别", "请填写帮扶类别。"),
        (4, "资金来源", "资金来源“彩票公益金”无法识别。")]
    assert (4, "金额（元）", "金额应大于 0 元。") in errors
    assert (5, "金额（元）", "“金额（元）”应为不小于0的金额（元，最多两位小数）。") in errors
    assert (5, "发放日期", "发放日期不能晚于今天。") in errors
    assert (6, "姓名", "姓名与该身份证号的会员信息不一致，请核对。") in errors
    assert [e[1] for e in errors if e[0] == 7] == ["身份证号"]
    assert (8, "发放日期", "发放日期不能早于 2000-01-01。") in errors
    assert (8, "发放工会", "请填写发放工会的组织代码。") in errors
    assert (9, WHOLE_ROW, "与第2行重复（同一人、类别、金额、日期和发放工会），只计一次。") in errors
    assert {(e[0], e[2]) for e in errors if e[0] == 10} == {(10, "请填写姓名。"), (10, "请填写身份证号。")}
    assert list(Entry.objects.values_list("member__name", "amount")) == [("王五", Decimal("1500.00"))]
    rows = list(load_workbook(io.BytesIO(job.read_error_file())).active.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["王五", "王五", "王五", "王武", "李梅", "李梅", "王五", None]


def test_all_or_nothing_writes_nothing_on_a_bad_row(tree, people, operator):
    """Part 5 (the pipeline's rules): all-or-nothing with one bad row imports none."""
    result = aid_history.import_file(xlsx([line(people["wang"]), line(people["wang"], org="K21")]), "x.xlsx",
                                     by=operator, mode=ALL_OR_NOTHING)
    assert (result.imported, result.rejected) == (0, 1) and not Entry.objects.exists()


def test_outside_org_and_member_refused(tree, people, operator):
    """Part 5 (scope): a paying union outside the importer's subtree (镜湖区 K21, a sibling's town) or unknown,
    and a member outside it, are refused like ones that do not exist; nothing is written for them."""
    outside = people["outside"]
    result = aid_history.import_file(xlsx([
        line(people["wang"], org="K21"), line(people["wang"], org="T121"), line(people["wang"], org="NOPE"),
        line(outside, org="G1111"), line(people["wang"], org="k11")]), "x.xlsx", by=operator)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "发放工会", "本工会及下级工会中没有组织代码为 K21 的工会。"),
        (3, "发放工会", "本工会及下级工会中没有组织代码为 T121 的工会。"),
        (4, "发放工会", "本工会及下级工会中没有组织代码为 NOPE 的工会。"),
        (5, "身份证号", "本工会及下级工会中没有该身份证号的会员。")]
    assert list(Entry.objects.values_list("org__code", flat=True)) == ["K11"]  # the code is read in capitals


def test_who_may_import(tree, people):
    """Part 5: only a 经办人 or 单位管理员 with a union imports; an approver-only cadre gets the file refused;
    the action refuses an org outside the cadre's subtree even when called directly."""
    approver = make_cadre(tree["K11"], "approver", username="k11_approver")
    with pytest.raises(ImportFileError, match="没有导入历史帮扶发放记录的权限"):
        aid_history.import_file(good_file(people), "x.xlsx", by=approver)
    town = make_cadre(tree["T121"], "operator", username="t121_operator")
    kind, source = PaymentKind.objects.get(code="living"), FundSource.objects.get(code="central")
    key = ledger.history_key(id_index=people["wang"].id_index, kind=kind, amount=Decimal("100"),
                             paid_on=T, org=tree["G1111"])
    with pytest.raises(DomainError, match="只能导入本工会及下级工会"):
        ledger.record_history(member=people["wang"], org=tree["G1111"], kind=kind, fund_source=source,
                              amount="100", paid_on=T, by=town, key=key)
    assert not Entry.objects.exists()


def test_history_approval_is_never_paid_again_but_can_be_reversed(tree, people, operator):
    """Part 5 (never a second payment of an approval): the history approval is paid from the start — recording a
    payment of it is refused — and a wrong one is corrected by a reversal, which the figures follow."""
    aid_history.import_file(xlsx([line(people["wang"], amount="1500")]), "x.xlsx", by=operator)
    approval = Approval.objects.get()
    other = make_cadre(tree["K11"], "org_admin", username="k11_admin")
    with pytest.raises(DomainError, match="已发放"):
        ledger.record_payment(approval=approval, by=other, key=ledger.new_key())
    assert figures(tree["K11"])["hardship.aid_amount"] == Decimal("0.15")
    ledger.reverse(entry=approval.entries.get(), by=other, reason="重复录入")
    assert figures(tree["K11"])["hardship.aid_amount"] == Decimal("0.00")
    assert Entry.objects.filter(is_history=False, amount=Decimal("-1500.00")).count() == 1


# The pages --------------------------------------------------------------------------------------

def test_pages_upload_result_errors_template(client, tree, people, operator):
    """Part 5: the upload page, the result page with the counts, the error workbook, the template; the ledger's
    entry list filtered to 历史导入 shows the entries with the label."""
    login(client, operator)
    page = client.get(reverse("admin:hardship_aid_history_import")).content.decode()
    assert "导入历史帮扶发放记录" in page and "历史导入" in page
    data = xlsx([line(people["wang"]), line(people["wang"], org="K21")])
    response = client.post(reverse("admin:hardship_aid_history_import"),
                           {"file": SimpleUploadedFile("历史.xlsx", data), "mode": "valid-only"})
    job = ImportJob.objects.get(kind=aid_history.KIND)
    assert response.status_code == 302 and response.url == reverse("admin:hardship_aid_history_import_result",
                                                                    args=[job.pk])
    result = client.get(response.url).content.decode()
    assert "导入 1 笔历史发放" in result and "本工会及下级工会中没有组织代码为 K21 的工会。" in result
    assert 'href="/admin/ledger/entry/?is_history__exact=1"' in result
    errors = client.get(reverse("admin:hardship_aid_history_import_errors", args=[job.pk]))
    assert load_workbook(io.BytesIO(errors.content)).active.cell(row=2, column=7).value == "K21"
    template = load_workbook(io.BytesIO(client.get(reverse("admin:hardship_aid_history_import_template")).content))
    assert [c.value for c in template.active[1]] == HEADER
    assert "生活救助" in "".join(str(c.value) for c in template["填写说明"]["A"])
    listing = client.get("/admin/ledger/entry/?is_history__exact=1").content.decode()
    assert "历史导入" in listing and "王五" in listing


def test_pages_refuse_outsiders(client, tree, people, operator):
    """Part 5 (scope): a viewer gets 404 on the pages; a cadre of another county gets 404 on this job's result
    and error workbook."""
    job = aid_history.run_import(upload=SimpleUploadedFile("历史.xlsx", xlsx([line(people["wang"], org="K21")])),
                                 by=operator)
    login(client, make_cadre(tree["K11"], username="k11_viewer"))
    assert client.get(reverse("admin:hardship_aid_history_import")).status_code == 404
    assert client.get(reverse("admin:hardship_aid_history_import_template")).status_code == 404
    login(client, make_cadre(tree["K12"], "operator", username="k12_operator"))
    assert client.get(reverse("admin:hardship_aid_history_import")).status_code == 200
    assert client.get(reverse("admin:hardship_aid_history_import_result", args=[job.pk])).status_code == 404
    assert client.get(reverse("admin:hardship_aid_history_import_errors", args=[job.pk])).status_code == 404


def test_person_ledger_and_exports_label_history(client, tree, people, operator):
    """Part 5 (clearly marked): the person's ledger page and its export, the entry export and the approval export
    say 历史导入 for an imported payment and nothing for a payment recorded in the system."""
    aid_history.import_file(xlsx([line(people["wang"], amount="1500", paid_on=ago(40))]), "x.xlsx", by=operator)
    approver = make_cadre(tree["K11"], "approver", username="k11_approver")
    PaymentKind.objects.update(requires_file=False)
    live = ledger.approve(member=people["wang"], kind=PaymentKind.objects.get(code="employment"),
                          fund_source=FundSource.objects.get(code="central"), amount="300", by=approver)
    ledger.record_payment(approval=live, by=operator, key=ledger.new_key(), paid_on=T)
    login(client, operator)
    wang = people["wang"]
    page = client.get(reverse("admin:ledger_entry_person", args=[wang.pk])).content.decode()
    assert page.count("历史导入") == 1
    sheet = load_workbook(io.BytesIO(client.get(reverse("admin:ledger_entry_person_export", args=[wang.pk])).content))
    rows = list(sheet.active.iter_rows(min_row=2, values_only=True))
    assert [(r[4], r[7]) for r in rows] == [(300, None), (1500, "历史导入")]
    entries = client.post("/admin/ledger/entry/", {
        "action": "export_xlsx", "_selected_action": list(Entry.objects.values_list("pk", flat=True))})
    rows = list(load_workbook(io.BytesIO(entries.content)).active.iter_rows(min_row=2, values_only=True))
    assert sorted((r[5], r[9]) for r in rows) == [(300, None), (1500, "历史导入")]
    approvals = client.post("/admin/ledger/approval/", {
        "action": "export_xlsx", "_selected_action": list(Approval.objects.values_list("pk", flat=True))})
    rows = list(load_workbook(io.BytesIO(approvals.content)).active.iter_rows(min_row=2, values_only=True))
    assert sorted((r[4], r[-1]) for r in rows) == [(300, None), (1500, "是")]
