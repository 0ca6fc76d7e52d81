"""The programs that pay through the ledger, registered by each program in its own `hooks.py`.

The ledger is an engine: it records who approved, who paid and how much, for any program, and never names
one. A program registers its code and label (the 所属业务 of a 帮扶类别), and may add:
- `check(member, kind)`: a rule that must hold before an approval of one of its kinds (e.g. 先建档后帮扶).
  It raises DomainError to refuse, and returns the approval's extra fields (e.g. the file it was paid under);
- `recipients`: a named list a 批量发放 can be drawn from (e.g. every household on file in the subtree);
- `person_links(user, member)`: links shown on a person's ledger page (e.g. the member's files).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

OTHER = ("other", "其他")


@dataclass(frozen=True)
class Recipients:
    """A list a bulk disbursement can be drawn from: `members(user, option)` gives the members in the user's
    subtree, `options` narrow it (e.g. a category), `empty` is the message when nobody matches."""

    code: str
    label: str
    members: Callable
    option_label: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    empty: str = "没有符合条件的人员。"


@dataclass(frozen=True)
class Program:
    code: str
    label: str
    check: Callable | None = None
    recipients: Recipients | None = None
    person_links: Callable | None = None


PROGRAMS: dict[str, Program] = {}


def register(code: str, label: str, *, check=None, recipients: Recipients | None = None, person_links=None) -> None:
    """Called once by the program at start-up (its hooks.py); a second registration of a code is a mistake."""
    if code in PROGRAMS or code == OTHER[0]:
        raise ValueError(f"业务 {code} 重复注册。")
    PROGRAMS[code] = Program(code, label, check, recipients, person_links)


def choices() -> list[tuple[str, str]]:
    """所属业务 of a 帮扶类别: the registered programs, then 其他."""
    return [(p.code, p.label) for p in PROGRAMS.values()] + [OTHER]


def label(code: str) -> str:
    return dict(choices()).get(code, code)


def checked_fields(member, kind) -> dict:
    """Run the checks of the kind's program (none for 其他 or an unregistered one); the approval's extra fields."""
    program = PROGRAMS.get(kind.program)
    return program.check(member, kind) if program and program.check else {}


def recipient_lists() -> list[Recipients]:
    return [p.recipients for p in PROGRAMS.values() if p.recipients]


def person_links(user, member) -> list[tuple[str, str]]:
    """(text, url) of every program's links for `member` as `user` may see them."""
    return [link for p in PROGRAMS.values() if p.person_links for link in p.person_links(user, member)]
