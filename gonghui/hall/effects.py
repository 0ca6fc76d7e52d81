"""What completing an application does (办结效果): hooks registered by the app that owns the domain, keyed
by name, run inside the completing transition's transaction (a failure undoes the completion).

An item whose domain module does not exist yet has no effect: it completes, and its guide says so."""

from collections.abc import Callable

from gonghui.common.errors import DomainError

EFFECTS: dict[str, tuple[str, Callable]] = {}


def effect(key: str, *, label: str):
    """Register `func(application, *, by)` as the effect `key`; `by` is the cadre whose approval completed the
    application (or the system actor), and whatever the effect writes names them as who acted."""
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
