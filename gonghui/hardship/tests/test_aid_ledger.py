"""Issue 6 part 2 (aid payments on an append-only ledger) and part 4 (one ledger per person): approval and
recording by different people, one payment per approval (action, idempotency key, database constraint, and
two cadres at once on PostgreSQL), reversal entries, file-before-aid, the bulk disbursement all-or-nothing,
the duplicate warning, the union's running book and `gonghui reconcile-ledger`. Each test names what it covers."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.conftest import build_tree, make_cadre
from gonghui.hardship import actions as hardship_actions
from gonghui.ledger import actions, queries
from gonghui.ledger.models import Approval, Disbursement, Entry, FundSource, PaymentKind, UnionTotal
from gonghui.members.actions import join_member
from gonghui.members.tests.conftest import make_facts, make_id
from gonghui.members.tests.test_actions import POSTGRES_ONLY, run_in_threads

pytestmark = pytest.mark.django_db
HOUSEHOLD = [{"name": "本人", "relation": "本人", "monthly_income": "900"}]


def kind(code: str) -> PaymentKind:
    return PaymentKind.objects.get(code=code)


def source(code: str = "central") -> FundSource:
    return FundSource.objects.get(code=code)


@pytest.fixture
def people(tree, member_factory):
    """A county approver and operator (K11), a member on file and one not on file (G1111)."""
    approver = make_cadre(tree["K11"], "approver", username="k11_approver")
    operator = make_cadre(tree["K11"], "operator", username="k11_operator")
    on_file = member_factory(name="王困难")
    hardship_actions.open_file(member=on_file, level="county", category="deep", household=HOUSEHOLD, by=operator)
    not_on_file = member_factory(name="李普通")
    return approver, operator, on_file, not_on_file


def test_approve_then_record_by_someone_else_with_audit_and_running_book(people):
    """Part 2: the approval, then the payment recorded by another person; the entry carries both names; every
    step audited; the union's running book counts it."""
    approver, operator, member, _ = people
    approval = actions.approve(member=member, kind=kind("living"), fund_source=source(), amount="1500.50",
                               by=approver, reason="春节前生活救助")
    assert (approval.status, approval.amount, approval.org, approval.hardship_file.member) == (
        "approved", Decimal("1500.50"), member.org, member)
    entry = actions.record_payment(approval=approval, by=operator, key="k-1", paid_on=datetime.date(2026, 1, 20))
    assert (entry.amount, entry.approved_by, entry.recorded_by, entry.paid_on) == (
        Decimal("1500.50"), approver, operator, datetime.date(2026, 1, 20))
    assert Approval.objects.get(pk=approval.pk).status == "paid"
    assert list(AuditEntry.objects.filter(action__startswith="ledger_").values_list("action", flat=True)
                .order_by("id")) == ["ledger_approve", "ledger_pay"]
    total = UnionTotal.objects.get()
    assert (total.org, total.year, total.kind.code, total.amount, total.entries) == (
        member.org, 2026, "living", Decimal("1500.50"), 1)


def test_approver_may_not_record_own_approval(people):
    """Done when: approver ≠ recorder — refused by the action and by the database check."""
    approver, operator, member, _ = people
    boss = make_cadre(operator.org, "approver", "operator", username="k11_both")
    approval = actions.approve(member=member, kind=kind("living"), fund_source=source(), amount=800, by=boss)
    with pytest.raises(DomainError, match="审批人与发放登记人不能为同一人"):
        actions.record_payment(approval=approval, by=boss, key="k-2")
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(member=member, org=member.org, kind=approval.kind, fund_source=approval.fund_source,
                             amount=Decimal("800"), paid_on=timezone.localdate(), approval=approval,
                             approved_by=boss, recorded_by=boss, idempotency_key="raw")
    assert Entry.objects.count() == 0


def test_one_payment_per_approval_key_and_constraint(people):
    """Done when: a payment cannot be recorded twice for the same approval — the same key returns the same
    entry (double submit), another key is refused, the database constraint refuses a raw second row."""
    approver, operator, member, _ = people
    other = make_cadre(operator.org, "operator", username="k11_operator2")
    approval = actions.approve(member=member, kind=kind("living"), fund_source=source(), amount=500, by=approver)
    first = actions.record_payment(approval=approval, by=operator, key="same")
    assert actions.record_payment(approval=approval, by=operator, key="same").pk == first.pk
    with pytest.raises(DomainError, match="当前为“已发放”，不能登记发放"):
        actions.record_payment(approval=approval, by=other, key="another")
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(member=member, org=member.org, kind=approval.kind, fund_source=approval.fund_source,
                             amount=Decimal("500"), paid_on=timezone.localdate(), approval=approval,
                             approved_by=approver, recorded_by=other, idempotency_key="raw")
    assert Entry.objects.count() == 1 and UnionTotal.objects.get().amount == Decimal("500")


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_cadres_recording_at_once_one_payment():
    """Done when: double payment refused under concurrency (PostgreSQL, two workers): two operators record
    the same approval at the same moment with different keys — one entry, the other a clear message."""
    orgs = build_tree()
    approver = make_cadre(orgs["K11"], "approver", username="race_approver")
    a = make_cadre(orgs["K11"], "operator", username="race_a")
    b = make_cadre(orgs["K11"], "operator", username="race_b")
    member = join_member(org=orgs["G1111"], facts=make_facts(name="赵并发", id_number=make_id(seq=321)),
                         by=system_actor())
    approval = actions.approve(member=member, kind=kind("employment"), fund_source=source("union"), amount=300,
                               by=approver)
    results = run_in_threads(lambda: actions.record_payment(approval=approval, by=a, key="race-a"),
                             lambda: actions.record_payment(approval=approval, by=b, key="race-b"))
    assert sorted(type(r).__name__ for r in results) == ["DomainError", "Entry"]
    assert "不能登记发放" in next(r for r in results if isinstance(r, DomainError)).message
    assert Entry.objects.filter(approval=approval).count() == 1
    assert UnionTotal.objects.get().amount == Decimal("300")
    assert connection.vendor == "postgresql"


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_constraint_alone_stops_a_concurrent_double_payment():
    """Done when (the database constraint under concurrency): two raw inserts for one approval from two
    connections, no lock taken — the partial unique index lets exactly one through."""
    orgs = build_tree()
    approver = make_cadre(orgs["K11"], "approver", username="raw_approver")
    a = make_cadre(orgs["K11"], "operator", username="raw_a")
    member = join_member(org=orgs["G1111"], facts=make_facts(name="钱约束", id_number=make_id(seq=322)),
                         by=system_actor())
    approval = actions.approve(member=member, kind=kind("employment"), fund_source=source("union"), amount=200,
                               by=approver)

    def insert(key):
        return Entry.objects.create(member=member, org=member.org, kind=approval.kind,
                                    fund_source=approval.fund_source, amount=Decimal("200"),
                                    paid_on=timezone.localdate(), approval=approval, approved_by=approver,
                                    recorded_by=a, idempotency_key=key)

    results = run_in_threads(lambda: insert("raw-1"), lambda: insert("raw-2"))
    assert sorted(type(r).__name__ for r in results) == ["Entry", "IntegrityError"]
    assert Entry.objects.filter(approval=approval).count() == 1


def test_reversal_is_a_new_entry_and_entries_never_change(people):
    """Done when: reversal entries — the wrong payment stays, a reversal of the opposite amount is added by an
    approver with a reason, the approval is marked reversed; entries refuse change and deletion; a reversal
    cannot be reversed or repeated; the running book nets to zero."""
    approver, operator, member, _ = people
    approval = actions.approve(member=member, kind=kind("medical"), fund_source=source("donation"), amount=2000,
                               by=approver)
    paid = actions.record_payment(approval=approval, by=operator, key="p")
    with pytest.raises(DomainError, match="冲销原因"):
        actions.reverse(entry=paid, by=approver, reason=" ")
    with pytest.raises(DomainError, match="没有冲销"):
        actions.reverse(entry=paid, by=operator, reason="金额有误")
    reversal = actions.reverse(entry=paid, by=approver, reason="金额有误")
    assert (reversal.amount, reversal.reversal_of, reversal.recorded_by, reversal.note) == (
        Decimal("-2000.00"), paid, approver, "冲销：金额有误")
    assert Approval.objects.get(pk=approval.pk).status == "reversed"
    with pytest.raises(DomainError, match="已冲销"):
        actions.reverse(entry=paid, by=approver, reason="再冲")
    with pytest.raises(DomainError, match="冲销分录不能再冲销"):
        actions.reverse(entry=reversal, by=approver, reason="再冲")
    with pytest.raises(DomainError, match="当前为“已冲销”，不能登记发放"):
        actions.record_payment(approval=approval, by=operator, key="again")
    paid.amount = Decimal("1")
    with pytest.raises(ValueError, match="只能新增"):
        paid.save()
    with pytest.raises(ValueError, match="不能删除"):
        paid.delete()
    assert Entry.objects.get(pk=paid.pk).amount == Decimal("2000.00")
    assert UnionTotal.objects.get().amount == Decimal("0.00") and UnionTotal.objects.get().entries == 2
    entries, years = queries.person_ledger(member)
    assert [(e.amount, e.reversed) for e in entries] == [(Decimal("-2000.00"), False), (Decimal("2000.00"), True)]
    assert years[0].total == Decimal("0.00")


def test_file_before_aid_enforced_per_kind(people):
    """Done when: file-before-aid (先建档后帮扶) — kinds that require a file refuse a member without an open one;
    kinds that do not, accept; a closed file no longer counts."""
    approver, operator, on_file, not_on_file = people
    with pytest.raises(DomainError, match="须先建档后帮扶"):
        actions.approve(member=not_on_file, kind=kind("warmth"), fund_source=source(), amount=500, by=approver)
    assert actions.approve(member=not_on_file, kind=kind("employment"), fund_source=source(), amount=500,
                           by=approver).hardship_file is None
    file = on_file.hardship_files.get()
    hardship_actions.close(file=file, reason="relieved", by=operator)
    with pytest.raises(DomainError, match="没有在档的困难职工档案"):
        actions.approve(member=on_file, kind=kind("living"), fund_source=source(), amount=500, by=approver)
    PaymentKind.objects.filter(code="living").update(requires_file=False)  # configurable
    assert actions.approve(member=on_file, kind=kind("living"), fund_source=source(), amount=500, by=approver)


def test_scope_roles_amounts_and_configuration(tree, people, member_factory):
    """Part 2: only approvers of the member's union or above approve, only operators record; amounts in 元
    (Decimal, > 0); inactive kinds and sources refused."""
    approver, operator, member, _ = people
    outsider = make_cadre(tree["K21"], "approver", username="k21_approver")
    with pytest.raises(DomainError, match="没有审批"):
        actions.approve(member=member, kind=kind("living"), fund_source=source(), amount=100, by=outsider)
    with pytest.raises(DomainError, match="没有审批"):
        actions.approve(member=member, kind=kind("living"), fund_source=source(), amount=100, by=operator)
    with pytest.raises(DomainError, match="大于 0"):
        actions.approve(member=member, kind=kind("living"), fund_source=source(), amount="0", by=approver)
    with pytest.raises(DomainError):
        actions.approve(member=member, kind=kind("living"), fund_source=source(), amount="一百", by=approver)
    PaymentKind.objects.filter(code="living").update(active=False)
    with pytest.raises(DomainError, match="已停用"):
        actions.approve(member=member, kind=kind("living"), fund_source=source(), amount=100, by=approver)
    approval = actions.approve(member=member, kind=kind("medical"), fund_source=source(), amount=100, by=approver)
    with pytest.raises(DomainError, match="没有登记"):
        actions.record_payment(approval=approval, by=make_cadre(tree["K21"], "operator", username="k21_op"), key="x")
    custom = PaymentKind.objects.create(code="holiday", name="节日慰问", order=9)
    assert actions.approve(member=member, kind=custom, fund_source=source(), amount=100, by=approver).kind == custom


def test_duplicate_warning_same_kind_within_period(people):
    """Part 4: the same person receiving the same kind twice within the kind's period is warned about (at
    approval, and flagged on the person's ledger); a reversed payment does not count; another kind does not."""
    approver, operator, member, _ = people
    day = datetime.date(2026, 2, 1)
    first = actions.record_payment(approval=actions.approve(
        member=member, kind=kind("warmth"), fund_source=source(), amount=500, by=approver), by=operator, key="a",
        paid_on=day)
    warning = actions.duplicate_warning(member, kind("warmth"), day + datetime.timedelta(days=200))
    assert "365天内已领取过送温暖" in warning and "2026-02-01 500.00 元" in warning
    assert actions.duplicate_warning(member, kind("warmth"), day + datetime.timedelta(days=366)) == ""
    assert actions.duplicate_warning(member, kind("living"), day) == ""
    actions.record_payment(approval=actions.approve(
        member=member, kind=kind("warmth"), fund_source=source(), amount=300, by=approver), by=operator, key="b",
        paid_on=day + datetime.timedelta(days=10))
    entries, years = queries.person_ledger(member)
    assert [(e.amount, e.duplicate) for e in entries] == [(Decimal("300.00"), True), (Decimal("500.00"), False)]
    assert (years[0].year, years[0].total, years[0].by_kind) == (2026, Decimal("800.00"),
                                                                 {"送温暖": Decimal("800.00")})
    actions.reverse(entry=first, by=approver, reason="误发")
    assert actions.duplicate_warning(member, kind("warmth"), day + datetime.timedelta(days=20)).count("元") == 1


def test_bulk_disbursement_all_or_nothing(tree, people, member_factory):
    """Done when: bulk disbursement all-or-nothing — the preview shows each line's problem and writes nothing;
    confirming a list with any problem writes nothing; a clean list is approved in one step and recorded
    in one step by someone else; recording twice is refused."""
    approver, operator, member, not_on_file = people
    second = member_factory(name="孙困难")
    hardship_actions.open_file(member=second, level="county", category="relative", household=HOUSEHOLD,
                               by=operator)
    outside = member_factory("G2111", name="周外区")
    preview = actions.preview_disbursement(org=tree["K11"], kind=kind("warmth"), fund_source=source("union"),
                                           amount_each="500", members=[member, not_on_file, outside, member],
                                           by=approver)
    assert not preview.ok
    assert [(line.member.name, line.problem) for line in preview.lines] == [
        ("王困难", ""),
        ("李普通", "送温暖须先建档后帮扶：李普通没有在档的困难职工档案，请先建档。"),
        ("周外区", "不是瑶海区总工会或其下级工会的会员。"),
        ("王困难", "名单中重复出现。")]
    assert (preview.total, Approval.objects.count()) == (Decimal("2000"), 0)
    with pytest.raises(DomainError, match="名单中有3人不能发放.*本批次未保存任何记录"):
        actions.approve_disbursement(title="2026年春节送温暖", org=tree["K11"], kind=kind("warmth"),
                                     fund_source=source("union"), amount_each="500",
                                     members=[member, not_on_file, outside, member], by=approver)
    assert (Disbursement.objects.count(), Approval.objects.count(), Entry.objects.count()) == (0, 0, 0)
    batch = actions.approve_disbursement(title="2026年春节送温暖", org=tree["K11"], kind=kind("warmth"),
                                         fund_source=source("union"), amount_each="500", members=[member, second],
                                         by=approver)
    assert batch.approvals.count() == 2 and Entry.objects.count() == 0
    with pytest.raises(DomainError, match="不能为同一人"):
        actions.record_disbursement(batch=batch, by=approver, key="bulk")
    entries = actions.record_disbursement(batch=batch, by=operator, key="bulk")
    assert sorted((e.member.name, e.amount, e.org.code) for e in entries) == [
        ("孙困难", Decimal("500.00"), "K11"), ("王困难", Decimal("500.00"), "K11")]
    assert Disbursement.objects.get(pk=batch.pk).status == "paid"
    with pytest.raises(DomainError, match="已登记发放"):
        actions.record_disbursement(batch=batch, by=operator, key="bulk-2")
    assert UnionTotal.objects.get(org=tree["K11"]).amount == Decimal("1000.00")


def test_bulk_recording_undone_entirely_when_one_line_fails(tree, people, member_factory):
    """Done when: bulk disbursement all-or-nothing, at recording — one line already paid on its own makes
    the whole batch refuse, with no entry written for the others."""
    approver, operator, member, _ = people
    second = member_factory(name="吴困难")
    hardship_actions.open_file(member=second, level="county", category="relative", household=HOUSEHOLD,
                               by=operator)
    batch = actions.approve_disbursement(title="中秋送温暖", org=tree["K11"], kind=kind("warmth"),
                                         fund_source=source("union"), amount_each="300", members=[member, second],
                                         by=approver)
    lone = batch.approvals.order_by("id").last()
    with transaction.atomic():  # a line paid out of step (record_payment refuses a batch line: review finding 1)
        actions.transition_approval(lone, to="paid", by=operator, key="lone", paid_on=timezone.localdate(),
                                    batch=batch)
    with pytest.raises(DomainError, match="当前为“已发放”，不能登记发放"):
        actions.record_disbursement(batch=batch, by=operator, key="bulk")
    assert Entry.objects.count() == 1 and Disbursement.objects.get(pk=batch.pk).status == "approved"


def test_batch_line_is_paid_only_with_its_batch(tree, people, member_factory):
    """Review finding 1: a line of a 批量发放 paid on its own left the batch unrecordable; record_payment now
    refuses it, names the batch, writes nothing, and the whole batch is then recorded."""
    approver, operator, member, _ = people
    batch = actions.approve_disbursement(title="中秋送温暖", org=tree["K11"], kind=kind("warmth"),
                                         fund_source=source("union"), amount_each="300", members=[member],
                                         by=approver)
    line = batch.approvals.get()
    with pytest.raises(DomainError) as refused:
        actions.record_payment(approval=line, by=operator, key="lone")
    assert refused.value.message == "该审批属于批量发放“中秋送温暖”，请在批次页面整批登记发放。"
    assert not Entry.objects.exists() and Approval.objects.get(pk=line.pk).status == "approved"
    [entry] = actions.record_disbursement(batch=batch, by=operator, key="bulk")
    assert (entry.approval, entry.amount) == (line, Decimal("300.00"))


def test_duplicate_window_includes_its_last_day_everywhere(people, member_factory):
    """Review finding 6: one rule for 重复领取提示 — a payment exactly 365 days earlier counts, 366 days does not —
    in the warning at approval and in the flag on the person's ledger (before, the warning left the last day
    out and the ledger counted it); the approval's page leaves out the approval's own payment."""
    approver, operator, member, _ = people
    day = datetime.date(2024, 1, 1)

    def paid(who, on, key):
        approval = actions.approve(member=who, kind=kind("employment"), fund_source=source(), amount=100,
                                   by=approver)
        return actions.record_payment(approval=approval, by=operator, key=key, paid_on=on)

    first = paid(member, day, "d0")
    employment = kind("employment")
    assert "2024-01-01 100.00 元" in actions.duplicate_warning(member, employment, day + datetime.timedelta(365))
    assert actions.duplicate_warning(member, employment, day + datetime.timedelta(366)) == ""
    assert actions.duplicate_warning(member, employment, day, exclude_approval=first.approval_id) == ""
    paid(member, day + datetime.timedelta(365), "d365")
    other = member_factory(name="钱另一")
    paid(other, day, "o0")
    paid(other, day + datetime.timedelta(366), "o366")
    assert [e.duplicate for e in queries.person_ledger(member)[0]] == [True, False]
    assert [e.duplicate for e in queries.person_ledger(other)[0]] == [False, False]


def test_reconcile_ledger_command(people):
    """Done when: `gonghui reconcile-ledger` recomputes per-union totals from entries and reports any
    difference — clean books pass; a tampered running total and an approval out of step are reported."""
    approver, operator, member, _ = people
    approval = actions.approve(member=member, kind=kind("living"), fund_source=source(), amount=1200, by=approver)
    actions.record_payment(approval=approval, by=operator, key="r", paid_on=datetime.date(2026, 3, 1))
    out = io.StringIO()
    call_command("reconcile_ledger", stdout=out)
    assert out.getvalue().startswith("核对一致：1 组")
    UnionTotal.objects.update(amount=Decimal("1000"))
    stray = Approval.objects.create(member=member, org=member.org, kind=kind("living"), fund_source=source(),
                                    amount=Decimal("50"), approved_by=approver, status="paid")
    Approval.objects.filter(pk=approval.pk).update(status="approved")
    out = io.StringIO()
    with pytest.raises(SystemExit) as e:
        call_command("reconcile_ledger", stdout=out)
    assert e.value.code == 1
    text = out.getvalue()
    assert ("合肥瑶海机械有限公司工会 2026年 生活救助/中央财政帮扶资金："
            "台账合计 1000.00 元（1 笔），分录重算 1200.00 元（1 笔）") in text
    assert f"审批为已发放但没有发放分录：审批 {stray.pk}" in text
    assert f"已有发放分录但审批仍为待发放：审批 {approval.pk}" in text
    assert queries.unpaired() == {"approved_but_paid": [approval.pk], "paid_without_entry": [stray.pk]}
