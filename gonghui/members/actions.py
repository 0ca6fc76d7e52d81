"""Writes to the member database. Each action runs in one transaction, checks the domain rules
(DomainError with a Chinese message), writes the member's timeline and one audit entry in which
personal data appears only masked."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from gonghui.common import audit, codesets, mobile, personname, pii, states
from gonghui.common.actors import is_system
from gonghui.common.errors import DomainError
from gonghui.orgs.models import Org

from . import numbers, signals
from .facts import Facts
from .models import ID_CONTEXT, MOBILE_CONTEXT, Member, MemberEvent, Transfer
from .queries import can_approve_transfer, can_edit_members

# Facts a cadre may change on an existing record (identity — name, document — included: the
# record is corrected by its union); each change is audited old → new.
EDITABLE = ["name", "gender", "birth_date", "ethnicity", "education", "political_status", "household_type",
            "is_migrant_worker", "worker_group", "join_date"]
NEEDS_TRANSFER = "该身份证号已在其他工会登记为在会会员，不能重复入会；如本人已调动，请办理转会手续。"


def protect(facts: Facts) -> dict:
    """The stored form of the document and mobile numbers: blind index, ciphertexts, masked copies.
    Both ciphertexts carry the blind index as associated data, binding them to this person."""
    index = pii.blind_index(facts.id_number, purpose="id_number")
    out = {
        "id_index": index,
        "id_number_enc": pii.encrypt(facts.id_number, context=ID_CONTEXT + index),
        "id_masked": pii.mask_id(facts.id_number),
        "mobile_enc": "",
        "mobile_masked": "",
    }
    if facts.mobile:
        out["mobile_enc"] = pii.encrypt(facts.mobile, context=MOBILE_CONTEXT + index)
        out["mobile_masked"] = pii.mask_mobile(facts.mobile)
    return out


def _check_writer(by, org: Org) -> None:
    if not is_system(by) and not (can_edit_members(by) and org.is_within(by.org)):
        raise DomainError("您没有在该工会办理会员业务的权限。")


def _lock(member: Member) -> Member:
    # No join in the locking query: PostgreSQL would lock the union's row too, and a waiter whose row was
    # changed meanwhile (a transfer moved the member) re-checks the join and finds nothing (DoesNotExist).
    return Member.objects.select_for_update().get(pk=member.pk)


def join_member(*, org: Org, facts: Facts, by, source: str = Member.Source.MANUAL, note: str = "",
                authorised: bool = False) -> Member:
    """Enter a person as a member of `org`. A person whose record ended (left, retired) rejoins on
    the same record and keeps their member number; an active member anywhere is refused with the
    transfer message, which says nothing about where. `authorised`: the caller has checked that `by`
    may admit members to `org` another way (an approver accepting an online application)."""
    if not (is_system(by) or authorised):
        _check_writer(by, org)
    if org.status != Org.Status.ACTIVE:
        raise DomainError("该工会已撤销或合并，不能办理入会。", field="org")
    stored = protect(facts)
    with transaction.atomic():
        existing = Member.objects.select_for_update().filter(id_index=stored["id_index"]).first()
        if existing is not None:
            return _rejoin(existing, org=org, facts=facts, stored=stored, by=by, source=source, note=note)
        if facts.member_number and Member.objects.filter(member_number=facts.member_number).exists():
            raise DomainError("会员证号已被使用，请核对或留空由系统生成。", field="member_number")
        number = facts.member_number or numbers.allocate(org, timezone.localdate().year)[0]
        member = Member(org=org, member_number=number, source=source, **_plain_facts(facts), **stored)
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:
            # A concurrent join of the same person (the unique id_index) won, or, rarely, of a given number.
            if Member.objects.filter(id_index=stored["id_index"]).exists():
                raise DomainError(NEEDS_TRANSFER, field="id_number") from None
            raise DomainError("会员证号已被使用，请核对或留空由系统生成。", field="member_number") from None
        MemberEvent.objects.create(member=member, kind=MemberEvent.Kind.JOINED, date=facts.join_date, org=org,
                                   by=by, note=note or member.get_source_display())
        audit.record("member_join", actor=by, obj=member, changes={"org": str(org), "source": source})
    return member


def _plain_facts(facts: Facts) -> dict:
    return {f: getattr(facts, f) for f in EDITABLE} | {"doc_type": facts.doc_type}


def _rejoin(member: Member, *, org, facts, stored, by, source, note) -> Member:
    if member.status == Member.Status.ACTIVE:
        raise DomainError(NEEDS_TRANSFER, field="id_number")
    if member.status == Member.Status.DECEASED:
        raise DomainError("该身份证号对应的人员已登记为去世，不能入会；如登记有误，请联系原所在工会更正。",
                          field="id_number")
    if member.status_date and facts.join_date < member.status_date:
        # Without the date: the joining union may be outside the previous union's subtree.
        raise DomainError("入会日期早于该人员上一次会籍终止的日期，请填写本次实际入会的日期。", field="join_date")
    before = member.status
    for field, value in (_plain_facts(facts) | stored).items():
        setattr(member, field, value)
    member.org, member.status, member.status_date, member.source = org, Member.Status.ACTIVE, None, source
    member.save()
    MemberEvent.objects.create(member=member, kind=MemberEvent.Kind.REJOINED, date=facts.join_date, org=org, by=by,
                               note=note or member.get_source_display(), detail={"previous_status": before})
    audit.record("member_rejoin", actor=by, obj=member, changes={"org": str(org), "status": [before, "active"]})
    return member


AUDITED = EDITABLE + ["id_masked", "mobile_masked", "doc_type", "member_number"]
# What members may correct themselves on the worker portal; identity facts go through their union.
SELF_EDITABLE = {"education": codesets.EDUCATION, "political_status": codesets.POLITICAL_STATUS,
                 "household_type": codesets.HOUSEHOLD_TYPE, "worker_group": codesets.WORKER_GROUP}


def update_own_details(member: Member, *, changes: dict, by) -> Member:
    """A member's own correction of their mobile (proven by the portal with a code) or of the
    SELF_EDITABLE facts (codes or names; empty clears). `by` is the member's worker account, and nobody else's."""
    if getattr(getattr(by, "worker", None), "member_id", None) != member.pk:
        raise DomainError("只能更正本人绑定的会员信息。")
    with transaction.atomic():
        member = _lock(member)
        before = audit.snapshot(member, ["mobile_masked", *SELF_EDITABLE])
        for field, value in changes.items():
            if field == "mobile":
                number = mobile.normalize(value)
                member.mobile_enc = pii.encrypt(number, context=MOBILE_CONTEXT + member.id_index)
                member.mobile_masked = pii.mask_mobile(number)
            elif field in SELF_EDITABLE:
                empty = value is None or (isinstance(value, str) and not value.strip())
                setattr(member, field, "" if empty else codesets.lookup(SELF_EDITABLE[field], value)[0])
            else:
                raise DomainError("身份信息（姓名、证件号码、性别、出生日期、民族等）请联系所在工会更正。", field=field)
        after = audit.snapshot(member, ["mobile_masked", *SELF_EDITABLE])
        changed = audit.diff(before, after)
        if changed:
            member.save()
            MemberEvent.objects.create(member=member, kind=MemberEvent.Kind.UPDATED, date=timezone.localdate(),
                                       org=member.org, by=by, note="本人在职工服务平台更正", detail=changed)
            audit.record("member_update_self", actor=by, obj=member, changes=changed)
    return member


def update_member(member: Member, *, facts: Facts, by) -> Member:
    """Correct a member's facts. The document number, mobile and member number may change too; the
    new document number must not belong to another record. A changed join date moves the date of
    the (re)join event with it, so the timeline and the figures agree. Nothing changed: nothing written."""
    with transaction.atomic():
        member = _lock(member)
        _check_writer(by, member.org)
        before = audit.snapshot(member, AUDITED)
        old_index, old_join = member.id_index, member.join_date
        old_mobile = (pii.decrypt(member.mobile_enc, context=MOBILE_CONTEXT + old_index)
                      if member.mobile_enc else "")
        stored = protect(facts)
        if stored["id_index"] != old_index and Member.objects.filter(id_index=stored["id_index"]).exists():
            raise DomainError("该身份证号已属于另一条会员记录，不能改成这个号码。", field="id_number")
        if facts.member_number and facts.member_number != member.member_number:
            if Member.objects.filter(member_number=facts.member_number).exists():
                raise DomainError("会员证号已被使用，请核对。", field="member_number")
            member.member_number = facts.member_number
        for field, value in (_plain_facts(facts) | stored).items():
            setattr(member, field, value)
        after = audit.snapshot(member, AUDITED)
        changes = audit.diff(before, after)
        # The masks hide the middle digits: a change there is a change all the same.
        if stored["id_index"] != old_index:
            changes.setdefault("id_masked", [before["id_masked"], after["id_masked"]])
        if facts.mobile != old_mobile:
            changes.setdefault("mobile_masked", [before["mobile_masked"], after["mobile_masked"]])
        if not changes:
            member.refresh_from_db()
            return member
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:  # a concurrent join or update took the number first
            raise DomainError("该身份证号或会员证号已属于另一条会员记录，请核对。", field="id_number") from None
        if member.join_date != old_join:
            last_join = member.events.filter(
                kind__in=[MemberEvent.Kind.JOINED, MemberEvent.Kind.REJOINED]).order_by("-date", "-id").first()
            if last_join is not None:
                last_join.date = member.join_date
                last_join.save(update_fields=["date"])
        MemberEvent.objects.create(member=member, kind=MemberEvent.Kind.UPDATED, date=timezone.localdate(),
                                   org=member.org, by=by, detail={"fields": sorted(changes)})
        audit.record("member_update", actor=by, obj=member, changes=changes)
    return member


END_KINDS = {
    Member.Status.LEFT: MemberEvent.Kind.LEFT,
    Member.Status.RETIRED: MemberEvent.Kind.RETIRED,
    Member.Status.DECEASED: MemberEvent.Kind.DECEASED,
}


def end_membership(member: Member, *, status: str, date: datetime.date, by, note: str = "") -> Member:
    """退会, 退休 or 去世: the membership ends on `date`; the record stays. Pending transfers lapse."""
    if status not in END_KINDS:
        raise DomainError("会籍变动类型应为：退会、退休或去世。", field="status")
    with transaction.atomic():
        member = _lock(member)
        _check_writer(by, member.org)
        if member.status != Member.Status.ACTIVE:
            raise DomainError(f"该会员当前为“{member.get_status_display()}”，不能再办理此项。")
        if date > timezone.localdate():
            raise DomainError("日期不能晚于今天。", field="date")
        if date < member.join_date:
            raise DomainError("日期不能早于入会日期。", field="date")
        member.status, member.status_date = status, date
        member.save(update_fields=["status", "status_date", "updated_at"])
        Transfer.objects.filter(member=member, status=Transfer.Status.PENDING).update(
            status=Transfer.Status.CANCELLED, decision_note="会籍已终止", decided_at=timezone.now())
        MemberEvent.objects.create(member=member, kind=END_KINDS[status], date=date, org=member.org, by=by, note=note)
        signals.membership_ended.send(Member, member=member, status=status, date=date, by=by)
        audit.record(f"member_{status}", actor=by, obj=member, changes={"status": ["active", status], "date": date})
    return member


def request_transfer(*, id_number: str, name: str, to_org: Org, by, reason: str = "", doc_type: str = "resident"):
    """The receiving union asks for a member by document number and name. Whatever the outcome, the
    answer says nothing about the person's current union (R-AZ-6); the attempt is audited, a failed
    one too (outside the transaction, so it stays on record although the request fails)."""
    from .queries import id_index_of

    _check_writer(by, to_org)
    if to_org.status != Org.Status.ACTIVE:
        raise DomainError("转入工会已撤销或合并，不能办理转会。")
    index = id_index_of(id_number, doc_type=doc_type)
    try:
        typed_name = personname.normalize_name(name)  # 阿依古丽.买买提 finds 阿依古丽·买买提
    except DomainError:
        typed_name = None
    transfer = None
    with transaction.atomic():
        member = Member.objects.select_for_update().filter(id_index=index, status=Member.Status.ACTIVE).first()
        if member is not None and member.name == typed_name:
            if member.org_id == to_org.pk:
                raise DomainError("该会员已在本工会，无需转会。")
            if Transfer.objects.filter(member=member, status=Transfer.Status.PENDING).exists():
                raise DomainError("该会员已有一份待审批的转会申请，请等待原工会审批。")
            transfer = Transfer.objects.create(member=member, from_org=member.org, to_org=to_org, requested_by=by,
                                               reason=reason)
            audit.record("transfer_request", actor=by, obj=transfer, object_repr=f"转会申请 → {to_org}")
    if transfer is None:
        audit.record("transfer_request", actor=by, outcome=audit.AuditEntry.Outcome.FAILURE,
                     object_repr=f"转会申请 → {to_org}")
        raise DomainError("未找到与该证件号码和姓名相符的在会会员。如本人尚未入会，请直接办理入会。")
    return transfer


# A transfer's state machine: transition → the states it may leave. `request_transfer` files it (待审批);
# a membership that ends meanwhile lapses it (end_membership).
TS = Transfer.Status
TRANSFER_ALLOWED = {TS.APPROVED: frozenset({TS.PENDING}), TS.REJECTED: frozenset({TS.PENDING}),
                    TS.CANCELLED: frozenset({TS.PENDING})}
TRANSFER = states.Machine(Transfer, allowed=TRANSFER_ALLOWED, noun="该转会申请",
                          verbs={TS.APPROVED: "同意", TS.REJECTED: "拒绝", TS.CANCELLED: "撤回"})


def transition_transfer(transfer: Transfer, *, to: str, by, note: str = "") -> Transfer:
    """The one way a transfer request changes state, under row locks (the member's, then the request's: the
    order end_membership locks them in), so that the first decision wins and a second is refused. Each is
    audited (transfer_approve / transfer_reject / transfer_cancel).

    - 待审批 → 已同意 (approve), by an approver of the member's union or above, not the one who asked: the
      member moves to the receiving union keeping the number (an open hardship file follows), one
      MemberEvent records both sides. Refused if the member left meanwhile or the receiving union closed.
    - 待审批 → 已拒绝 (reject), by such an approver, with `note` (the reason).
    - 待审批 → 已撤回 (cancel), by a cadre of the receiving union (or above) that asked."""
    with transaction.atomic():
        member = _lock(Member(pk=Transfer.objects.values_list("member_id", flat=True).get(pk=transfer.pk)))
        transfer = TRANSFER.lock(transfer, to, by=by, related=("to_org", "from_org"))
        if to == TS.CANCELLED:
            _check_writer(by, transfer.to_org)
            transfer.decided_at = timezone.now()
            return TRANSFER.move(transfer, to=to, by=by, audit_as="transfer_cancel", fields=["decided_at"])
        if not is_system(by) and not can_approve_transfer(by, member):
            raise DomainError("只有会员所在工会或其上级工会的审核人可以审批转会。")
        if by.pk == transfer.requested_by_id:
            raise DomainError("不能审批自己提出的转会申请。")
        approve = to == TS.APPROVED
        if approve and member.status != Member.Status.ACTIVE:
            raise DomainError("该会员已不在会，不能转会。")
        if approve and transfer.to_org.status != Org.Status.ACTIVE:
            raise DomainError("转入工会已撤销或合并，不能同意转会；请拒绝该申请。")
        if not approve and not note.strip():
            raise DomainError("拒绝转会时请填写理由。", field="note")
        transfer.decided_by, transfer.decided_at, transfer.decision_note = by, timezone.now(), note
        TRANSFER.move(transfer, to=to, by=by, audit_as="transfer_approve" if approve else "transfer_reject")
        if approve:
            member.org = transfer.to_org
            member.save(update_fields=["org", "updated_at"])
            signals.member_transferred.send(Member, member=member, from_org=transfer.from_org,
                                            to_org=transfer.to_org, by=by)
            MemberEvent.objects.create(member=member, kind=MemberEvent.Kind.TRANSFERRED, date=timezone.localdate(),
                                       org=transfer.from_org, to_org=transfer.to_org, by=by, note=note)
    return transfer


def decide_transfer(transfer: Transfer, *, approve: bool, by, note: str = "") -> Transfer:
    """The current union or an ancestor approves or rejects (see `transition_transfer`)."""
    return transition_transfer(transfer, to=TS.APPROVED if approve else TS.REJECTED, by=by, note=note)


def cancel_transfer(transfer: Transfer, *, by) -> Transfer:
    """The receiving union withdraws its pending request (see `transition_transfer`)."""
    return transition_transfer(transfer, to=TS.CANCELLED, by=by)


def reveal(member: Member, *, by, reason: str) -> dict:
    """The full document and mobile numbers, for an account allowed to see them, with a reason.
    The caller (the page) has already required a POST and a fresh login; this checks the role and
    writes the audit entry (who, whose record, reason, IP)."""
    from .queries import can_reveal

    reason = (reason or "").strip()
    if not can_reveal(by) or not member.org.is_within(by.org):
        raise DomainError("您没有查看完整证件号码的权限。")
    if len(reason) < 2:
        raise DomainError("请填写查看原因。", field="reason")
    values = {
        "id_number": pii.decrypt(member.id_number_enc, context=ID_CONTEXT + member.id_index),
        "mobile": pii.decrypt(member.mobile_enc, context=MOBILE_CONTEXT + member.id_index)
        if member.mobile_enc else "",
    }
    audit.record("pii_reveal", actor=by, obj=member, changes={"reason": reason[:200]})
    return values


def _current_prefix() -> str:
    k = pii.keys()
    return f"v{k.current_version}:{pii.CIPHERS[k.cipher][0]}:"


def rotate_member_keys(*, batch: int = 5000, progress=None) -> dict[str, int]:
    """Re-encrypt every member token not under the current key and cipher; {"members", "id_numbers", "mobiles"}.
    Each batch commits on its own; `progress(counts)` is called after each."""
    prefix = _current_prefix()
    stale = ~Q(id_number_enc__startswith=prefix) | (~Q(mobile_enc="") & ~Q(mobile_enc__startswith=prefix))
    counts = {"members": 0, "id_numbers": 0, "mobiles": 0}
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(Member.objects.filter(stale, pk__gt=last_pk).order_by("pk").select_for_update()
                        .only("pk", "id_index", "id_number_enc", "mobile_enc")[:batch])
            if not rows:
                return counts
            for member in rows:
                try:
                    if pii.needs_rotation(member.id_number_enc):
                        member.id_number_enc = pii.rotate(member.id_number_enc, context=ID_CONTEXT + member.id_index)
                        counts["id_numbers"] += 1
                    if member.mobile_enc and pii.needs_rotation(member.mobile_enc):
                        member.mobile_enc = pii.rotate(member.mobile_enc, context=MOBILE_CONTEXT + member.id_index)
                        counts["mobiles"] += 1
                except pii.DecryptionError as e:
                    raise DomainError(f"会员记录 #{member.pk} 的密文无法解密：{e}（此前的批次已提交，"
                                       "补齐 PII_ENCRYPTION_KEYS 中的旧密钥后可重新运行）") from None
            Member.objects.bulk_update(rows, ["id_number_enc", "mobile_enc"])
            counts["members"] += len(rows)
            last_pk = rows[-1].pk
        if progress:
            progress(counts)
