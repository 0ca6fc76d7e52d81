"""Writes to the ledger: approve (审批), record the payment (发放登记, by someone else), reverse (冲销), and the
bulk disbursement (批量发放, e.g. 送温暖) with its preview. One transaction each, DomainError in Chinese,
an audit entry for every approval and entry, the union's running book kept in the same transaction."""

import datetime
import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gonghui.common import audit, states
from gonghui.common.actors import is_system
from gonghui.common.errors import DomainError
from gonghui.common.money import parse_yuan
from gonghui.members.models import Member
from gonghui.orgs.models import Org
from gonghui.orgs.queries import in_scope, scope_org

from . import programs
from .models import Approval, Disbursement, Entry, FundSource, PaymentKind, UnionTotal

APPROVE_ROLES = ("approver", "org_admin")
RECORD_ROLES = ("operator", "org_admin")
ALREADY_PAID = "该审批已登记发放，不能重复发放。"
SAME_PERSON = "审批人与发放登记人不能为同一人（审批与发放登记分离）。"
BATCH_LINE = "该审批属于批量发放“{}”，请在批次页面整批登记发放。"


def new_key() -> str:
    """An idempotency key for a form: the same submission twice records one payment."""
    return uuid.uuid4().hex


def may_approve(user) -> bool:
    """Whether `user` approves (and reverses) aid at all: 审核人 or 单位管理员 with a union. The pages ask this;
    each approval is checked with `can_approve` for its union."""
    return scope_org(user) is not None and user.has_role(*APPROVE_ROLES)


def may_record(user) -> bool:
    """Whether `user` records payments at all: 经办人 or 单位管理员 with a union (then `can_record` per union)."""
    return scope_org(user) is not None and user.has_role(*RECORD_ROLES)


def can_approve(user, org: Org) -> bool:
    return may_approve(user) and in_scope(user, org)


def can_record(user, org: Org) -> bool:
    return may_record(user) and in_scope(user, org)


def earlier_same_kind(member: Member, kind: PaymentKind, on: datetime.date, *,
                      exclude_approval: int | None = None) -> list[Entry]:
    """Payments of `kind` to `member` within the kind's duplicate window before `on`
    (`PaymentKind.duplicate_window`) and not reversed, but those of approval `exclude_approval`: what the
    duplicate check (重复领取提示) warns about."""
    window = kind.duplicate_window(on)
    if window is None:
        return []
    entries = Entry.objects.filter(member=member, kind=kind, reversal_of__isnull=True, reversed_by__isnull=True,
                                   paid_on__range=window)
    if exclude_approval is not None:
        entries = entries.exclude(approval=exclude_approval)
    return list(entries.select_related("org"))


def duplicate_warning(member: Member, kind: PaymentKind, on: datetime.date, *,
                      exclude_approval: int | None = None) -> str:
    """The 重复领取提示 shown at approval (preview and the approval's page), or "" when there is nothing to warn of.
    The approval's page leaves out its own payment (`exclude_approval`)."""
    earlier = earlier_same_kind(member, kind, on, exclude_approval=exclude_approval)
    if not earlier:
        return ""
    shown = "、".join(f"{e.paid_on:%Y-%m-%d} {e.amount} 元（{e.org.name}）" for e in earlier[:3])
    return f"注意：{kind.duplicate_days}天内已领取过{kind.name}：{shown}。"


def _check_payable(member: Member, kind: PaymentKind, fund_source: FundSource) -> dict:
    """The approval's extra fields from the kind's program (programs.py: e.g. 先建档后帮扶 gives the file);
    refuses inactive kinds, sources and members, and whatever the program's own rule refuses."""
    if not kind.active:
        raise DomainError(f"帮扶类别“{kind.name}”已停用。", field="kind")
    if not fund_source.active:
        raise DomainError(f"资金来源“{fund_source.name}”已停用。", field="fund_source")
    if member.status != Member.Status.ACTIVE:
        raise DomainError(f"{member.name}不是在会会员，不能发放。")
    return programs.checked_fields(member, kind)


def approve(*, member: Member, kind: PaymentKind, fund_source: FundSource, amount, by, org: Org | None = None,
            reason: str = "", source: str = "", batch: Disbursement | None = None) -> Approval:
    """审批: `by` (审核人 or 单位管理员 of `org` or above) decides to pay. `org` is the paying union, by default
    the member's. The payment is recorded later by someone else (`record_payment`)."""
    org = org or member.org
    if not is_system(by) and not can_approve(by, org):
        raise DomainError("您没有审批该工会帮扶资金的权限（须为本级或上级工会的审核人）。")
    if not member.org.is_within(org):
        raise DomainError("只能审批本工会及下级工会会员的帮扶。")
    amount = parse_yuan(amount, label="金额", field="amount")
    if amount <= 0:
        raise DomainError("金额应大于 0 元。", field="amount")
    with transaction.atomic():
        extra = _check_payable(member, kind, fund_source)
        try:
            with transaction.atomic():
                approval = Approval.objects.create(
                    member=member, org=org, kind=kind, fund_source=fund_source, amount=amount, reason=reason.strip(),
                    batch=batch, source=source, approved_by=by, **extra)
        except IntegrityError:
            raise DomainError("该业务已有审批，不能重复审批。") from None
        audit.record("ledger_approve", actor=by, obj=approval, changes={
            "member": member.member_number, "kind": kind.code, "fund_source": fund_source.code,
            "amount": str(amount), "org": org.name, "source": source})
    return approval


def _add_to_total(entry: Entry) -> None:
    key = {"org_id": entry.org_id, "year": entry.paid_on.year, "kind_id": entry.kind_id,
           "fund_source_id": entry.fund_source_id}
    if UnionTotal.objects.filter(**key).update(amount=F("amount") + entry.amount, entries=F("entries") + 1):
        return
    try:
        with transaction.atomic():
            UnionTotal.objects.create(**key, amount=entry.amount, entries=1)
    except IntegrityError:  # created by a concurrent payment in between
        UnionTotal.objects.filter(**key).update(amount=F("amount") + entry.amount, entries=F("entries") + 1)


def _write_entry(approval: Approval, *, by, paid_on: datetime.date, key: str, note: str = "",
                 reversal_of: Entry | None = None, history: bool = False) -> Entry:
    amount = -reversal_of.amount if reversal_of else approval.amount
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                member=approval.member, org=approval.org, kind=approval.kind, fund_source=approval.fund_source,
                amount=amount, paid_on=paid_on, approval=approval,
                approved_by=by if reversal_of else approval.approved_by, recorded_by=by, idempotency_key=key,
                reversal_of=reversal_of, note=note.strip()[:200], is_history=history)
    except IntegrityError:  # the constraints: paid already (a concurrent click), or the same key reused
        raise DomainError("该冲销已登记。" if reversal_of else ALREADY_PAID) from None
    _add_to_total(entry)
    return entry


def _check_recorder(approval: Approval, by) -> None:
    if is_system(by):
        return
    if not can_record(by, approval.org):
        raise DomainError("您没有登记该工会帮扶资金发放的权限（须为本级或上级工会的经办人）。")
    if by.pk == approval.approved_by_id:
        raise DomainError(SAME_PERSON)


def _paid_on(paid_on: datetime.date | None) -> datetime.date:
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise DomainError("发放日期不能晚于今天。", field="paid_on")
    return paid_on


# An approval's state machine: transition → the states it may leave. `approve` creates it (已审批待发放).
AS = Approval.Status
ALLOWED = {AS.PAID: frozenset({AS.APPROVED}), AS.REVERSED: frozenset({AS.PAID})}
MACHINE = states.Machine(Approval, allowed=ALLOWED, noun="该审批",
                         verbs={AS.PAID: "登记发放", AS.REVERSED: "冲销"})


def transition_approval(approval: Approval, *, to: str, by, key: str = "", paid_on: datetime.date | None = None,
                        note: str = "", reason: str = "", batch: Disbursement | None = None) -> Entry:
    """The one way an approval changes state, in one transaction (the caller's, when there is one) and under
    the approval's row lock: of two cadres clicking at once one writes, the other waits, then is told it was
    done. Each writes one ledger entry (append-only), adds it to the union's running book and audits it.
    Returns the entry.

    - 已审批待发放 → 已发放 (发放登记), by a 经办人 or 单位管理员 of the paying union or above who did not
      approve it: the payment entry. `key` makes it idempotent (the same key again returns the entry already
      written; a key used for another approval is refused); a line of a 批量发放 only with its `batch`.
    - 已发放 → 已冲销 (冲销), by a 审核人 or 单位管理员 of the paying union or above, with `reason`: an entry of
      the opposite amount (the first stays); a new approval pays again."""
    with transaction.atomic():  # usually the caller's (a batch pays all its lines or none)
        approval = MACHINE.lock(approval, to, by=by, related=("member", "org", "kind", "fund_source", "batch"),
                                check=False)
        if to == AS.REVERSED:
            if not (reason or "").strip():
                raise DomainError("请填写冲销原因。", field="reason")
            if not is_system(by) and not can_approve(by, approval.org):
                raise DomainError("您没有冲销该工会帮扶资金的权限（须为本级或上级工会的审核人）。")
            MACHINE.check(approval, to)
            paid = Entry.objects.select_for_update().get(approval=approval, reversal_of__isnull=True)
            entry = _write_entry(approval, by=by, paid_on=timezone.localdate(), key=f"reversal:{paid.pk}",
                                 note=f"冲销：{reason.strip()}", reversal_of=paid)
        else:
            if batch is None and approval.batch_id is not None:
                raise DomainError(BATCH_LINE.format(approval.batch.title))
            done = Entry.objects.filter(idempotency_key=key).first()
            if done is not None:
                if done.approval_id != approval.pk:
                    raise DomainError("该提交已用于另一笔发放，请刷新页面后重试。")
                return done
            _check_recorder(approval, by)
            MACHINE.check(approval, to)
            entry = _write_entry(approval, by=by, paid_on=_paid_on(paid_on), key=key, note=note)
        changes = {"member": approval.member.member_number, "kind": approval.kind.code, "amount": str(entry.amount),
                   "paid_on": str(entry.paid_on), "approval": approval.pk} | (
            {"reversal_of": entry.reversal_of_id} if entry.reversal_of_id else {})
        MACHINE.move(approval, to=to, by=by, fields=[], audited=entry, changes=changes,
                     audit_as="ledger_reverse" if entry.reversal_of_id else "ledger_pay")
        return entry


def record_payment(*, approval: Approval, by, key: str, paid_on: datetime.date | None = None,
                   note: str = "") -> Entry:
    """发放登记: the payment of an approval, recorded once (see `transition_approval`); the database constraint
    `one_payment_per_approval` stands behind the row lock. A line of a 批量发放 is refused: it is paid with its
    whole batch (`record_disbursement`), or the batch could never be recorded."""
    return transition_approval(approval, to=AS.PAID, by=by, key=key, paid_on=_paid_on(paid_on), note=note)


def reverse(*, entry: Entry, by, reason: str) -> Entry:
    """冲销 of a payment entry (see `transition_approval`)."""
    if entry.reversal_of_id is not None:
        raise DomainError("冲销分录不能再冲销。")
    return transition_approval(entry.approval, to=AS.REVERSED, by=by, reason=reason)


# History (历史帮扶发放记录) ----------------------------------------------------------------------------

HISTORY_PREFIX = "history:"
HISTORY_SINCE = datetime.date(2000, 1, 1)
HISTORY_ALREADY = "该笔发放已导入过（同一人、类别、金额、日期和发放工会），不重复记账。"


def history_key(*, id_index: str, kind: PaymentKind, amount: Decimal, paid_on: datetime.date, org: Org) -> str:
    """The idempotency key of a history payment, from what identifies it: the person (by the ID number's blind
    index, never the number itself), kind, amount, date and paying union. The same row imported twice — the
    same file again, or a corrected error file holding rows already in — gives the same key, which the
    database takes once (as the approval's `source` and the entry's `idempotency_key`)."""
    text = "|".join([id_index, kind.code, f"{amount:.2f}", paid_on.isoformat(), org.code])
    return HISTORY_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:40]


def may_import_history(user) -> bool:
    """Whether `user` imports past payments: as for recording payments, 经办人 or 单位管理员 with a union."""
    return may_record(user)


def record_history(*, member: Member, org: Org, kind: PaymentKind, fund_source: FundSource, amount, paid_on,
                   by, key: str, note: str = "") -> Entry:
    """历史导入: a payment made before the union used the system, written as an approval already paid and its
    entry, both marked `is_history`, in one transaction, with an audit entry; the union's running book counts
    it like any payment. `by` (经办人 or 单位管理员) vouches for it: both `org` and `member` must be in their
    subtree. It happened already, so the programs' rules before an approval (先建档后帮扶), the member's
    current status and the kind's 启用 do not apply; the date must be in the past. `key` (`history_key`)
    makes it idempotent: a key already taken is refused with `HISTORY_ALREADY`. The approval is paid from
    the start, so it can never be paid again; a wrong one is reversed (冲销) like any payment."""
    if not is_system(by) and not (may_import_history(by) and in_scope(by, org) and in_scope(by, member.org)):
        raise DomainError("只能导入本工会及下级工会的历史发放记录（须为经办人或单位管理员）。")
    amount = parse_yuan(amount, label="金额", field="amount")
    if amount <= 0:
        raise DomainError("金额应大于 0 元。", field="amount")
    if paid_on > timezone.localdate():
        raise DomainError("发放日期不能晚于今天。", field="paid_on")
    if paid_on < HISTORY_SINCE:
        raise DomainError(f"发放日期不能早于 {HISTORY_SINCE:%Y-%m-%d}。", field="paid_on")
    if not key.startswith(HISTORY_PREFIX):
        raise ValueError("history key expected (history_key)")
    note = note.strip()[:200]
    with transaction.atomic():
        try:
            with transaction.atomic():
                approval = Approval.objects.create(
                    member=member, org=org, kind=kind, fund_source=fund_source, amount=amount,
                    reason=note or "历史帮扶发放记录导入", source=key, approved_by=by, status=AS.PAID, is_history=True)
        except IntegrityError:
            raise DomainError(HISTORY_ALREADY) from None
        entry = _write_entry(approval, by=by, paid_on=paid_on, key=key, note=note, history=True)
        audit.record("ledger_history", actor=by, obj=entry, changes={
            "member": member.member_number, "kind": kind.code, "fund_source": fund_source.code,
            "amount": str(amount), "paid_on": str(paid_on), "org": org.name, "approval": approval.pk})
    return entry


# Bulk disbursement ------------------------------------------------------------------------------------

@dataclass
class Line:
    member: Member
    problem: str = ""  # refuses the whole batch
    warning: str = ""  # shown, does not refuse


@dataclass
class Preview:
    lines: list[Line] = field(default_factory=list)
    amount_each: Decimal = Decimal("0")

    @property
    def ok(self) -> bool:
        return bool(self.lines) and not any(line.problem for line in self.lines)

    @property
    def problems(self) -> list[Line]:
        return [line for line in self.lines if line.problem]

    @property
    def total(self) -> Decimal:
        return self.amount_each * len(self.lines)


def preview_disbursement(*, org: Org, kind: PaymentKind, fund_source: FundSource, amount_each, members: list[Member],
                         by, on: datetime.date | None = None) -> Preview:
    """What a bulk disbursement would do, line by line, writing nothing: each member's problem (outside the
    union, not a member, 先建档后帮扶, listed twice) and duplicate warning."""
    if not is_system(by) and not can_approve(by, org):
        raise DomainError("您没有审批该工会帮扶资金的权限（须为本级或上级工会的审核人）。")
    amount = parse_yuan(amount_each, label="每户金额", field="amount_each")
    if amount <= 0:
        raise DomainError("每户金额应大于 0 元。", field="amount_each")
    if not members:
        raise DomainError("名单为空：请至少列出一名会员。", field="members")
    on = on or timezone.localdate()
    seen: set[int] = set()
    preview = Preview(amount_each=amount)
    for member in members:
        line = Line(member)
        if member.pk in seen:
            line.problem = "名单中重复出现。"
        elif not member.org.is_within(org):
            line.problem = f"不是{org.name}或其下级工会的会员。"
        else:
            try:
                _check_payable(member, kind, fund_source)
            except DomainError as e:
                line.problem = e.message
        seen.add(member.pk)
        line.warning = duplicate_warning(member, kind, on)
        preview.lines.append(line)
    return preview


def approve_disbursement(*, title: str, org: Org, kind: PaymentKind, fund_source: FundSource, amount_each,
                         members: list[Member], by) -> Disbursement:
    """The one confirmation of a bulk disbursement: every line approved, or (any line with a problem)
    nothing at all."""
    if not (title or "").strip():
        raise DomainError("请填写批次名称（如“2026年春节送温暖”）。", field="title")
    preview = preview_disbursement(org=org, kind=kind, fund_source=fund_source, amount_each=amount_each,
                                   members=members, by=by)
    if not preview.ok:
        first = preview.problems[0]
        raise DomainError(f"名单中有{len(preview.problems)}人不能发放（如{first.member.name}：{first.problem}），"
                          "请修改名单后重新预览；本批次未保存任何记录。")
    with transaction.atomic():
        batch = Disbursement.objects.create(title=title.strip(), org=org, kind=kind, fund_source=fund_source,
                                            amount_each=preview.amount_each, approved_by=by)
        for line in preview.lines:
            approve(member=line.member, kind=kind, fund_source=fund_source, amount=preview.amount_each, by=by,
                    org=org, reason=batch.title, batch=batch)
        audit.record("ledger_batch_approve", actor=by, obj=batch, changes={
            "lines": len(preview.lines), "amount_each": str(preview.amount_each), "total": str(preview.total)})
    return batch


def record_disbursement(*, batch: Disbursement, by, key: str, paid_on: datetime.date | None = None) -> list[Entry]:
    """发放登记 for a whole batch in one transaction: every line's entry, or none (any refusal undoes it all)."""
    paid_on = _paid_on(paid_on)
    with transaction.atomic():
        batch = Disbursement.objects.select_for_update().get(pk=batch.pk)
        if batch.status == Disbursement.Status.PAID:
            raise DomainError("该批次已登记发放，不能重复发放。")
        if not is_system(by) and by.pk == batch.approved_by_id:
            raise DomainError(SAME_PERSON)
        approvals = list(batch.approvals.order_by("id"))
        entries = [transition_approval(a, to=AS.PAID, by=by, key=f"{key}:{a.pk}", paid_on=paid_on, batch=batch)
                   for a in approvals]
        batch.status = Disbursement.Status.PAID
        batch.save(update_fields=["status"])
        audit.record("ledger_batch_pay", actor=by, obj=batch, changes={
            "entries": len(entries), "total": str(sum((e.amount for e in entries), Decimal("0")))})
    return entries
