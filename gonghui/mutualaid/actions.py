"""Writes of mutual aid (职工互助保障): plans, unit enrolment (单位参保), gifting campaigns (赠送活动), claims
(互助金申请) filed, approved onto the ledger or refused. One transaction each, DomainError in Chinese, an
audit entry for every write.

A claim's life: filed (eligibility checked: covered on the event date, within the plan's deadline, yearly cap
not exhausted, separate consent to use health data; benefit computed by the plan's rules with its working) →
approved (a `ledger.Approval` of kind 互助保障金 from 工会经费, source "mutualaid.claim:<id>") or refused
(不予给付, with the reason). The payment is recorded on the ledger by someone else
(`ledger.actions.record_payment`); the claim then reads 已给付 (`Claim.shown_status`)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from gonghui.common import audit, states
from gonghui.common.actors import is_system
from gonghui.common.errors import DomainError
from gonghui.common.money import parse_yuan, yuan
from gonghui.ledger import actions as ledger
from gonghui.ledger.models import Approval, FundSource, PaymentKind
from gonghui.members.models import Member
from gonghui.orgs.models import Org
from gonghui.orgs.queries import in_scope, scope_org

from .models import Campaign, Claim, Coverage, Enrolment, Plan
from .rules import cap_at_approval, compute_benefit

ENROL_ROLES = ("operator", "org_admin")
FILE_ROLES = ("operator", "approver", "org_admin")
DECIDE_ROLES = ledger.APPROVE_ROLES  # 审核人 or 单位管理员: the same people who approve ledger payments
PLAN_LEVELS = ("national", "province")
KIND_CODE = "mutual_aid"  # 互助保障金
FUND_SOURCE_CODE = "union"  # 工会经费: benefits are paid from the mutual-aid fund the union keeps
ENROLMENT_LIMIT = 20_000  # members in one enrolment (a unit's list)


def can_manage_plans(user, plan: Plan | None = None) -> bool:
    """Plans are the province's: its 单位管理员 maintains them (those run in its subtree), every cadre reads them."""
    scope = scope_org(user)
    return (scope is not None and scope.level in PLAN_LEVELS and user.has_role("org_admin")
            and (plan is None or in_scope(user, plan.org)))


def can_enrol(user, org: Org) -> bool:
    return in_scope(user, org) and user.has_role(*ENROL_ROLES)


def can_file(user, member: Member) -> bool:
    return in_scope(user, member.org) and user.has_role(*FILE_ROLES)


def can_decide(user, claim: Claim) -> bool:
    return in_scope(user, claim.org) and user.has_role(*DECIDE_ROLES)


# Plans -----------------------------------------------------------------------------------------------

PLAN_FIELDS = ["name", "kind", "org", "period_start", "period_end", "premium", "deductible", "ratio",
               "per_claim_cap", "yearly_cap", "claim_days", "active"]


def check_plan(plan: Plan, *, by) -> None:
    """The rules a plan must satisfy (also what the admin form shows as errors)."""
    if not is_system(by) and not can_manage_plans(by):
        raise DomainError("互助保障计划由省总工会单位管理员维护。")
    if plan.period_start and plan.period_end and plan.period_end < plan.period_start:
        raise DomainError("保障期止不能早于保障期起。", field="period_end")
    if plan.ratio is not None and not (0 <= plan.ratio <= 1):
        raise DomainError("给付比例应在 0 到 1 之间，如 0.5 表示 50%。", field="ratio")
    for name in ("premium", "deductible", "per_claim_cap", "yearly_cap"):
        value = getattr(plan, name)
        if value is not None and value < 0:
            raise DomainError(f"“{Plan._meta.get_field(name).verbose_name}”不能为负数。", field=name)
    if not is_system(by) and plan.org_id is not None and not in_scope(by, plan.org):
        raise DomainError("主办工会须为本级或下级工会。", field="org")


def save_plan(*, plan: Plan, by) -> Plan:
    """Create or change a plan (the admin form fills `plan`); the rules are checked and the change audited.
    A plan is changed only by whoever may manage it as stored (not only as edited).
    Claims already filed keep the benefit computed when they were filed (`approve_claim`)."""
    check_plan(plan, by=by)
    before = {}
    with transaction.atomic():
        if plan.pk:
            old = Plan.objects.select_for_update(of=("self",)).select_related("org").filter(pk=plan.pk).first()
            if old is not None and not is_system(by) and not can_manage_plans(by, old):
                raise DomainError("不能修改该计划：它的主办工会不在本级或下级工会中。")
            before = audit.snapshot(old, PLAN_FIELDS) if old else {}
        plan.save()
        after = audit.snapshot(plan, PLAN_FIELDS)
        audit.record("mutualaid_plan_change" if before else "mutualaid_plan_create", actor=by, obj=plan,
                     changes=audit.diff(before, after))
    return plan


# Enrolment ---------------------------------------------------------------------------------------------

@dataclass
class Line:
    member: Member
    problem: str = ""


@dataclass
class EnrolmentPreview:
    plan: Plan
    org: Org
    lines: list[Line] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.lines) and not self.problems

    @property
    def problems(self) -> list[Line]:
        return [line for line in self.lines if line.problem]

    @property
    def premium_total(self) -> Decimal:
        return self.plan.premium * len(self.lines)


def _check_plan_for(plan: Plan, org: Org) -> None:
    if not plan.active:
        raise DomainError(f"计划“{plan.name}”已停用，不能参保。", field="plan")
    if not org.path.startswith(plan.org.path):
        raise DomainError(f"{org.name}不在计划主办工会（{plan.org.name}）范围内，不能参加该计划。", field="plan")
    if plan.period_end < timezone.localdate():
        raise DomainError(f"计划“{plan.name}”的保障期已结束（{plan.period_end}），不能参保。", field="plan")


def preview_enrolment(*, plan: Plan, org: Org, members: list[Member], by) -> EnrolmentPreview:
    """What enrolling `members` would do, line by line, writing nothing: each member's problem (not an active
    member of the union's subtree, listed twice, already covered by the plan)."""
    if not is_system(by) and not can_enrol(by, org):
        raise DomainError("您没有为该工会办理参保的权限（须为本级或上级工会的经办人）。")
    _check_plan_for(plan, org)
    if not members:
        raise DomainError("参保名单为空：请至少列出一名会员。", field="members")
    if len(members) > ENROLMENT_LIMIT:
        raise DomainError(f"一次参保最多{ENROLMENT_LIMIT}人，请分批办理。", field="members")
    covered = set(Coverage.objects.filter(plan=plan, member__in=[m.pk for m in members])
                  .values_list("member_id", flat=True))
    preview, seen = EnrolmentPreview(plan=plan, org=org), set()
    for member in members:
        line = Line(member)
        if member.pk in seen:
            line.problem = "名单中重复出现。"
        elif not member.org.path.startswith(org.path):
            line.problem = f"不是{org.name}或其下级工会的会员。"
        elif member.status != Member.Status.ACTIVE:
            line.problem = f"会籍状态为“{member.get_status_display()}”，不是在会会员。"
        elif member.pk in covered:
            line.problem = "已参加该计划，不能重复参保。"
        seen.add(member.pk)
        preview.lines.append(line)
    return preview


def _cover(enrolment: Enrolment, members: list[Member], starts: dict[int, datetime.date]) -> None:
    plan = enrolment.plan
    try:
        with transaction.atomic():
            Coverage.objects.bulk_create([
                Coverage(plan=plan, member=m, enrolment=enrolment, start=starts.get(m.pk, plan.period_start),
                         end=plan.period_end) for m in members])
    except IntegrityError:  # covered meanwhile by a concurrent enrolment (one_coverage_per_plan_member)
        raise DomainError("名单中有会员刚由他人办理参保，请重新预览名单；本次未保存任何记录。") from None


def enrol(*, plan: Plan, org: Org, members: list[Member], by) -> Enrolment:
    """单位参保: `org` enrols `members` (active members of its subtree) in `plan` for the plan's period
    (coverage from the period's start to its end); premium total = premium per person × members.
    All or nothing: any member with a problem (see `preview_enrolment`) refuses the whole list."""
    preview = preview_enrolment(plan=plan, org=org, members=members, by=by)
    if not preview.ok:
        first = preview.problems[0]
        raise DomainError(f"名单中有{len(preview.problems)}人不能参保（如{first.member.name}：{first.problem}），"
                          "请修改名单后重新预览；本次未保存任何记录。", field="members")
    with transaction.atomic():
        enrolment = Enrolment.objects.create(plan=plan, org=org, source=Enrolment.Source.UNIT,
                                             members_count=len(members), premium_total=preview.premium_total,
                                             enrolled_by=by)
        _cover(enrolment, members, {})
        audit.record("mutualaid_enrol", actor=by, obj=enrolment, changes={
            "plan": plan.name, "org": org.name, "members": len(members), "premium_total": str(preview.premium_total)})
    return enrolment


def campaign_members(campaign: Campaign):
    """The members a campaign selects: active members of its union's subtree in its worker groups who
    joined within its dates, not yet covered by its plan."""
    members = Member.objects.subtree(campaign.org).active()
    if campaign.worker_groups:
        members = members.filter(worker_group__in=campaign.worker_groups)
    if campaign.joined_from:
        members = members.filter(join_date__gte=campaign.joined_from)
    if campaign.joined_to:
        members = members.filter(join_date__lte=campaign.joined_to)
    return members.exclude(coverages__plan=campaign.plan).select_related("org").order_by("id")


def check_campaign(campaign: Campaign, *, by) -> None:
    if not is_system(by) and campaign.org_id is not None and not can_enrol(by, campaign.org):
        raise DomainError("只能为本级或下级工会设立赠送活动。", field="org")
    if campaign.joined_from and campaign.joined_to and campaign.joined_to < campaign.joined_from:
        raise DomainError("入会日期止不能早于入会日期起。", field="joined_to")
    if campaign.plan_id is not None and campaign.org_id is not None:
        _check_plan_for(campaign.plan, campaign.org)


def save_campaign(*, campaign: Campaign, by) -> Campaign:
    """Create or change a gifting campaign (its rule applies to the runs after the change). A campaign is
    changed only by a cadre who may enrol for its union as stored (not only as edited)."""
    check_campaign(campaign, by=by)
    creating = campaign.pk is None
    if creating:
        campaign.created_by = by
    with transaction.atomic():
        if not creating:
            old = Campaign.objects.select_for_update(of=("self",)).select_related("org").filter(pk=campaign.pk).first()
            if old is not None and not is_system(by) and not can_enrol(by, old.org):
                raise DomainError("只能修改本级或下级工会的赠送活动。")
        campaign.save()
        audit.record("mutualaid_campaign_create" if creating else "mutualaid_campaign_change", actor=by,
                     obj=campaign, changes={"plan": campaign.plan.name, "worker_groups": campaign.worker_groups,
                                            "joined_from": str(campaign.joined_from or ""),
                                            "joined_to": str(campaign.joined_to or "")})
    return campaign


def run_campaign(*, campaign: Campaign, by) -> Enrolment:
    """赠送: covers the members the campaign selects who are not covered yet (run again later, it covers
    those who joined since). Cover starts at the plan's start or the member's join date, whichever is later;
    the union pays the premiums (an enrolment of source 赠送活动)."""
    if not is_system(by) and not can_enrol(by, campaign.org):
        raise DomainError("您没有办理该赠送活动的权限（须为本级或上级工会的经办人）。")
    plan = campaign.plan
    _check_plan_for(plan, campaign.org)
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)  # two runs at once: the second waits
        members = list(campaign_members(campaign)[:ENROLMENT_LIMIT])
        if not members:
            raise DomainError("没有符合活动条件且尚未参保的会员。")
        premium_total = plan.premium * len(members)
        enrolment = Enrolment.objects.create(plan=plan, org=campaign.org, source=Enrolment.Source.CAMPAIGN,
                                             campaign=campaign, members_count=len(members),
                                             premium_total=premium_total, enrolled_by=by)
        _cover(enrolment, members, {m.pk: max(plan.period_start, m.join_date) for m in members})
        audit.record("mutualaid_campaign_run", actor=by, obj=campaign, changes={
            "enrolment": enrolment.pk, "members": len(members), "premium_total": str(premium_total)})
    return enrolment


# Claims --------------------------------------------------------------------------------------------------

def granted_this_year(coverage: Coverage, year: int, *, exclude: Claim | None = None) -> Decimal:
    """What the member has been granted under the coverage's plan for events of `year`: approved claims
    whose ledger approval stands (a reversed payment gives its room back)."""
    claims = Claim.objects.filter(plan_id=coverage.plan_id, member_id=coverage.member_id, event_date__year=year,
                                  status=Claim.Status.APPROVED).exclude(approval__status=Approval.Status.REVERSED)
    if exclude is not None:
        claims = claims.exclude(pk=exclude.pk)
    return claims.aggregate(s=Sum("benefit"))["s"] or Decimal("0.00")


def find_coverage(member: Member, on: datetime.date, *, plan: Plan | None = None, kind: str | None = None,
                  lock: bool = False) -> Coverage | None:
    """The member's cover on a day (by `plan`, or the first plan of `kind`); `lock` holds its row until the
    transaction ends (claims of one member and plan are then filed and approved one at a time)."""
    coverages = Coverage.objects.filter(member=member, start__lte=on, end__gte=on).select_related("plan")
    if lock:
        coverages = coverages.select_for_update(of=("self",))
    if plan is not None:
        coverages = coverages.filter(plan=plan)
    if kind is not None:
        coverages = coverages.filter(plan__kind=kind)
    return coverages.order_by("plan__period_start", "id").first()


def file_claim(*, member: Member, event_date: datetime.date, expense, consent_at: datetime.datetime | None, by,
               plan: Plan | None = None, kind: str | None = None, org: Org | None = None, application=None,
               filed_on: datetime.date | None = None) -> Claim:
    """互助金申请. Refused unless: the member consented separately to the use of their health data
    (`consent_at`, recorded on the claim); they were covered on the event date; the claim is filed within the
    plan's deadline (claim_days from the event); the yearly cap is not exhausted; the expense exceeds the
    deductible. The benefit and its working are computed by the plan's rules. `org` is the union handling it
    (the filing cadre's, by default)."""
    if not is_system(by) and not can_file(by, member):
        raise DomainError("您没有为该会员办理互助金申请的权限。")
    if consent_at is None:
        raise DomainError("须经会员本人同意工会使用其就诊和健康信息审核互助金（健康信息使用同意），才能受理申请。",
                          field="consent")
    org = org or (member.org if is_system(by) else scope_org(by))
    if not member.org.path.startswith(org.path):
        raise DomainError("受理工会须为会员所在工会或其上级工会。")
    expense = parse_yuan(expense, label="医疗费用", field="expense")
    if expense <= 0:
        raise DomainError("医疗费用应大于 0 元。", field="expense")
    filed_on = filed_on or timezone.localdate()
    if event_date > filed_on:
        raise DomainError("就诊或事故日期不能晚于申请日期。", field="event_date")
    with transaction.atomic():
        coverage = find_coverage(member, event_date, plan=plan, kind=kind, lock=True)
        if coverage is None:
            what = f"“{plan.name}”" if plan else "互助保障"
            raise DomainError(f"{member.name}在{event_date:%Y-%m-%d}不在{what}的保障期内（未参保或不在保障期），"
                              "不能申请互助金。", field="event_date")
        plan = coverage.plan
        deadline = event_date + datetime.timedelta(days=plan.claim_days)
        if filed_on > deadline:
            raise DomainError(f"已超过申请期限：“{plan.name}”须在就诊或事故之日起{plan.claim_days}天内申请"
                              f"（本次应在{deadline:%Y-%m-%d}前申请）。", field="event_date")
        paid = granted_this_year(coverage, event_date.year)
        if plan.yearly_cap is not None and paid >= plan.yearly_cap:
            raise DomainError(f"{member.name}{event_date.year}年度已给付 {yuan(paid)}，已达年度最高给付 "
                              f"{yuan(plan.yearly_cap)}，不能再申请。")
        benefit, working = compute_benefit(plan, expense, paid)
        if benefit <= 0:
            raise DomainError(f"医疗费用 {yuan(expense)} 未超过起付线 {yuan(plan.deductible)}，没有可给付的互助金。",
                              field="expense")
        claim = Claim.objects.create(
            plan=plan, member=member, coverage=coverage, org=org, application=application, event_date=event_date,
            filed_on=filed_on, expense=expense, benefit=benefit, working=working, health_consent_at=consent_at,
            filed_by=by)
        audit.record("mutualaid_claim_file", actor=by, obj=claim, changes={
            "member": member.member_number, "plan": plan.name, "event_date": str(event_date),
            "expense": str(expense), "benefit": str(benefit),
            "application": application.number if application is not None else ""})
    return claim


# A claim's state machine: transition → the states it may leave. `file_claim` creates it (已申请); 已给付 is
# read from its ledger approval (`Claim.shown_status`), never stored.
CS = Claim.Status
ALLOWED = {CS.APPROVED: frozenset({CS.FILED}), CS.REJECTED: frozenset({CS.FILED})}
MACHINE = states.Machine(Claim, allowed=ALLOWED, noun="该申请", verbs={CS.APPROVED: "核准", CS.REJECTED: "不予给付"})


def transition_claim(claim: Claim, *, to: str, by, reason: str = "") -> Claim:
    """The one way a claim changes state, under its row lock (of two cadres deciding at once one wins, the
    other is told it was handled), by a 审核人 or 单位管理员 of the handling union or above; each audited.

    - 已申请 → 已核准 (核准): the claim keeps the benefit and working computed when it was filed (a plan changed
      since does not change them), cut only to what is left of the yearly cap after the claims approved
      meanwhile (two claims filed together cannot both use the year's room; a line is added to the working),
      and is approved on the ledger (`ledger.actions.approve`, source "mutualaid.claim:<id>"), to be paid by
      someone else.
    - 已申请 → 不予给付, with `reason` (the member is told it)."""
    reason = (reason or "").strip()
    if to == CS.REJECTED and not reason:
        raise DomainError("请填写不予给付的原因。", field="reason")
    with transaction.atomic():
        claim = MACHINE.lock(claim, to, by=by, related=("plan", "member__org", "org"), check=False)
        if not is_system(by) and not can_decide(by, claim):
            what = "核准该互助金" if to == CS.APPROVED else "处理该互助金申请"
            raise DomainError(f"您没有{what}的权限（须为受理工会或其上级工会的审核人）。")
        if not MACHINE.may(claim.status, to):  # the stored status, shown as the member sees it (已给付)
            raise DomainError(f"该申请当前为“{claim.shown_status}”，不能{MACHINE.verbs[to]}"
                              f"{states.HANDLED_ELSEWHERE}。")
        claim.decided_by, claim.decided_at = by, timezone.now()
        if to == CS.REJECTED:
            claim.note = reason[:300]
            return MACHINE.move(claim, to=to, by=by, audit_as="mutualaid_claim_reject", changes={"reason": claim.note},
                                fields=["note", "decided_by", "decided_at"])
        coverage = Coverage.objects.select_for_update().get(pk=claim.coverage_id)
        paid = granted_this_year(coverage, claim.event_date.year, exclude=claim)
        benefit, capped = cap_at_approval(claim.plan, claim.benefit, paid)
        if benefit <= 0:
            raise DomainError(f"{claim.member.name}{claim.event_date.year}年度已达年度最高给付 "
                              f"{yuan(claim.plan.yearly_cap)}，不能核准；请作不予给付处理。")
        kind = PaymentKind.objects.filter(code=KIND_CODE).first()
        source = FundSource.objects.filter(code=FUND_SOURCE_CODE).first()
        if kind is None or source is None:
            raise DomainError("帮扶类别“互助保障金”或资金来源“工会经费”未配置，请联系系统管理员。")
        approval = ledger.approve(member=claim.member, kind=kind, fund_source=source, amount=benefit, by=by,
                                  org=claim.org, reason=f"{claim.plan.name}互助金（{claim.event_date:%Y-%m-%d}）",
                                  source=f"mutualaid.claim:{claim.pk}")
        filed_benefit = claim.benefit
        if capped:
            claim.benefit, claim.working = benefit, [*claim.working, capped]
        claim.approval = approval
        changes = {"benefit": str(benefit), "approval": approval.pk} | (
            {"filed_benefit": str(filed_benefit)} if capped else {})
        return MACHINE.move(claim, to=to, by=by, audit_as="mutualaid_claim_approve", changes=changes,
                            fields=["benefit", "working", "approval", "decided_by", "decided_at"])


def approve_claim(*, claim: Claim, by) -> Claim:
    """核准 (see `transition_claim`)."""
    return transition_claim(claim, to=CS.APPROVED, by=by)


def reject_claim(*, claim: Claim, by, reason: str) -> Claim:
    """不予给付, with the reason (see `transition_claim`)."""
    return transition_claim(claim, to=CS.REJECTED, by=by, reason=reason)
