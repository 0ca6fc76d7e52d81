"""A plan's benefit rules (给付规则) applied to one claim, with the working shown to the member and the cadre:

    benefit = min((expense − deductible) × ratio, per-claim cap, yearly cap − paid this year), never below 0,

each step rounded to the fen, half up (四舍五入到分)."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def yuan(amount: Decimal) -> str:
    """12000 → "12,000.00 元"."""
    return f"{amount.quantize(CENT, ROUND_HALF_UP):,.2f} 元"


def percent(ratio: Decimal) -> str:
    """0.5 → "50%", 0.655 → "65.5%"."""
    value = (ratio * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value.normalize():f}%"


def compute_benefit(plan, expense: Decimal, paid_this_year: Decimal) -> tuple[Decimal, list[str]]:
    """(benefit, working lines in Chinese) for an expense under `plan`'s rules, given what the member has
    already been granted under the plan this year (approved claims)."""
    expense = Decimal(expense).quantize(CENT, ROUND_HALF_UP)
    paid_this_year = Decimal(paid_this_year).quantize(CENT, ROUND_HALF_UP)
    deductible = plan.deductible or ZERO
    over = expense - deductible
    if over <= 0:
        return ZERO, [f"医疗费用 {yuan(expense)} 未超过起付线 {yuan(deductible)}，无可给付金额。", "给付金额 0.00 元"]
    working = [f"医疗费用 {yuan(expense)} − 起付线 {yuan(deductible)} = {yuan(over)}"]
    benefit = (over * plan.ratio).quantize(CENT, ROUND_HALF_UP)
    working.append(f"× 给付比例 {percent(plan.ratio)} = {yuan(benefit)}")
    if plan.per_claim_cap is not None:
        if benefit > plan.per_claim_cap:
            benefit = plan.per_claim_cap.quantize(CENT)
            working.append(f"单次最高给付 {yuan(plan.per_claim_cap)}，取 {yuan(benefit)}")
        else:
            working.append(f"未超过单次最高给付 {yuan(plan.per_claim_cap)}")
    if plan.yearly_cap is not None:
        left = max(ZERO, plan.yearly_cap - paid_this_year).quantize(CENT)
        line = f"本年度已给付 {yuan(paid_this_year)}，年度剩余 {yuan(left)}（年度最高给付 {yuan(plan.yearly_cap)}）"
        if benefit > left:
            benefit = left
            line += f"，取 {yuan(benefit)}"
        working.append(line)
    benefit = max(ZERO, benefit)
    working.append(f"给付金额 {yuan(benefit)}")
    return benefit, working
