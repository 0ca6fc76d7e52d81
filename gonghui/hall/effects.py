"""What completing an application does (办结效果): hooks registered by the app that owns the domain, keyed
by name, run inside the completing transition's transaction (a failure undoes the completion).

An item whose domain module does not exist yet has no effect: it completes, and its guide says so."""

from collections.abc import Callable

from gonghui.common.errors import DomainError

EFFECTS: dict[str, tuple[str, Callable]] = {}


def effect(key: str, *, label: str):
    """Register `func(application, *, by)` as the effect `key`."""
    def register(func):
        if key in EFFECTS:
            raise ValueError(f"办结效果 {key} 重复注册。")
        EFFECTS[key] = (label, func)
        return func
    return register


def choices() -> list[tuple[str, str]]:
    return [("", "（无）")] + [(key, label) for key, (label, _) in sorted(EFFECTS.items())]


def run(key: str, application, *, by) -> None:
    if key not in EFFECTS:
        raise DomainError(f"办结效果“{key}”未注册，无法办结，请联系系统管理员。")
    EFFECTS[key][1](application, by=by)


@effect("member_join", label="建立会员记录（入会）")
def join(application, *, by) -> None:
    """入会申请: the applicant becomes a member of the handling union (through members.actions.join_member;
    the approver was checked by the transition)."""
    from gonghui.members import actions as member_actions
    from gonghui.members import facts as member_facts
    from gonghui.members.models import Member

    from .actions import unsealed

    data = application.data
    raw = {f: data.get(f, "") for f in member_facts.LABELS if f not in ("id_number", "mobile", "member_number")}
    raw |= {"id_number": unsealed(data, "id_number"), "mobile": unsealed(data, "mobile"), "join_date": ""}
    checked, problems = member_facts.clean(raw)
    if checked is None:
        raise DomainError("入会信息不完整或有误：" + "；".join(m for _, m in problems))
    member_actions.join_member(org=application.handling_org, facts=checked, by=by, source=Member.Source.ONLINE,
                               note=f"网上办事大厅 {application.number}", authorised=True)
