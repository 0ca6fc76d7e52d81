"""Issue 6 part 3, done-when "benefit computation against hand-worked examples (deductible, ratio, per-claim
and yearly caps)": compute_benefit with its working, each rule hit by an example worked by hand."""

from decimal import Decimal
from types import SimpleNamespace

from gonghui.mutualaid.rules import cap_at_approval, compute_benefit

D = Decimal


def rules(**overrides):
    values = {"deductible": D("1000.00"), "ratio": D("0.500"), "per_claim_cap": D("5000.00"),
              "yearly_cap": D("8000.00")} | overrides
    return SimpleNamespace(**values)


def test_benefit_deductible_and_ratio_below_the_caps():
    """Done-when (deductible, ratio): (4,000 − 1,000) × 50% = 1,500.00, under both caps."""
    benefit, working = compute_benefit(rules(), D("4000"), D("0"))
    assert benefit == D("1500.00")
    assert working == [
        "医疗费用 4,000.00 元 − 起付线 1,000.00 元 = 3,000.00 元",
        "× 给付比例 50% = 1,500.00 元",
        "未超过单次最高给付 5,000.00 元",
        "本年度已给付 0.00 元，年度剩余 8,000.00 元（年度最高给付 8,000.00 元）",
        "给付金额 1,500.00 元",
    ]


def test_benefit_per_claim_cap():
    """Done-when (per-claim cap): (12,000 − 1,000) × 50% = 5,500 → capped at 5,000.00."""
    benefit, working = compute_benefit(rules(), D("12000"), D("0"))
    assert benefit == D("5000.00")
    assert working[:3] == ["医疗费用 12,000.00 元 − 起付线 1,000.00 元 = 11,000.00 元",
                           "× 给付比例 50% = 5,500.00 元",
                           "单次最高给付 5,000.00 元，取 5,000.00 元"]


def test_benefit_yearly_cap():
    """Done-when (yearly cap): 5,000 after the per-claim cap, but 6,000 of 8,000 already granted: 2,000.00."""
    benefit, working = compute_benefit(rules(), D("12000"), D("6000"))
    assert benefit == D("2000.00")
    assert working[3] == "本年度已给付 6,000.00 元，年度剩余 2,000.00 元（年度最高给付 8,000.00 元），取 2,000.00 元"
    assert working[-1] == "给付金额 2,000.00 元"
    # Exhausted (or overdrawn by a change of the rules): nothing, never below 0.
    assert compute_benefit(rules(), D("12000"), D("9000"))[0] == D("0.00")


def test_benefit_expense_below_deductible():
    """Done-when (deductible): 800 of expenses under a 1,000 deductible give nothing; exactly 1,000 neither."""
    benefit, working = compute_benefit(rules(), D("800"), D("0"))
    assert benefit == D("0.00")
    assert working == ["医疗费用 800.00 元 未超过起付线 1,000.00 元，无可给付金额。", "给付金额 0.00 元"]
    assert compute_benefit(rules(), D("1000"), D("0"))[0] == D("0.00")


def test_benefit_rounds_to_the_fen_half_up_and_without_caps():
    """Part 3: 1.01 × 50% = 0.505 → 0.51; 65.5% of 1,000.05 = 655.03275 → 655.03; no cap lines without caps."""
    assert compute_benefit(rules(), D("1001.01"), D("0"))[0] == D("0.51")
    benefit, working = compute_benefit(rules(deductible=D("0"), ratio=D("0.655"), per_claim_cap=None,
                                             yearly_cap=None), D("1000.05"), D("0"))
    assert benefit == D("655.03")
    assert working == ["医疗费用 1,000.05 元 − 起付线 0.00 元 = 1,000.05 元", "× 给付比例 65.5% = 655.03 元",
                       "给付金额 655.03 元"]


def test_cap_at_approval_keeps_the_benefit_within_the_years_room():
    """Review finding 7: at approval the filed 5,000 stays when it fits what is left of the yearly cap
    (3,000 granted of 8,000), is cut to 3,000 when 5,000 has been granted (with the line to append), to 0
    when the year is used up, and never cut without a yearly cap."""
    assert cap_at_approval(rules(), D("5000.00"), D("3000")) == (D("5000.00"), None)
    assert cap_at_approval(rules(), D("5000.00"), D("5000")) == (D("3000.00"), (
        "核准时本年度已给付 5,000.00 元，年度剩余 3,000.00 元（年度最高给付 8,000.00 元），取 3,000.00 元"))
    assert cap_at_approval(rules(), D("5000.00"), D("8000"))[0] == D("0.00")
    assert cap_at_approval(rules(yearly_cap=None), D("5000.00"), D("90000")) == (D("5000.00"), None)
