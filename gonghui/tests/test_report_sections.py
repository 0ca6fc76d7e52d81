"""Issue 13 part 4 from above the programs: the work report's sections that the programs contribute (their
`report.py`) carry the programs' figures as compute() gives them — hardship aid in 万元 with two places, 户 —
and a program with nothing in the period says so.

The world, in 瑶海区总工会 (K11)'s subtree: a county-level hardship file of 甲 (G1111) opened 2026-02-01, with
生活救助 12,345.67 元 paid 2026-05-10 and 送温暖 800.00 元 paid 2025-05-10 (the same period last year); outside,
in 庐阳区总工会 (K12), 乙's 生活救助 9,999.00 元 paid 2026-05-10.
"""

import datetime
import io
from decimal import Decimal

import pytest
from docx import Document

from gonghui.conftest import make_cadre
from gonghui.hardship import actions as hardship
from gonghui.ledger import actions as ledger
from gonghui.ledger.models import FundSource, PaymentKind
from gonghui.members.tests.conftest import member_factory  # noqa: F401 (fixture)
from gonghui.stats.registry import compute
from gonghui.stats.report import document, template

pytestmark = pytest.mark.django_db
H1 = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))


@pytest.fixture
def world(tree, member_factory):  # noqa: F811
    cadre = make_cadre(tree["P"], "operator", username="report_operator")
    approver = make_cadre(tree["P"], "approver", username="report_approver")

    def pay(member, kind, amount, day):
        approval = ledger.approve(member=member, kind=PaymentKind.objects.get(code=kind),
                                  fund_source=FundSource.objects.get(code="central"), amount=amount, by=approver)
        ledger.record_payment(approval=approval, by=cadre, key=ledger.new_key(), paid_on=day)

    for name, code, amounts in (("甲", "G1111", [("living", "12345.67", 2026), ("warmth", "800.00", 2025)]),
                                ("乙", "G1211", [("living", "9999.00", 2026)])):
        member = member_factory(code, name=name, join_date="2020-05-01")
        hardship.open_file(member=member, level="county", category="deep", by=cadre,
                           opened_on=datetime.date(2024, 2, 1),
                           household=[{"name": name, "relation": "本人", "monthly_income": "900"}])
        for kind, amount, year in amounts:
            pay(member, kind, amount, datetime.date(year, 5, 10))
    return tree


def test_program_sections_carry_their_figures_in_the_report(world):
    """Criterion 4: sections for hardship help, the service hall, mutual aid; 万元 with two decimals, 户,
    同比增长…%; the figures are compute()'s."""
    report = document.prepare(world["K11"], *H1)
    now = compute(world["K11"], *H1, keys=["hardship.aid_amount", "hardship.helped"])
    assert now == {"hardship.aid_amount": Decimal("1.23"), "hardship.helped": 1}
    text = "\n".join(p.text for p in Document(io.BytesIO(document.docx_bytes(report))).paragraphs)
    # one household helped in each year; 1.23 against 0.08 万元: (1.23 - 0.08) / 0.08 = 1437.5 %
    assert "期内帮扶困难职工1户，与去年同期持平，发放帮扶资金1.23万元，同比增长1437.5%。" in text
    assert "五、困难职工帮扶" in text and "六、职工互助保障" in text
    assert "期内网上办事大厅未收到办件。" in text
    assert "期内暂无职工互助保障参保和给付。" in text


def test_every_installed_app_contributes_its_section_in_order(db):
    """Criterion 2: the default template is assembled from the discovered report.py sections, in order."""
    assert [s.title for s in template.sections()] == [
        "", "组织建设", "会员发展", "网上入会", "网上办事", "困难职工帮扶", "职工互助保障"]
    assert template.check(template.default_text())  # every placeholder of every section is a figure
