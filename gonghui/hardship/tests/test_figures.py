"""Issue 6 part 5 (hardship half) and the done-when lines "figures against hand-counted fixtures" and
"a reconciliation command (gonghui reconcile-ledger) … runs in the tests".

The fixture, dated from today T (payments and exits cannot be in the future; a reversal is dated the day it
is made, T). In the subtree of 瑶海区总工会 (K11):
  A (G1111)  opened T-400 县级 深度困难, paired, open
  B (G1112)  opened T-50  市级 相对困难, open
  C (T111)   opened T-200 省级 意外致困, paired, exited T-30 解困脱困
  D (G1111)  opened T-500 全国级 深度困难, exited T-300 退休
  E (K11)    opened T-20  县级 意外致困, paired, open
  M (G1112)  no file
Outside (庐阳区总工会 K12): X opened T-50 县级 深度困难, paired, open; Y opened T-300 市级 相对困难, exited T-10
解困脱困.
Ledger entries (元):
  A 生活救助 1,500.00 中央财政 T-60;  A 生活救助 1,000.00 中央财政 T-150;  A 送温暖 850.50 工会经费 T-5
  B 医疗救助 12,345.67 省级财政 T-10, reversed at T;  B 助学 2,000.00 社会捐赠 T-50
  E 就业帮扶 3,050.00 中央财政 T-1;  M 大病救助 50,000.00 省级财政 T-80 (paid by K11 itself)
  A 互助保障金 700.00 工会经费 T-10 (program mutual aid: not aid)
  X 生活救助 9,999.00 中央财政 T-10 (outside)
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from gonghui.conftest import make_cadre
from gonghui.hardship import actions, figures
from gonghui.ledger import actions as ledger
from gonghui.ledger.models import FundSource, PaymentKind, UnionTotal
from gonghui.stats.registry import REGISTRY, compute

pytestmark = pytest.mark.django_db
T = timezone.localdate()


def ago(days: int) -> datetime.date:
    return T - datetime.timedelta(days=days)


@pytest.fixture
def world(tree, member_factory):
    cadre = make_cadre(tree["P"], "operator", username="file_cadre")
    approver = make_cadre(tree["P"], "approver", username="aid_approver")
    recorder = make_cadre(tree["P"], "operator", username="aid_recorder")
    pair_with = make_cadre(tree["K11"], "operator", username="paired_cadre")
    outside_pair = make_cadre(tree["K12"], "operator", username="outside_paired_cadre")
    m = {name: member_factory(org, name=name) for name, org in [
        ("甲", "G1111"), ("乙", "G1112"), ("丙", "T111"), ("丁", "G1111"), ("戊", "K11"), ("己", "G1112"),
        ("庚", "G1211"), ("辛", "G1211")]}

    def open_(name, level, category, days):
        return actions.open_file(member=m[name], level=level, category=category, by=cadre, opened_on=ago(days),
                                 household=[{"name": name, "relation": "本人", "monthly_income": "900"}])

    files = {"A": open_("甲", "county", "deep", 400), "B": open_("乙", "city", "relative", 50),
             "C": open_("丙", "province", "accident", 200), "D": open_("丁", "national", "deep", 500),
             "E": open_("戊", "county", "accident", 20), "X": open_("庚", "county", "deep", 50),
             "Y": open_("辛", "city", "relative", 300)}
    for key in ("A", "C", "E"):
        actions.pair(file=files[key], cadre=pair_with, by=cadre)
    actions.pair(file=files["X"], cadre=outside_pair, by=cadre)

    kinds = {k.code: k for k in PaymentKind.objects.all()}
    sources = {s.code: s for s in FundSource.objects.all()}

    def pay(name, kind, source, amount, days, org=None):
        approval = ledger.approve(member=m[name], kind=kinds[kind], fund_source=sources[source], amount=amount,
                                  by=approver, org=org)
        return ledger.record_payment(approval=approval, by=recorder, key=ledger.new_key(), paid_on=ago(days))

    pay("甲", "living", "central", "1500.00", 60)
    pay("甲", "living", "central", "1000.00", 150)
    pay("甲", "warmth", "union", "850.50", 5)
    wrong = pay("乙", "medical", "provincial", "12345.67", 10)
    ledger.reverse(entry=wrong, by=approver, reason="金额录入错误")
    pay("乙", "education", "donation", "2000.00", 50)
    pay("戊", "employment", "central", "3050.00", 1)
    pay("己", "serious_illness", "provincial", "50000.00", 80, org=tree["K11"])
    pay("甲", "mutual_aid", "union", "700.00", 10)
    pay("庚", "living", "central", "9999.00", 10)

    actions.close(file=files["C"], reason="relieved", by=cadre, on=ago(30))
    actions.close(file=files["D"], reason="retired", by=cadre, on=ago(300))
    actions.close(file=files["Y"], reason="relieved", by=cadre, on=ago(10))
    return tree


def test_hardship_figures_registered_under_their_prefix():
    """Part 5: the hardship figures are registered as hardship.* with units (户, 万元)."""
    keys = {k for k in REGISTRY if k.startswith("hardship.")}
    assert keys == {
        "hardship.on_file", "hardship.on_file_national", "hardship.on_file_province", "hardship.on_file_city",
        "hardship.on_file_county", "hardship.on_file_deep", "hardship.on_file_relative",
        "hardship.on_file_accident", "hardship.opened", "hardship.exited", "hardship.exited_relieved",
        "hardship.paired", "hardship.helped", "hardship.aid_amount", "hardship.aid_living", "hardship.aid_medical",
        "hardship.aid_serious_illness", "hardship.aid_education", "hardship.aid_warmth",
        "hardship.aid_employment", "hardship.aid_from_central", "hardship.aid_from_provincial",
        "hardship.aid_from_union", "hardship.aid_from_donation"}
    assert REGISTRY["hardship.on_file_deep"].unit == "户"
    assert REGISTRY["hardship.aid_warmth"].unit == "万元"


def test_hardship_figures_for_the_period_to_today(world):
    """Done-when: figures against a hand-counted fixture — period [T-100, T] over K11's subtree: on file at T
    are A, B, E; opened B, E; exited C (解困脱困); paired A, E; helped A, B, E, M (B's reversed 医疗救助 nets
    to nothing, B's 助学 counts); aid 1,500 + 850.50 + 12,345.67 − 12,345.67 + 2,000 + 3,050 + 50,000
    = 57,400.50 元 = 5.74 万元."""
    got = compute(world["K11"], ago(100), T, prefix="hardship.")
    assert got == {
        "hardship.on_file": 3,
        "hardship.on_file_national": 0, "hardship.on_file_province": 0, "hardship.on_file_city": 1,
        "hardship.on_file_county": 2,
        "hardship.on_file_deep": 1, "hardship.on_file_relative": 1, "hardship.on_file_accident": 1,
        "hardship.opened": 2, "hardship.exited": 1, "hardship.exited_relieved": 1, "hardship.paired": 2,
        "hardship.helped": 4,
        "hardship.aid_amount": Decimal("5.74"),
        "hardship.aid_living": Decimal("0.15"),  # 1,500
        "hardship.aid_medical": Decimal("0.00"),  # 12,345.67 reversed within the period
        "hardship.aid_serious_illness": Decimal("5.00"),  # 50,000
        "hardship.aid_education": Decimal("0.20"),  # 2,000
        "hardship.aid_warmth": Decimal("0.09"),  # 850.50 → 0.08505
        "hardship.aid_employment": Decimal("0.31"),  # 3,050 → 0.305, half up
        "hardship.aid_from_central": Decimal("0.46"),  # 1,500 + 3,050 = 4,550 → 0.455, half up
        "hardship.aid_from_provincial": Decimal("5.00"),  # 12,345.67 − 12,345.67 + 50,000
        "hardship.aid_from_union": Decimal("0.09"),  # 850.50 (the 互助保障金 is not aid)
        "hardship.aid_from_donation": Decimal("0.20"),  # 2,000
    }


def test_hardship_figures_for_an_earlier_period(world):
    """Done-when: figures against a hand-counted fixture — period [T-365, T-40]: on file at T-40 are A, B and
    C (C exited later, on T-30), not D (exited T-300) nor E (opened T-20); opened C, B; exited D (退休, not
    relieved); paired A, C; helped A, B, M; aid 1,500 + 1,000 + 2,000 + 50,000 = 54,500 元."""
    got = compute(world["K11"], ago(365), ago(40), prefix="hardship.")
    assert (got["hardship.on_file"], got["hardship.on_file_county"], got["hardship.on_file_city"],
            got["hardship.on_file_province"], got["hardship.on_file_national"]) == (3, 1, 1, 1, 0)
    assert (got["hardship.on_file_deep"], got["hardship.on_file_relative"], got["hardship.on_file_accident"]) \
        == (1, 1, 1)
    assert (got["hardship.opened"], got["hardship.exited"], got["hardship.exited_relieved"]) == (2, 1, 0)
    assert (got["hardship.paired"], got["hardship.helped"]) == (2, 3)
    assert got["hardship.aid_amount"] == Decimal("5.45")
    assert got["hardship.aid_living"] == Decimal("0.25")
    assert got["hardship.aid_medical"] == Decimal("0.00")
    assert got["hardship.aid_from_central"] == Decimal("0.25")
    assert got["hardship.aid_from_provincial"] == Decimal("5.00")


def test_reversal_counts_on_its_own_date(world):
    """Part 2/5: net of reversals, as the running book counts them — on [T, T] only B's reversal falls:
    −12,345.67 元 = −1.23 万元, and nobody was helped that day."""
    got = compute(world["K11"], T, T, prefix="hardship.")
    assert (got["hardship.aid_amount"], got["hardship.aid_medical"], got["hardship.aid_from_provincial"]) \
        == (Decimal("-1.23"), Decimal("-1.23"), Decimal("-1.23"))
    assert got["hardship.helped"] == 0


def test_hardship_figures_of_the_other_county_and_the_city(world):
    """Done-when: figures over a subtree — K12 sees only X and Y (and X's 9,999 元); C1 adds both counties."""
    k12 = compute(world["K12"], ago(100), T, prefix="hardship.")
    assert (k12["hardship.on_file"], k12["hardship.on_file_deep"], k12["hardship.opened"], k12["hardship.exited"],
            k12["hardship.exited_relieved"], k12["hardship.paired"], k12["hardship.helped"]) == (1, 1, 1, 1, 1, 1, 1)
    assert k12["hardship.aid_amount"] == k12["hardship.aid_living"] == Decimal("1.00")  # 9,999 → 0.9999
    c1 = compute(world["C1"], ago(100), T, prefix="hardship.")
    assert (c1["hardship.on_file"], c1["hardship.opened"], c1["hardship.exited"], c1["hardship.helped"]) \
        == (4, 3, 2, 5)
    assert c1["hardship.aid_amount"] == Decimal("6.74")  # 57,400.50 + 9,999 = 67,399.50
    assert compute(world["K21"], ago(100), T, prefix="hardship.")["hardship.on_file"] == 0


def test_aid_rows_by_kind_and_by_source_include_configured_kinds(world, member_factory):
    """Part 5: amounts by aid kind and fund source, configurable ones included (a new kind 法律援助 and a new
    source 企业帮扶资金 appear in the rows); kinds without entries in the period are left out."""
    legal = PaymentKind.objects.create(code="legal", name="法律援助补助", program="aid", order=20)
    company = FundSource.objects.create(code="company", name="企业帮扶资金", order=20)
    member = member_factory("G1111", name="壬")
    approval = ledger.approve(member=member, kind=legal, fund_source=company, amount="640.00",
                              by=make_cadre(world["K11"], "approver", username="k11_approver"))
    ledger.record_payment(approval=approval, by=make_cadre(world["K11"], "operator", username="k11_recorder"),
                          key="legal-1", paid_on=ago(3))
    kinds = figures.aid_rows(world["K11"], ago(100), T, "kind")
    assert [(r["code"], r["yuan"], r["wan"], r["entries"], r["households"]) for r in kinds] == [
        ("living", Decimal("1500.00"), Decimal("0.15"), 1, 1),
        ("medical", Decimal("0.00"), Decimal("0.00"), 2, 0),
        ("serious_illness", Decimal("50000.00"), Decimal("5.00"), 1, 1),
        ("education", Decimal("2000.00"), Decimal("0.20"), 1, 1),
        ("warmth", Decimal("850.50"), Decimal("0.09"), 1, 1),
        ("employment", Decimal("3050.00"), Decimal("0.31"), 1, 1),
        ("legal", Decimal("640.00"), Decimal("0.06"), 1, 1),
    ]
    assert kinds[-1]["name"] == "法律援助补助"
    sources = figures.aid_rows(world["K11"], ago(100), T, "fund_source")
    assert [(r["code"], r["yuan"], r["wan"], r["households"]) for r in sources] == [
        ("central", Decimal("4550.00"), Decimal("0.46"), 2),
        ("provincial", Decimal("50000.00"), Decimal("5.00"), 1),
        ("union", Decimal("850.50"), Decimal("0.09"), 1),
        ("donation", Decimal("2000.00"), Decimal("0.20"), 1),
        ("company", Decimal("640.00"), Decimal("0.06"), 1),
    ]
    assert compute(world["K11"], ago(100), T)["hardship.helped"] == 5  # 壬 too


def test_reconcile_ledger_runs_and_reports_a_difference(world):
    """Done-when: `gonghui reconcile-ledger` runs in the tests — on the fixture it prints 核对一致 and exits 0;
    after a running-book row is corrupted it names the union and the difference and exits 1."""
    out = io.StringIO()
    call_command("reconcile_ledger", stdout=out)
    assert out.getvalue().startswith("核对一致")
    row = UnionTotal.objects.get(org=world["G1112"], kind__code="education")
    assert (row.amount, row.entries) == (Decimal("2000.00"), 1)
    UnionTotal.objects.filter(pk=row.pk).update(amount=Decimal("2100.00"))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("reconcile_ledger", stdout=out)
    assert exit_.value.code == 1
    text = out.getvalue()
    assert (f"不一致：明光路商圈联合工会 {ago(50).year}年 助学（金秋助学）/社会捐赠：台账合计 2100.00 元（1 笔），"
            "分录重算 2000.00 元（1 笔）") in text
    assert "共 1 组合计不一致，0 条审批状态不一致。" in text
