"""The one transition mechanism of the state machines (a hall application, a join application, a transfer, a
mutual-aid claim, a ledger approval). Each machine is a `TextChoices` status, an explicit map of the allowed
transitions and one transition function in its app's actions.py whose docstring says what each transition
does; the steps they all share are here: re-read the row under a lock, refuse a transition its state does
not allow, set the new state, save, and write the audit entry.

The row lock is what makes concurrent transitions safe: of two cadres acting at once the second waits, then
reads the state the first left and is refused with a message saying it was probably handled already."""

from collections.abc import Collection, Mapping

from django.db import models

from . import audit
from .errors import DomainError

HANDLED_ELSEWHERE = "（可能已由他人处理，请刷新后查看）"


class Machine:
    """The allowed transitions of `model.status`. `allowed` maps each transition — named by the state it leads
    to, or by an action when the state it leads to depends on more (the hall's steps) — to the states it may
    leave; `verbs` gives each its Chinese verb for the refusal; `noun` names the record ("该申请")."""

    def __init__(self, model: type[models.Model], *, allowed: Mapping[str, Collection[str]],
                 verbs: Mapping[str, str], noun: str):
        missing = set(allowed) - set(verbs)
        if missing:
            raise ValueError(f"{model.__name__}: transitions without a verb: {sorted(missing)}")
        self.model, self.allowed, self.verbs, self.noun = model, allowed, verbs, noun

    def may(self, status: str, transition: str) -> bool:
        return status in self.allowed.get(transition, ())

    def lock(self, obj: models.Model, transition: str, *, by, related: tuple[str, ...] = (),
             check: bool = True) -> models.Model:
        """`obj` re-read under a row lock (inside the caller's transaction), with `related` joined but not
        locked; DomainError when `transition` may not leave the state it is in now (`check=False`: the caller
        looks at the locked row first and then calls `check`)."""
        if by is None:
            raise TypeError("by=None: a transition names who acts — a cadre, a worker or the system actor.")
        if transition not in self.allowed:
            raise DomainError("未知的办理操作。")
        row = self.model.objects.select_for_update(of=("self",)).select_related(*related).get(pk=obj.pk)
        if check:
            self.check(row, transition)
        return row

    def check(self, row: models.Model, transition: str) -> None:
        if not self.may(row.status, transition):
            raise DomainError(f"{self.noun}当前为“{row.get_status_display()}”，不能{self.verbs[transition]}"
                              f"{HANDLED_ELSEWHERE}。")

    def move(self, obj: models.Model, *, to: str, by, audit_as: str, changes: dict | None = None,
             fields: list[str] | None = None, audited: models.Model | None = None) -> models.Model:
        """Put the locked `obj` into state `to` and save it (`fields` besides the status, or every field),
        then audit `audit_as` with the status before and after (when it changed) and `changes`, on `audited`
        (a ledger entry records its approval's payment) or `obj`."""
        if to not in self.model.Status.values:
            raise ValueError(f"{self.model.__name__}: unknown state {to!r}")
        before = obj.status
        obj.status = to
        obj.save(update_fields=["status", *fields] if fields is not None else None)
        audit.record(audit_as, actor=by, obj=audited or obj, changes=(
            {"status": [before, to]} if before != to else {}) | (changes or {}))
        return obj
