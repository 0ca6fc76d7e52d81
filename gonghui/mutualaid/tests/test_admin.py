"""Issue 6 part 3 in the back office: the 单位参保 page (numbers pasted or the Excel list, preview, one
confirmation), the error workbook, a campaign's run, a claim's working and its 核准 / 不予给付 pages, plans kept
by the province; an outsider gets 404 (done-when "outsiders getting 404"; every URL is also walked by
gonghui/tests/test_urls_404.py)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.common.excel import build_workbook
from gonghui.common.models import ImportJob
from gonghui.conftest import login, make_cadre
from gonghui.mutualaid import actions, importing
from gonghui.mutualaid.models import Campaign, Claim, Coverage, Enrolment, Plan

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_enrol_page_preview_then_confirm(client, tree, plan, member_factory):
    """Part 3: member numbers pasted → the preview (names, 120.00 元) → 确认参保 enrols both; a number of another
    county is 'not found' and blocks the confirmation."""
    a, b = member_factory("G1111", name="甲"), member_factory("G1112", name="乙")
    other = member_factory("G1211", name="丙")
    login(client, make_cadre(tree["T111"], "operator"))
    url = reverse("admin:mutualaid_enrolment_add")
    base = {"plan": plan.pk, "org": tree["T111"].pk}
    page = client.post(url, base | {"numbers": f"{a.member_number}, {other.member_number}"})
    body = page.content.decode()
    assert page.status_code == 200 and "以下会员证号" in body and other.member_number in body
    assert "丙" not in body and 'name="confirm"' not in body
    page = client.post(url, base | {"numbers": f"{a.member_number}\n{b.member_number}"})
    body = page.content.decode()
    assert "2 人，互助金合计 120.00 元" in body and 'name="confirm"' in body and not Enrolment.objects.exists()
    page = client.post(url, {"plan": plan.pk, "org": tree["T111"].pk, "confirm": "1",
                             "numbers": f"{a.member_number}\n{b.member_number}"})
    enrolment = Enrolment.objects.get()
    assert page.status_code == 302 and page["Location"] == reverse("admin:mutualaid_enrolment_change",
                                                                   args=[enrolment.pk])
    assert (enrolment.org, enrolment.members_count, enrolment.premium_total) == (tree["T111"], 2, Decimal("120.00"))


def test_enrol_page_with_an_excel_list_and_its_error_workbook(client, tree, plan, member_factory):
    """Part 6: the uploaded list's matching rows go to the preview, the others to the error workbook
    (downloadable, 错误说明 column); confirming enrols the matching ones."""
    a = member_factory("G1111", name="甲")
    login(client, make_cadre(tree["G1111"], "operator"))
    data = build_workbook("名单", ["姓名", "会员证号"], [["甲", a.member_number], ["无名", "X0000"]])
    page = client.post(reverse("admin:mutualaid_enrolment_add"), {
        "plan": plan.pk, "org": tree["G1111"].pk, "file": SimpleUploadedFile("名单.xlsx", data)})
    body = page.content.decode()
    assert "名单中有 1 行未能匹配（共 2 行）" in body and "1 人，互助金合计 60.00 元" in body
    job = ImportJob.objects.get(kind="mutualaid_enrol")
    assert reverse("admin:mutualaid_enrolment_errors", args=[job.pk]) in body
    errors = client.get(reverse("admin:mutualaid_enrolment_errors", args=[job.pk]))
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(errors.content)).active.iter_rows()]
    assert rows[0][-1] == "错误说明" and rows[1][:2] == ["无名", "X0000"]
    assert rows[1][2].startswith("第3行：【会员证号】")
    client.post(reverse("admin:mutualaid_enrolment_add"), {"plan": plan.pk, "org": tree["G1111"].pk, "confirm": "1",
                                                           "numbers": a.member_number})
    assert list(Coverage.objects.values_list("member__name", flat=True)) == ["甲"]


def test_enrol_error_workbook_is_an_import_job_scoped_like_the_others(client, tree, plan, member_factory):
    """Review finding 1: the rejected rows are an ImportJob (kind mutualaid_enrol) of the uploading account with
    its error workbook stored encrypted — not the session: the county above reads it, a cadre of another county
    and an account that may not enrol get 404, and the file on disk holds no name in clear."""
    login(client, make_cadre(tree["G1111"], "operator"))
    data = build_workbook("名单", ["姓名", "会员证号"], [["无名氏", "X0000"]])
    client.post(reverse("admin:mutualaid_enrolment_add"), {
        "plan": plan.pk, "org": tree["G1111"].pk, "file": SimpleUploadedFile("名单.xlsx", data)})
    job = ImportJob.objects.get(kind="mutualaid_enrol")
    assert (job.created_by.org, job.filename, job.summary["rejected"], job.summary["rows"]) == (
        tree["G1111"], "名单.xlsx", 1, 1)
    assert "无名氏".encode() not in ImportJob.media_path(job.error_file).read_bytes()
    url = reverse("admin:mutualaid_enrolment_errors", args=[job.pk])
    login(client, make_cadre(tree["K11"], "operator"))
    assert load_workbook(io.BytesIO(client.get(url).content)).active["A2"].value == "无名氏"
    for outsider in (make_cadre(tree["K12"], "operator"), make_cadre(tree["K11"], "approver")):
        login(client, outsider)
        assert client.get(url).status_code == 404


def test_enrol_upload_type_and_size_checked_before_reading(client, tree, plan):
    """Review finding 5: the upload's type and size are checked by the form, before the file is read: a
    .txt and a file over the limit are refused on the field."""
    login(client, make_cadre(tree["G1111"], "operator"))
    url = reverse("admin:mutualaid_enrolment_add")
    base = {"plan": plan.pk, "org": tree["G1111"].pk}
    page = client.post(url, base | {"file": SimpleUploadedFile("名单.txt", b"hello")})
    assert "只支持 Excel 文件（.xlsx）或 CSV 文件" in page.content.decode()
    big = SimpleUploadedFile("名单.xlsx", b"0" * (importing.MAX_UPLOAD_BYTES + 1))
    page = client.post(url, base | {"file": big})
    assert "文件不能超过 10 MB" in page.content.decode() and not ImportJob.objects.exists()


def test_campaign_run_page(client, tree, plan, member_factory):
    """Part 3: 赠送 shows how many members it will cover, and covers them on confirmation."""
    member_factory("G1111", name="快递员", worker_group="courier")
    cadre = make_cadre(tree["K11"], "operator")
    campaign = actions.save_campaign(campaign=Campaign(name="快递员意外互助", plan=plan, org=tree["K11"],
                                                       worker_groups=["courier"]), by=cadre)
    login(client, cadre)
    url = reverse("admin:mutualaid_campaign_run", args=[campaign.pk])
    assert "尚未参保的 1 名会员" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert Coverage.objects.get().member.name == "快递员"
    login(client, make_cadre(tree["K12"], "operator"))
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404


def test_claim_pages_show_the_working_and_decide(client, tree, plan, member_factory):
    """Part 3: the claim's detail shows its working; 核准 makes the ledger approval; 不予给付 needs a reason;
    a cadre of another county gets 404 on the claim and its buttons."""
    member = member_factory("G1111", name="甲")
    actions.enrol(plan=plan, org=tree["G1111"], members=[member], by=make_cadre(tree["G1111"], "operator"))
    filer = make_cadre(tree["K11"], "operator")
    first, second = (actions.file_claim(member=member, event_date=TODAY - datetime.timedelta(days=2), expense=e,
                                        consent_at=timezone.now(), by=filer) for e in ("12000", "3000"))
    login(client, make_cadre(tree["K11"], "approver"))
    detail = client.get(reverse("admin:mutualaid_claim_change", args=[first.pk])).content.decode()
    assert "单次最高给付 5,000.00 元，取 5,000.00 元" in detail and "核准" in detail
    page = client.get(reverse("admin:mutualaid_claim_approve", args=[first.pk])).content.decode()
    assert "× 给付比例 50% = 5,500.00 元" in page
    client.post(reverse("admin:mutualaid_claim_approve", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == "approved" and first.approval.amount == Decimal("5000.00")
    reject = reverse("admin:mutualaid_claim_reject", args=[second.pk])
    assert "这个字段是必填项" in client.post(reject, {"reason": ""}).content.decode()
    client.post(reject, {"reason": "非住院费用"})
    second.refresh_from_db()
    assert (second.status, second.note) == ("rejected", "非住院费用")
    login(client, make_cadre(tree["K12"], "approver"))
    for name in ("change", "approve", "reject"):
        assert client.get(reverse(f"admin:mutualaid_claim_{name}", args=[first.pk])).status_code == 404


def test_claim_decision_refused_stays_on_the_form(client, tree, plan, member_factory):
    """Review finding 11: when the action refuses (the claim was decided meanwhile, the year's room is used
    up), the page shows the refusal on the form and keeps the reason typed, instead of redirecting."""
    member = member_factory("G1111", name="甲")
    actions.enrol(plan=plan, org=tree["G1111"], members=[member], by=make_cadre(tree["G1111"], "operator"))
    filer, approver = make_cadre(tree["K11"], "operator"), make_cadre(tree["K11"], "approver")
    claims = [actions.file_claim(member=member, event_date=TODAY - datetime.timedelta(days=2), expense="12000",
                                 consent_at=timezone.now(), by=filer) for _ in range(3)]
    actions.approve_claim(claim=claims[0], by=approver)
    actions.approve_claim(claim=claims[1], by=approver)  # 5,000 + 3,000: the year's 8,000 used up
    login(client, approver)
    page = client.post(reverse("admin:mutualaid_claim_reject", args=[claims[0].pk]), {"reason": "发票重复报销"})
    body = page.content.decode()
    assert page.status_code == 200 and "该申请当前为“已核准”，不能不予给付" in body and "发票重复报销" in body
    page = client.post(reverse("admin:mutualaid_claim_approve", args=[claims[2].pk]))
    assert page.status_code == 200 and "已达年度最高给付 8,000.00 元，不能核准" in page.content.decode()
    assert Claim.objects.get(pk=claims[2].pk).status == "filed"


def test_plan_filter_lists_the_plans_the_account_sees(client, tree, plan, member_factory):
    """Review finding 8: the lists' 计划 filter offers the plans visible to the account (the province's, even
    one without rows yet) and never another city's; choosing one filters the rows."""
    other = Plan.objects.create(name="女职工特殊疾病互助", kind="female", org=tree["P"],
                                period_start=plan.period_start, period_end=plan.period_end, premium=Decimal("30"),
                                ratio=Decimal("1"))
    Plan.objects.create(name="芜湖市职工医疗互助", kind="medical", org=tree["C2"], period_start=plan.period_start,
                        period_end=plan.period_end, premium=Decimal("30"), ratio=Decimal("1"))
    member = member_factory("G1111", name="甲")
    actions.enrol(plan=plan, org=tree["G1111"], members=[member], by=make_cadre(tree["G1111"], "operator"))
    login(client, make_cadre(tree["K11"], "operator"))
    url = reverse("admin:mutualaid_coverage_changelist")
    page = client.get(url)
    spec = next(s for s in page.context["cl"].filter_specs if s.parameter_name == "plan")
    assert [name for _, name in spec.lookup_choices] == ["职工住院医疗互助", "女职工特殊疾病互助"]
    assert "芜湖" not in page.content.decode()
    assert page.context["cl"].result_count == 1
    assert client.get(url, {"plan": other.pk}).context["cl"].result_count == 0
    assert client.get(url, {"plan": plan.pk}).context["cl"].result_count == 1


def test_plans_kept_by_the_province(client, tree, plan):
    """Part 3: the province's 单位管理员 adds a plan (the rules checked: a ratio above 1 refused); a county's
    gets 404 on the add page and reads the plans."""
    login(client, make_cadre(tree["P"], "org_admin"))
    form = {"name": "女职工特殊疾病互助", "kind": "female", "org": tree["P"].pk, "period_start": "2026-01-01",
            "period_end": "2026-12-31", "premium": "30", "deductible": "0", "ratio": "1.5", "per_claim_cap": "",
            "yearly_cap": "10000", "claim_days": "90", "active": "on"}
    page = client.post(reverse("admin:mutualaid_plan_add"), form)
    assert page.status_code == 200 and not Plan.objects.filter(kind="female").exists()
    page = client.post(reverse("admin:mutualaid_plan_add"), form | {"ratio": "0.8"})
    assert page.status_code == 302 and Plan.objects.get(kind="female").ratio == Decimal("0.8")
    login(client, make_cadre(tree["K11"], "org_admin"))
    assert client.get(reverse("admin:mutualaid_plan_add")).status_code == 404
    assert "职工住院医疗互助" in client.get(reverse("admin:mutualaid_plan_changelist")).content.decode()
