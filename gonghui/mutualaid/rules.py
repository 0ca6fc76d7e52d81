"""A plan's benefit rules (给付规则) applied to one claim, with the working shown to the member and the cadre:

    benefit = min((expense − deductible) × ratio, per-claim cap, yearly cap − paid this year), never below 0,

each step rounded to the fen, half up (四舍五入到分)."""

from decimal import ROUND_HALF_UP, Decimal

from gonghui.common.money import CENT, yuan

ZERO = Decimal("0.00")


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
        left = _yearly_room(plan, paid_this_year)
        line = f"本年度已给付 {yuan(paid_this_year)}，年度剩余 {yuan(left)}（年度最高给付 {yuan(plan.yearly_cap)}）"
        if benefit > left:
            benefit = left
            line += f"，取 {yuan(benefit)}"
        working.append(line)
    benefit = max(ZERO, benefit)
    working.append(f"给付金额 {yuan(benefit)}")
    return benefit, working


def cap_at_approval(plan, benefit: Decimal, paid_this_year: Decimal) -> tuple[Decimal, str | None]:
    """At approval a claim keeps the benefit computed when it was filed (a plan changed since does not
    change it), cut only to what is left of the yearly cap after the claims approved meanwhile: (benefit,
    the line to append to its working, or None when it fits)."""
    if plan.yearly_cap is None:
        return benefit, None
    left = _yearly_room(plan, paid_this_year)
    if benefit <= left:
        return benefit, None
    return left, (f"核准时本年度已给付 {yuan(paid_this_year)}，年度剩余 {yuan(left)}"
                  f"（年度最高给付 {yuan(plan.yearly_cap)}），取 {yuan(left)}")


def _yearly_room(plan, paid_this_year: Decimal) -> Decimal:
    return max(ZERO, plan.yearly_cap - Decimal(paid_this_year)).quantize(CENT)
