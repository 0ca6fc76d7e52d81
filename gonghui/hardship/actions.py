"""Writes to hardship files: open (by a cadre, or from an approved 困难职工帮扶申请), pair a cadre, review
yearly, close with a reason, a note on the file, and the file following its member to a new union. One
transaction each, DomainError in Chinese, a FileEvent and an audit entry."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.common import audit
from gonghui.common.actors import is_system
from gonghui.common.errors import DomainError
from gonghui.common.money import CENT, parse_yuan
from gonghui.members.models import Member
from gonghui.orgs.models import Org
from gonghui.orgs.queries import in_scope, scope_org

from .models import FileEvent, HardshipFile, HouseholdMember
from .queries import open_file_of

MANAGE_ROLES = ("operator", "org_admin")
REVIEW_INTERVAL = datetime.timedelta(days=365)  # 动态管理: reviewed once a year
ALREADY_ON_FILE = "该职工已有在档的困难职工档案（一人一档），请在原档案上更新，不能重复建档。"
PLACEHOLDER = "待补录"  # a household member known only by the household's size, named at the next review


def may_manage(user) -> bool:
    """Whether `user` works on hardship files at all (经办人, 单位管理员): the pages, the import and the sidebar
    ask this; each file is then checked with `can_manage` (one predicate)."""
    return scope_org(user) is not None and user.has_role(*MANAGE_ROLES)


def can_manage(user, org: Org) -> bool:
    """Open, update, pair, review and close files of union `org`: `user` may manage files and `org` is in its
    subtree. A file is checked by its own union (`file.org`), the same union the lists and pages scope it by;
    an open file follows its member on a transfer (`follow_transfer`), so for an open file that is also the
    member's union."""
    return may_manage(user) and in_scope(user, org)


def _check(by, org: Org) -> None:
    if not is_system(by) and not can_manage(by, org):
        raise DomainError("您没有办理该会员困难帮扶业务的权限。")


def per_capita_income(total: Decimal, size: int) -> Decimal:
    """家庭人均月收入: a household's monthly income over its size, to the fen, half up (100.01 / 2 = 50.01) —
    the one division, used by the forms' households and the import alike."""
    return (Decimal(total) / size).quantize(CENT, rounding=ROUND_HALF_UP)


def per_capita(household: list[dict]) -> Decimal:
    """家庭人均月收入 of a household as typed ([{"name", "relation", "monthly_income"}])."""
    if not household:
        raise DomainError("请填写家庭成员（至少包括本人）。", field="household")
    total = sum((parse_yuan(p.get("monthly_income", 0), label=f"{p.get('name', '')}的月收入", field="household")
                 for p in household), Decimal("0"))
    return per_capita_income(total, len(household))


def placeholder_household(member: Member, size: int, income) -> list[dict]:
    """A household known only by its size and monthly income (an import row, a hall application): the member
    (本人) with the whole income and one placeholder (待补录) per other person, so that the per-capita income is
    right; the names are filled in at the next review (年度复核)."""
    return [{"name": member.name, "relation": "本人", "monthly_income": income}] + [
        {"name": PLACEHOLDER, "relation": "家庭成员", "monthly_income": "0"} for _ in range(size - 1)]


def _write_household(file: HardshipFile, household: list[dict]) -> None:
    for person in household:
        if not (person.get("name") or "").strip() or not (person.get("relation") or "").strip():
            raise DomainError("每位家庭成员须填写姓名和与本人关系。", field="household")
    HouseholdMember.objects.bulk_create([
        HouseholdMember(file=file, name=p["name"].strip(), relation=p["relation"].strip(),
                        monthly_income=parse_yuan(p.get("monthly_income", 0), label="月收入", field="household"))
        for p in household])


def open_file(*, member: Member, level: str, category: str, household: list[dict], by, causes: list[str] = (),
              housing: str = "", measures: str = "", responsible=None, source_application=None,
              opened_on: datetime.date | None = None, review_due: datetime.date | None = None,
              authorised: bool = False) -> HardshipFile:
    """建档. `household`: [{"name", "relation", "monthly_income"}], including the member. The first review is
    a year after opening unless `review_due` says otherwise (an imported file keeps its own). One open file per
    person anywhere (database constraint): a second is refused with the message to update the first.
    `authorised`: the caller has checked `by` another way (the hall's transition checked the approving cadre
    of a 困难职工帮扶申请, who is a 审核人 rather than a 经办人); `by` is still recorded as who opened it."""
    if not (is_system(by) or authorised):
        _check(by, member.org)
    if member.status != Member.Status.ACTIVE:
        raise DomainError("只能为在会会员建立困难职工档案。")
    if level not in HardshipFile.Level.values:
        raise DomainError("档案级别应为全国级、省级、市级或县级。", field="level")
    if category not in HardshipFile.Category.values:
        raise DomainError("困难类别应为深度困难、相对困难或意外致困。", field="category")
    income = per_capita(household)
    opened_on = opened_on or timezone.localdate()
    with transaction.atomic():
        if open_file_of(member) is not None:
            raise DomainError(ALREADY_ON_FILE)
        try:
            with transaction.atomic():
                file = HardshipFile.objects.create(
                    member=member, org=member.org, level=level, category=category, causes=list(causes),
                    housing=housing.strip(), per_capita_income=income, measures=measures.strip(),
                    responsible=responsible, review_due=review_due or opened_on + REVIEW_INTERVAL, opened_on=opened_on,
                    source_application=source_application)
        except IntegrityError:  # another cadre opened one at the same moment
            raise DomainError(ALREADY_ON_FILE) from None
        _write_household(file, household)
        FileEvent.objects.create(file=file, kind=FileEvent.Kind.OPENED, by=by,
                                 note="由困难职工帮扶申请建档" if source_application else "",
                                 detail={"level": level, "category": category, "per_capita_income": str(income)})
        audit.record("hardship_open", actor=by, obj=file, changes={
            "member": member.member_number, "level": level, "category": category,
            "per_capita_income": str(income), "review_due": str(file.review_due)})
    return file


def _lock(file: HardshipFile) -> HardshipFile:
    return HardshipFile.objects.select_for_update().select_related("member__org", "org").get(pk=file.pk)


def note_on_file(*, file: HardshipFile, note: str, by) -> FileEvent:
    """A note in the file's history (an event "更新" with the note) and the audit log: what happened to the
    household elsewhere, such as another approved 困难职工帮扶申请. No permission check: called by other actions
    that made their own (no FileEvent is written outside this module)."""
    with transaction.atomic():
        event = FileEvent.objects.create(file=file, kind=FileEvent.Kind.UPDATED, by=by, note=note.strip()[:300])
        audit.record("hardship_note", actor=by, obj=file, changes={"note": event.note})
    return event


def follow_transfer(member: Member, *, by) -> HardshipFile | None:
    """The open file follows its member: after a transfer has moved `member` to another union, the member's
    open file moves to that union too — its cadres see and manage it, the old union no longer does (a file is
    scoped by its union). A closed file stays where it was kept. Runs on `members.signals.member_transferred`
    (hooks.py) inside the transfer's transaction, as the approver of the transfer (whose permission that
    action checked). Returns the moved file, or None when there was nothing to move."""
    file = open_file_of(member)
    if file is None:
        return None
    with transaction.atomic():
        file = _lock(file)
        if file.status != HardshipFile.Status.OPEN or file.org_id == member.org_id:
            return None
        before = file.org.name
        file.org = member.org
        file.save(update_fields=["org"])
        changes = {"org": [before, member.org.name]}
        FileEvent.objects.create(file=file, kind=FileEvent.Kind.UPDATED, by=by,
                                 note=f"随会员转会移交至{member.org.name}", detail=changes)
        audit.record("hardship_transfer", actor=by, obj=file, changes=changes)
    return file


def review_on_membership_end(member: Member, *, status_label: str, date: datetime.date, by) -> HardshipFile | None:
    """The member's membership ended (退会, 退休, 去世): their open file is not closed behind the cadres' backs —
    whether the household still needs help is their decision — but it is due for review at once (it joins the
    复核到期 list) with the reason in its history. Runs on `members.signals.membership_ended`, inside that
    action's transaction. Returns the file, or None when the member had no open file."""
    file = open_file_of(member)
    if file is None:
        return None
    with transaction.atomic():
        file = _lock(file)
        before = str(file.review_due)
        file.review_due = min(file.review_due, date)
        file.save(update_fields=["review_due"])
        changes = {"review_due": [before, str(file.review_due)]}
        FileEvent.objects.create(file=file, kind=FileEvent.Kind.UPDATED, by=by,
                                 note=f"会员已{status_label}（{date:%Y-%m-%d}），档案列入复核", detail=changes)
        audit.record("hardship_member_ended", actor=by, obj=file, changes=changes)
    return file


def pair(*, file: HardshipFile, cadre, by) -> HardshipFile:
    """结对帮扶: a cadre of the file's union or above is paired with the household."""
    with transaction.atomic():
        file = _lock(file)
        _check(by, file.org)
        if not in_scope(cadre, file.org):
            raise DomainError("结对干部须为建档工会或其上级工会的干部。", field="paired_cadre")
        before = str(file.paired_cadre) if file.paired_cadre_id else None
        file.paired_cadre = cadre
        file.save(update_fields=["paired_cadre"])
        FileEvent.objects.create(file=file, kind=FileEvent.Kind.PAIRED, by=by, note=str(cadre))
        audit.record("hardship_pair", actor=by, obj=file, changes={"paired_cadre": [before, str(cadre)]})
    return file


def set_plan(*, file: HardshipFile, by, measures: str, responsible=None,
             review_due: datetime.date | None = None) -> HardshipFile:
    """一人一策: the household's measures, the cadre responsible and the next review date."""
    if not (measures or "").strip():
        raise DomainError("请填写帮扶措施。", field="measures")
    if review_due is not None and review_due < timezone.localdate():
        raise DomainError("下次复核日期不能早于今天。", field="review_due")
    with transaction.atomic():
        file = _lock(file)
        _check(by, file.org)
        if file.status != HardshipFile.Status.OPEN:
            raise DomainError("该档案已退出，不能修改帮扶计划。")
        if responsible is not None and not in_scope(responsible, file.org):
            raise DomainError("责任人须为建档工会或其上级工会的干部。", field="responsible")
        before = audit.snapshot(file, ["measures", "responsible", "review_due"])
        file.measures = measures.strip()
        file.responsible = responsible
        file.review_due = review_due or file.review_due
        file.save(update_fields=["measures", "responsible", "review_due"])
        changes = audit.diff(before, audit.snapshot(file, ["measures", "responsible", "review_due"]))
        FileEvent.objects.create(file=file, kind=FileEvent.Kind.UPDATED, by=by, note="更新帮扶计划（一人一策）",
                                 detail=changes)
        audit.record("hardship_plan", actor=by, obj=file, changes=changes)
    return file


def review(*, file: HardshipFile, by, note: str, category: str | None = None,
           household: list[dict] | None = None) -> HardshipFile:
    """年度复核 (动态管理): the household's situation checked again; the next review a year on."""
    if not (note or "").strip():
        raise DomainError("请填写复核情况。", field="note")
    with transaction.atomic():
        file = _lock(file)
        _check(by, file.org)
        if file.status != HardshipFile.Status.OPEN:
            raise DomainError("该档案已退出，不能复核。")
        before = {"category": file.category, "per_capita_income": str(file.per_capita_income),
                  "review_due": str(file.review_due)}
        if category:
            if category not in HardshipFile.Category.values:
                raise DomainError("困难类别应为深度困难、相对困难或意外致困。", field="category")
            file.category = category
        if household is not None:
            file.per_capita_income = per_capita(household)
            file.household.all().delete()
            _write_household(file, household)
        file.review_due = timezone.localdate() + REVIEW_INTERVAL
        file.save()
        after = {"category": file.category, "per_capita_income": str(file.per_capita_income),
                 "review_due": str(file.review_due)}
        FileEvent.objects.create(file=file, kind=FileEvent.Kind.REVIEWED, by=by, note=note.strip()[:300],
                                 detail=audit.diff(before, after))
        audit.record("hardship_review", actor=by, obj=file, changes=audit.diff(before, after))
    return file


def close(*, file: HardshipFile, reason: str, by, on: datetime.date | None = None,
          follow_up_on: datetime.date | None = None, note: str = "") -> HardshipFile:
    """退出: 解困脱困 or no longer qualifying (retired, moved, deceased, …), with its date; a relapse follow-up
    date may be set (返困回访). The file stays, closed."""
    if reason not in HardshipFile.ExitReason.values:
        raise DomainError("请选择退出原因。", field="exit_reason")
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise DomainError("退出日期不能晚于今天。", field="exit_on")
    if follow_up_on is not None and follow_up_on <= on:
        raise DomainError("返困回访日期应晚于退出日期。", field="follow_up_on")
    with transaction.atomic():
        file = _lock(file)
        _check(by, file.org)
        if file.status != HardshipFile.Status.OPEN:
            raise DomainError("该档案已退出。")
        if on < file.opened_on:
            raise DomainError("退出日期不能早于建档日期。", field="exit_on")
        file.status, file.exit_reason, file.exit_on, file.follow_up_on = (
            HardshipFile.Status.CLOSED, reason, on, follow_up_on)
        file.save()
        FileEvent.objects.create(file=file, kind=FileEvent.Kind.CLOSED, by=by, note=note.strip()[:300],
                                 detail={"reason": reason, "on": str(on)})
        audit.record("hardship_close", actor=by, obj=file, changes={"reason": reason, "on": str(on)})
    return file


def review_due(scope_files, today: datetime.date | None = None):
    """The due-list of yearly reviews: open files whose review date has come."""
    return scope_files.filter(status=HardshipFile.Status.OPEN, review_due__lte=today or timezone.localdate())
