"""Issue 6 part 3 (mutual aid): unit enrolment (all or nothing), gifting campaigns, claims with their eligibility
refusals (done-when "eligibility refusals"), approval onto the ledger and payment by someone else, refusal.
Each test names what it covers."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.conftest import build_tree, make_cadre
from gonghui.ledger import actions as ledger
from gonghui.ledger.models import Approval, Entry
from gonghui.members.actions import end_membership, join_member
from gonghui.members.tests.conftest import make_facts, make_id
from gonghui.members.tests.test_actions import POSTGRES_ONLY, run_in_threads
from gonghui.mutualaid import actions
from gonghui.mutualaid.models import Campaign, Claim, Coverage, Enrolment, Plan
from gonghui.mutualaid.queries import claims_with_status
from gonghui.orgs.actions import create_org
from gonghui.orgs.models import Org

from .conftest import TODAY, make_plan

pytestmark = pytest.mark.django_db
D = Decimal
EVENT = TODAY - datetime.timedelta(days=5)
NOW = timezone.now()


@pytest.fixture
def people(tree, member_factory):
    """Three members of G1111, one of G1112 (same town), one of G1211 (another county)."""
    return {name: member_factory(org, name=name) for name, org in
            [("甲", "G1111"), ("乙", "G1111"), ("丙", "G1111"), ("丁", "G1112"), ("戊", "G1211")]}


def enrol(plan, tree, people, names, org="G1111"):
    return actions.enrol(plan=plan, org=tree[org], members=[people[n] for n in names],
                         by=make_cadre(tree[org], "operator", username=f"enrol_{org}_{''.join(names)}"))


def test_enrol_covers_the_list_for_the_plan_period_with_premium_total(tree, plan, people):
    """Part 3 (单位参保): three members, 60 元 each → 180.00; coverage over the plan's period; audited."""
    enrolment = enrol(plan, tree, people, ["甲", "乙", "丙"])
    assert (enrolment.members_count, enrolment.premium_total, enrolment.source) == (3, D("180.00"), "unit")
    coverages = Coverage.objects.filter(enrolment=enrolment)
    assert {c.member.name for c in coverages} == {"甲", "乙", "丙"}
    assert {(c.start, c.end) for c in coverages} == {(plan.period_start, plan.period_end)}
    assert AuditEntry.objects.get(action="mutualaid_enrol").changes["premium_total"] == "180.00"


def test_enrol_is_all_or_nothing(tree, plan, people, member_factory):
    """Part 3: a list with a member of another union, one already covered, one who left and a repeat is
    refused whole; the preview names each problem; nothing is written."""
    enrol(plan, tree, people, ["甲"])
    left = member_factory("G1111", name="己")
    end_membership(left, status="left", date=TODAY, by=system_actor())
    left.refresh_from_db()
    cadre = make_cadre(tree["G1111"], "operator")
    members = [people["乙"], people["戊"], people["甲"], left, people["乙"]]
    preview = actions.preview_enrolment(plan=plan, org=tree["G1111"], members=members, by=cadre)
    assert [line.problem for line in preview.lines] == [
        "", "不是合肥瑶海机械有限公司工会或其下级工会的会员。", "已参加该计划，不能重复参保。",
        "会籍状态为“退会”，不是在会会员。", "名单中重复出现。"]
    with pytest.raises(DomainError, match="名单中有4人不能参保"):
        actions.enrol(plan=plan, org=tree["G1111"], members=members, by=cadre)
    assert Enrolment.objects.count() == 1 and Coverage.objects.count() == 1


def test_enrol_refused_outside_scope_and_for_plans_not_open(tree, plan, people):
    """Part 3: an outside cadre cannot enrol a union; a stopped plan, a finished one or one of another
    subtree cannot be joined."""
    with pytest.raises(DomainError, match="没有为该工会办理参保的权限"):
        actions.enrol(plan=plan, org=tree["G1111"], members=[people["甲"]], by=make_cadre(tree["K12"], "operator"))
    cadre = make_cadre(tree["G1111"], "operator")
    for other in (make_plan(tree["P"], name="停用", active=False),
                  make_plan(tree["P"], name="已结束", period_start=TODAY - datetime.timedelta(days=400),
                            period_end=TODAY - datetime.timedelta(days=35)),
                  make_plan(tree["C2"], name="芜湖计划")):
        with pytest.raises(DomainError, match="停用|已结束|不在计划主办工会"):
            actions.enrol(plan=other, org=tree["G1111"], members=[people["甲"]], by=cadre)
    assert not Enrolment.objects.exists()


def test_campaign_covers_selected_members_once(tree, plan, member_factory):
    """Part 3 (赠送活动): the couriers of K11's subtree who joined this year get cover from their join date
    (or the plan's start); a second run covers only those who joined since; nobody left gives a message."""
    joined = (plan.period_start + datetime.timedelta(days=10)).isoformat()
    early = member_factory("G1111", name="老会员", worker_group="courier", join_date="2020-05-01")
    new = member_factory("G1111", name="新快递员", worker_group="courier", join_date=joined)
    member_factory("G1112", name="新货车司机", worker_group="truck_driver", join_date=joined)
    member_factory("G1211", name="外区快递员", worker_group="courier", join_date=joined)
    cadre = make_cadre(tree["K11"], "operator")
    campaign = actions.save_campaign(campaign=Campaign(
        name="新入会快递员意外互助", plan=plan, org=tree["K11"], worker_groups=["courier"],
        joined_from=plan.period_start), by=cadre)
    enrolment = actions.run_campaign(campaign=campaign, by=cadre)
    assert (enrolment.source, enrolment.members_count, enrolment.premium_total) == ("campaign", 1, D("60.00"))
    coverage = Coverage.objects.get(enrolment=enrolment)
    assert (coverage.member, coverage.start) == (new, datetime.date.fromisoformat(joined))
    assert not Coverage.objects.filter(member=early).exists()
    with pytest.raises(DomainError, match="没有符合活动条件"):
        actions.run_campaign(campaign=campaign, by=cadre)
    later = member_factory("G1112", name="又一快递员", worker_group="courier", join_date=joined)
    assert Coverage.objects.get(enrolment=actions.run_campaign(campaign=campaign, by=cadre)).member == later


def file(people, name, cadre, expense="12000", event=EVENT, **kwargs):
    kwargs.setdefault("consent_at", NOW)
    return actions.file_claim(member=people[name], event_date=event, expense=expense, by=cadre, **kwargs)


def test_claim_filed_approved_and_paid_on_the_ledger(tree, plan, people):
    """Part 3: the claim's benefit and working by the plan's rules; approval makes a ledger approval (互助保障金,
    工会经费, source mutualaid.claim:<id>); the payment recorded by someone else makes it read 已给付."""
    enrol(plan, tree, people, ["甲"])
    claim = file(people, "甲", make_cadre(tree["K11"], "operator"))
    assert (claim.benefit, claim.org, claim.status, claim.health_consent_at) == (D("5000.00"), tree["K11"], "filed",
                                                                                 NOW)
    assert claim.working[2] == "单次最高给付 5,000.00 元，取 5,000.00 元"
    approver = make_cadre(tree["K11"], "approver", "operator")
    claim = actions.approve_claim(claim=claim, by=approver)
    approval = claim.approval
    assert (approval.amount, approval.kind.code, approval.fund_source.code, approval.source, approval.org) == (
        D("5000.00"), "mutual_aid", "union", f"mutualaid.claim:{claim.pk}", tree["K11"])
    assert claim.shown_status == "已核准"
    with pytest.raises(DomainError, match="不能为同一人"):
        ledger.record_payment(approval=approval, by=approver, key=ledger.new_key())
    ledger.record_payment(approval=approval, by=make_cadre(tree["K11"], "operator", username="payer"),
                          key=ledger.new_key())
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.shown_status == "已给付"
    assert list(claims_with_status(Claim.objects.all(), "paid")) == [claim]
    assert not claims_with_status(Claim.objects.all(), "approved").exists()
    with pytest.raises(DomainError, match="不能核准"):
        actions.approve_claim(claim=claim, by=approver)


def test_claim_refused_when_not_covered_on_the_event_date(tree, plan, people):
    """Done-when (eligibility): no cover for a member never enrolled, nor for an event before the period."""
    enrol(plan, tree, people, ["甲"])
    cadre = make_cadre(tree["K11"], "operator")
    with pytest.raises(DomainError, match="不在互助保障的保障期内"):
        file(people, "乙", cadre)
    with pytest.raises(DomainError, match="不在互助保障的保障期内"):
        file(people, "甲", cadre, event=plan.period_start - datetime.timedelta(days=1),
             filed_on=plan.period_start + datetime.timedelta(days=1))
    assert not Claim.objects.exists()


def test_claim_refused_after_the_deadline(tree, plan, people):
    """Done-when (eligibility): 30 days from the event; filed on day 30 is accepted, on day 31 refused."""
    enrol(plan, tree, people, ["甲"])
    cadre = make_cadre(tree["K11"], "operator")
    event = TODAY - datetime.timedelta(days=31)
    with pytest.raises(DomainError, match="已超过申请期限.*30天内"):
        file(people, "甲", cadre, event=event)
    assert file(people, "甲", cadre, event=event, filed_on=TODAY - datetime.timedelta(days=1)).benefit == D("5000.00")


def test_claim_refused_without_consent_or_above_deductible(tree, plan, people):
    """Done-when (eligibility): health-data consent is required; expenses under the deductible give nothing."""
    enrol(plan, tree, people, ["甲"])
    cadre = make_cadre(tree["K11"], "operator")
    with pytest.raises(DomainError, match="健康信息使用同意"):
        file(people, "甲", cadre, consent_at=None)
    with pytest.raises(DomainError, match="未超过起付线"):
        file(people, "甲", cadre, expense="800")
    assert not Claim.objects.exists()


def test_claim_refused_when_the_yearly_cap_is_reached_and_recomputed_on_approval(tree, plan, people):
    """Done-when (eligibility, yearly cap 8,000): two claims filed together each compute 5,000; approving
    the first leaves 3,000 for the second, cut on approval (a line appended to its working, review finding 7);
    then the year is exhausted."""
    enrol(plan, tree, people, ["甲"])
    cadre, approver = make_cadre(tree["K11"], "operator"), make_cadre(tree["K11"], "approver")
    first, second = file(people, "甲", cadre), file(people, "甲", cadre)
    assert (first.benefit, second.benefit) == (D("5000.00"), D("5000.00"))
    actions.approve_claim(claim=first, by=approver)
    second = actions.approve_claim(claim=second, by=approver)
    assert second.benefit == D("3000.00") and second.approval.amount == D("3000.00")
    assert second.working[-1].endswith("年度剩余 3,000.00 元（年度最高给付 8,000.00 元），取 3,000.00 元")
    assert second.working[-2] == "给付金额 5,000.00 元"  # the working as filed, kept
    with pytest.raises(DomainError, match="已达年度最高给付 8,000.00 元"):
        file(people, "甲", cadre)


def test_approval_keeps_the_benefit_computed_at_filing(tree, plan, people):
    """Review finding 7: the plan's ratio and per-claim cap raised between filing and approval do not change
    the benefit: 核准 pays the 5,000 computed at filing, with its working, and no line is added."""
    enrol(plan, tree, people, ["甲"])
    claim = file(people, "甲", make_cadre(tree["K11"], "operator"))
    filed_working = list(claim.working)
    plan.ratio, plan.per_claim_cap = D("0.8"), D("9000")
    actions.save_plan(plan=plan, by=make_cadre(tree["P"], "org_admin"))
    claim = actions.approve_claim(claim=claim, by=make_cadre(tree["K11"], "approver"))
    assert (claim.benefit, claim.approval.amount, claim.working) == (D("5000.00"), D("5000.00"), filed_working)
    assert Claim.objects.get(pk=claim.pk).benefit == D("5000.00")


def test_save_plan_and_campaign_refused_for_records_stored_outside_scope(tree, plan, people):
    """Review finding 6: the stored record's scope is checked, not only the edited one's: another province's
    单位管理员 cannot take the province's plan by moving it to their own union, nor a county's 经办人 a
    campaign of another county; nothing is changed."""
    other_province = create_org(by=system_actor(),
                                parent=None, code="P9", name="江苏省总工会", kind=Org.Kind.FEDERATION,
                                region_code="320000", founded_on=datetime.date(2020, 1, 1))
    outsider = make_cadre(other_province, "org_admin")
    taken = Plan.objects.get(pk=plan.pk)
    taken.org, taken.name = other_province, "江苏省职工医疗互助"
    with pytest.raises(DomainError, match="不能修改该计划"):
        actions.save_plan(plan=taken, by=outsider)
    plan.refresh_from_db()
    assert (plan.org, plan.name) == (tree["P"], "职工住院医疗互助")
    campaign = actions.save_campaign(campaign=Campaign(name="瑶海赠送", plan=plan, org=tree["K11"]),
                                     by=make_cadre(tree["K11"], "operator"))
    taken = Campaign.objects.get(pk=campaign.pk)
    taken.org = tree["K12"]
    with pytest.raises(DomainError, match="只能修改本级或下级工会的赠送活动"):
        actions.save_campaign(campaign=taken, by=make_cadre(tree["K12"], "operator"))
    assert Campaign.objects.get(pk=campaign.pk).org == tree["K11"]


def test_reversed_payment_gives_the_yearly_room_back(tree, plan, people):
    """Part 3 with the ledger: a reversed benefit no longer counts against the yearly cap."""
    enrol(plan, tree, people, ["甲"])
    cadre, approver = make_cadre(tree["K11"], "operator"), make_cadre(tree["K11"], "approver")
    for _ in range(2):
        claim = actions.approve_claim(claim=file(people, "甲", cadre), by=approver)
    entry = ledger.record_payment(approval=claim.approval, by=cadre, key=ledger.new_key())
    ledger.reverse(entry=entry, by=approver, reason="重复报销")
    assert Claim.objects.get(pk=claim.pk).shown_status == "已核准（给付已冲销）"
    assert file(people, "甲", cadre).benefit == D("3000.00")  # 8,000 − 5,000 (the reversed 3,000 is free)


def test_reject_claim_and_decisions_scoped(tree, plan, people):
    """Part 3: 不予给付 needs a reason; an outside approver and an operator cannot decide; a decided claim
    cannot be decided again; nothing reaches the ledger."""
    enrol(plan, tree, people, ["甲"])
    claim = file(people, "甲", make_cadre(tree["K11"], "operator"))
    approver = make_cadre(tree["K11"], "approver")
    with pytest.raises(DomainError, match="原因"):
        actions.reject_claim(claim=claim, by=approver, reason=" ")
    for outsider in (make_cadre(tree["K12"], "approver"), make_cadre(tree["K11"], "operator", username="op2")):
        with pytest.raises(DomainError, match="没有核准"):
            actions.approve_claim(claim=claim, by=outsider)
    claim = actions.reject_claim(claim=claim, by=approver, reason="发票不属于本人")
    assert (claim.status, claim.note, claim.decided_by) == ("rejected", "发票不属于本人", approver)
    with pytest.raises(DomainError, match="不予给付"):
        actions.approve_claim(claim=claim, by=approver)
    assert not Approval.objects.exists() and not Entry.objects.exists()
    assert AuditEntry.objects.filter(action="mutualaid_claim_reject").count() == 1


def test_filing_scoped_to_the_members_unions(tree, plan, people):
    """Part 3: a cadre of another county cannot file for a member; the grassroots union files with itself."""
    enrol(plan, tree, people, ["甲"])
    with pytest.raises(DomainError, match="没有为该会员办理"):
        file(people, "甲", make_cadre(tree["K12"], "operator"))
    assert file(people, "甲", make_cadre(tree["G1111"], "operator")).org == tree["G1111"]


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvals_at_once_share_the_yearly_cap():
    """Done-when (yearly cap, under concurrency on PostgreSQL): two approvers approve two 5,000 claims of one
    member at the same moment; the coverage row lock makes the second recompute — 5,000 + 3,000 = the 8,000 cap."""
    orgs = build_tree()
    plan = make_plan(orgs["P"])
    member = join_member(org=orgs["G1111"], facts=make_facts(name="孙并发", id_number=make_id(seq=331)),
                         by=system_actor())
    actions.enrol(plan=plan, org=orgs["G1111"], members=[member], by=make_cadre(orgs["G1111"], "operator"))
    filer = make_cadre(orgs["K11"], "operator", username="race_filer")
    claims = [actions.file_claim(member=member, event_date=EVENT, expense="12000", consent_at=NOW, by=filer)
              for _ in range(2)]
    a, b = (make_cadre(orgs["K11"], "approver", username=f"race_{n}") for n in "ab")
    results = run_in_threads(lambda: actions.approve_claim(claim=claims[0], by=a),
                             lambda: actions.approve_claim(claim=claims[1], by=b))
    assert sorted(r.benefit for r in results) == [D("3000.00"), D("5000.00")]
    assert sorted(Approval.objects.values_list("amount", flat=True)) == [D("3000.00"), D("5000.00")]
    assert connection.vendor == "postgresql"
