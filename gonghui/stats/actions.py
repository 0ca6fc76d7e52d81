"""Writes of the statistics engine: a union's yearly targets (目标任务). The figures themselves are read-only."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from gonghui.common import audit
from gonghui.common.actors import is_system
from gonghui.common.errors import DomainError
from gonghui.orgs.models import Org

from .registry import REGISTRY
from .targets import Target, shown

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_VALUE = Decimal("999999999999.99")


def may_set_target(user, org: Org) -> bool:
    """Targets are set from above: by a 单位管理员 of `org`'s parent union; the root of the tree (which has no
    parent) sets its own."""
    if user is None or not user.is_authenticated or not user.is_active or not user.org_id:
        return False
    if not user.has_role("org_admin"):
        return False
    return org.parent_id == user.org_id or (org.parent_id is None and org.pk == user.org_id)


def sets_targets(user) -> bool:
    """Whether `user` may set any target at all — a 单位管理员 of a union with unions below it, or of the root —
    for the pages and the sidebar (each target is then checked with `may_set_target`)."""
    org = getattr(user, "org", None)
    if org is None or not user.is_active or not user.has_role("org_admin"):
        return False
    return org.level != Org.Level.GRASSROOTS or org.parent_id is None


def check_key(key: str) -> None:
    fig = REGISTRY.get(key)
    if fig is None:
        raise DomainError(f"没有统计指标“{key}”。", field="key")
    if not fig.additive:
        raise DomainError(f"“{fig.label}”不是可累加的指标（比率、平均数等），不能设定目标任务。", field="key")


def check_value(value) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(f"目标值“{value}”不是数字。", field="value") from None
    if not number.is_finite() or number < 0 or number > MAX_VALUE:
        raise DomainError("目标值应为不小于 0 的数字。", field="value")
    if number != number.quantize(Decimal("0.01")):
        raise DomainError("目标值最多保留两位小数。", field="value")
    return number.quantize(Decimal("0.01"))


def check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError(f"年度“{year}”无效，应为四位年份，如 2026。", field="year") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DomainError(f"年度应在 {FIRST_YEAR} 至 {LAST_YEAR} 之间。", field="year")
    return year


def set_target(*, org: Org, year: int, key: str, value, by) -> tuple[Target, bool]:
    """Set `org`'s target of `year` on figure `key` to `value` (in the figure's unit; 万元 to two places),
    replacing an earlier one. Only the 单位管理员 of org's parent (the root's own administrator for the root);
    the key must be an additive figure. Audited with the old and new value. Returns (target, created)."""
    if not is_system(by) and not may_set_target(by, org):
        raise DomainError("只有上级工会的单位管理员可以为本工会设定目标任务。")
    check_key(key)
    year = check_year(year)
    value = check_value(value)
    with transaction.atomic():
        target = Target.objects.select_for_update().filter(org=org, year=year, key=key).first()
        created = target is None
        old = None if created else target.value
        if created:
            target = Target(org=org, year=year, key=key)
        target.value, target.set_by, target.set_at = value, by, timezone.now()
        target.save()
        audit.record("stats_target_set", actor=by, obj=target,
                     object_repr=f"{org.name} {year}年 {target.label}",
                     changes={"org": org.code, "year": year, "key": key,
                              "value": [None if old is None else shown(old), shown(value)]})
    return target, created
