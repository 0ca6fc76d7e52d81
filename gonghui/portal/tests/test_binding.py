"""Issue 12, point 5: worker binding that proves the person. The actions: a code sent to the member's
registered mobile (or none needed when that is the sign-in mobile), the union's confirmation for a record
without a mobile, one answer for every mismatch, throttles and the audit. Each test names the acceptance
point it covers."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.common.pii import mask_id
from gonghui.conftest import build_tree, make_cadre
from gonghui.members.actions import end_membership, join_member
from gonghui.members.tests.conftest import make_facts
from gonghui.members.tests.test_actions import POSTGRES_ONLY, run_in_threads
from gonghui.portal import actions
from gonghui.portal.models import BindingAttempt, BindingRequest, LoginCode, SignInFailure, Worker

from .conftest import MOBILE, last_code, make_id, sign_up

pytestmark = pytest.mark.django_db
PERSON = make_id(region="110105", birth="19491231", seq=2)
PERSON_MASKED = "110105********002X"
OTHER = make_id(region="110105", birth="19491231", seq=4)
REGISTERED = "13900001234"  # the member's registered mobile, not the worker's sign-in number (MOBILE)


def bound_member(worker):
    return Worker.objects.get(pk=worker.pk).member


def audit_rows(action: str) -> list[tuple[str, dict]]:
    return [(e.outcome, e.changes) for e in AuditEntry.objects.filter(action=action).order_by("id")]


def test_bind_code_goes_to_the_registered_mobile_and_binds(worker, member_factory, sms_outbox):
    """Point 5.1: when the record has a registered mobile other than the sign-in number, the code goes to the
    registered mobile (naming the asking account), and only that code binds; audited with the ID masked."""
    member = member_factory(name="王五", id_number=PERSON, mobile=REGISTERED)
    binding = actions.bind_member(worker=worker, name="王五", id_number=PERSON, ip="10.0.0.1")
    assert (binding.via, binding.status, binding.member) == ("sms", "pending", member)
    assert sms_outbox[-1]["to"] == REGISTERED and "职工账号138****5678" in sms_outbox[-1]["text"]
    assert bound_member(worker) is None
    assert actions.bind_with_code(worker=worker, code=last_code(sms_outbox), ip="10.0.0.1") == member
    binding.refresh_from_db()
    assert bound_member(worker) == member and binding.status == "bound" and binding.decided_by == worker.user
    assert audit_rows("portal_bind_request") == [
        ("success", {"member": member.member_number, "id_number": PERSON_MASKED, "via": "sms"})]
    assert audit_rows("portal_bind") == [
        ("success", {"member": member.member_number, "id_number": PERSON_MASKED, "via": "sms"})]
    assert not AuditEntry.objects.filter(changes__icontains=PERSON).exists()


def test_bind_at_once_when_the_sign_in_mobile_is_the_registered_mobile(worker, member_factory, sms_outbox):
    """Point 5.1: the sign-in already proved the registered mobile: bound without a second code."""
    member = member_factory(name="王五", id_number=PERSON, mobile=MOBILE)
    sent = len(sms_outbox)
    binding = actions.bind_member(worker=worker, name="王五", id_number=PERSON)
    assert (binding.via, binding.status) == ("sign_in", "bound")
    assert bound_member(worker) == member and len(sms_outbox) == sent
    assert audit_rows("portal_bind") == [
        ("success", {"member": member.member_number, "id_number": PERSON_MASKED, "via": "sign_in"})]


def test_bind_wrong_code_refused_and_counted(worker, member_factory, sms_outbox):
    """Point 5.1 and 5.4: a wrong code is refused and counted against the code, the number and the account,
    and audited; a sign-in code of the same number does not bind, nor a binding code sign in (one code
    machinery, two purposes)."""
    member_factory(name="王五", id_number=PERSON, mobile=REGISTERED)
    actions.bind_member(worker=worker, name="王五", id_number=PERSON, ip="10.0.0.1")
    bind_code = last_code(sms_outbox)
    wrong = "000000" if bind_code != "000000" else "111111"
    with pytest.raises(DomainError) as refused:
        actions.bind_with_code(worker=worker, code=wrong, ip="10.0.0.1")
    assert refused.value.message == actions.WRONG_CODE and refused.value.field == "code"
    assert LoginCode.objects.get(purpose="bind").attempts == 1
    assert SignInFailure.objects.count() == 1 and BindingAttempt.objects.filter(worker=worker).count() == 2
    assert audit_rows("portal_bind")[-1][0] == "failure"
    assert audit_rows("portal_bind")[-1][1]["result"] == "验证码错误"
    with pytest.raises(DomainError):
        actions.sign_in_with_code(mobile_number=REGISTERED, code=bind_code, ip="10.0.0.2")
    LoginCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    actions.request_code(mobile_number=REGISTERED, ip="10.0.0.2")  # a sign-in code to the same phone
    with pytest.raises(DomainError, match="验证码错误"):
        actions.bind_with_code(worker=worker, code=last_code(sms_outbox), ip="10.0.0.1")
    assert bound_member(worker) is None


def test_bind_code_of_one_account_does_not_bind_another(worker, member_factory, sms_outbox):
    """Point 5.1: a binding code proves the registered mobile to the account that asked for it only."""
    member_factory(name="王五", id_number=PERSON, mobile=REGISTERED)
    actions.bind_member(worker=worker, name="王五", id_number=PERSON)
    first_code = last_code(sms_outbox)
    other = sign_up(sms_outbox, "13700001111", ip="10.0.0.3")
    LoginCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    actions.bind_member(worker=other, name="王五", id_number=PERSON)
    with pytest.raises(DomainError, match="验证码错误"):
        actions.bind_with_code(worker=other, code=first_code)
    assert bound_member(other) is None


@pytest.mark.parametrize("registered", [REGISTERED, ""], ids=["with-mobile", "without-mobile"])
def test_bind_same_answer_for_no_such_member_and_wrong_details(worker, member_factory, sms_outbox, registered):
    """Point 5.3: no such member, a name that does not match the ID and a member who left get the same error,
    whether or not the record has a mobile; nothing is sent or requested, and each try is audited masked."""
    member_factory(name="王五", id_number=PERSON, mobile=registered)
    left = member_factory(name="赵六", id_number=make_id(seq=777), mobile=registered)
    end_membership(left, status="left", date=datetime.date(2026, 1, 1), by=system_actor())
    sent = len(sms_outbox)
    answers = []
    for name, number in (("王六", PERSON), ("王五", OTHER), ("赵六", make_id(seq=777))):
        with pytest.raises(DomainError) as refused:
            actions.bind_member(worker=worker, name=name, id_number=number)
        answers.append((refused.value.message, refused.value.field))
    assert answers == [(actions.NOT_A_MEMBER_YET, "id_number")] * 3
    assert len(sms_outbox) == sent and not BindingRequest.objects.exists()
    assert [c for _, c in audit_rows("portal_bind")] == [
        {"result": "信息不符", "id_number": mask_id(n)} for n in (PERSON, OTHER, make_id(seq=777))]


def test_bind_throttled_after_five_tries_per_account_and_audited(worker, member_factory, sms_outbox):
    """Point 5.4: five tries an hour per account, details and codes alike; the sixth is refused even with the
    right details, and the throttle is audited. An hour later the account may try again."""
    member = member_factory(name="王五", id_number=PERSON, mobile=REGISTERED)
    for _ in range(3):
        with pytest.raises(DomainError):
            actions.bind_member(worker=worker, name="王六", id_number=PERSON, ip="10.0.0.1")
    actions.bind_member(worker=worker, name="王五", id_number=PERSON, ip="10.0.0.1")
    with pytest.raises(DomainError, match="验证码错误"):
        actions.bind_with_code(worker=worker, code="abcdef", ip="10.0.0.1")
    with pytest.raises(DomainError) as throttled:
        actions.bind_with_code(worker=worker, code=last_code(sms_outbox), ip="10.0.0.1")
    assert throttled.value.message == actions.BIND_THROTTLED and bound_member(worker) is None
    assert audit_rows("portal_bind_throttled") == [("failure", {"member": member.member_number, "ip": "10.0.0.1"})]
    BindingAttempt.objects.update(at=timezone.now() - datetime.timedelta(minutes=61))
    assert actions.bind_with_code(worker=worker, code=last_code(sms_outbox), ip="10.0.0.1") == member


def test_bind_throttled_per_address_across_accounts(tree, member_factory, sms_outbox):
    """Point 5.4: twenty tries an hour from one address, whichever accounts make them."""
    member_factory(name="王五", id_number=PERSON, mobile=REGISTERED)
    workers = [sign_up(sms_outbox, f"1370000{n:04d}", ip=f"10.1.0.{n}") for n in range(5)]
    for w in workers[:4]:
        for _ in range(actions.BIND_ATTEMPTS_PER_WORKER):
            with pytest.raises(DomainError, match="没有找到"):
                actions.bind_member(worker=w, name="王六", id_number=PERSON, ip="10.9.9.9")
    with pytest.raises(DomainError) as throttled:
        actions.bind_member(worker=workers[4], name="王五", id_number=PERSON, ip="10.9.9.9")
    assert throttled.value.message == actions.BIND_THROTTLED
    assert actions.bind_member(worker=workers[4], name="王五", id_number=PERSON, ip="10.9.9.8").via == "sms"
    assert audit_rows("portal_bind_throttled") == [("failure", {"id_number": PERSON_MASKED, "ip": "10.9.9.9"})]


def test_bind_without_a_mobile_waits_for_the_union_which_confirms(worker, tree, member_factory, sms_outbox):
    """Point 5.2: a record without a mobile makes a pending request, not a binding; while it waits the worker
    cannot start another; an 经办人 of a union above the member's confirms it (audited)."""
    member = member_factory(name="王五", id_number=PERSON)
    sent = len(sms_outbox)
    binding = actions.bind_member(worker=worker, name="王五", id_number=PERSON)
    assert (binding.via, binding.status) == ("union", "pending") and bound_member(worker) is None
    assert len(sms_outbox) == sent
    with pytest.raises(DomainError, match="等待工会确认"):
        actions.bind_member(worker=worker, name="王五", id_number=PERSON)
    operator = make_cadre(tree["T111"], "operator")
    actions.confirm_binding(binding=binding, by=operator)
    binding.refresh_from_db()
    assert bound_member(worker) == member and (binding.status, binding.decided_by) == ("bound", operator)
    assert audit_rows("portal_bind")[-1] == (
        "success", {"member": member.member_number, "id_number": PERSON_MASKED, "via": "union"})
    with pytest.raises(DomainError, match="已绑定"):
        actions.confirm_binding(binding=binding, by=operator)


def test_bind_union_rejects_with_a_reason_and_the_worker_may_try_again(worker, tree, member_factory):
    """Point 5.2: 驳回 needs a reason the worker reads; the worker may then submit again."""
    member_factory(name="王五", id_number=PERSON)
    binding = actions.bind_member(worker=worker, name="王五", id_number=PERSON)
    admin = make_cadre(tree["G1111"], "org_admin")
    with pytest.raises(DomainError, match="请填写驳回原因"):
        actions.reject_binding(binding=binding, by=admin, reason=" ")
    actions.reject_binding(binding=binding, by=admin, reason="请带身份证到工会办公室核验")
    binding.refresh_from_db()
    assert (binding.status, binding.reason) == ("rejected", "请带身份证到工会办公室核验")
    assert audit_rows("portal_bind_reject")[0][1]["reason"] == "请带身份证到工会办公室核验"
    again = actions.bind_member(worker=worker, name="王五", id_number=PERSON)
    assert again.pk != binding.pk and again.status == "pending" and bound_member(worker) is None


def test_bind_confirmation_only_by_the_members_union_or_above(worker, tree, member_factory):
    """Point 5.2: only an 经办人 or 单位管理员 of the member's union or above decides: not an 审核人 alone, not a
    sibling union's, not another county's."""
    member_factory(name="王五", id_number=PERSON)
    binding = actions.bind_member(worker=worker, name="王五", id_number=PERSON)
    for cadre in (make_cadre(tree["G1111"], "approver"), make_cadre(tree["G1112"], "operator"),
                  make_cadre(tree["K21"], "operator", "org_admin")):
        with pytest.raises(DomainError, match="没有确认"):
            actions.confirm_binding(binding=binding, by=cadre)
        with pytest.raises(DomainError, match="没有确认"):
            actions.reject_binding(binding=binding, by=cadre, reason="不认识")
    binding.refresh_from_db()
    assert binding.status == "pending" and bound_member(worker) is None


def test_bind_refused_when_the_record_is_bound_to_another_account(worker, member_factory, sms_outbox):
    """Point 5.1: a record already bound stays with its account; the attempt is refused and audited."""
    member = member_factory(name="王五", id_number=PERSON, mobile="13700001111")
    owner = sign_up(sms_outbox, "13700001111", ip="10.0.0.5")
    actions.bind_member(worker=owner, name="王五", id_number=PERSON)
    with pytest.raises(DomainError) as refused:
        actions.bind_member(worker=worker, name="王五", id_number=PERSON)
    assert refused.value.message == actions.BOUND_ELSEWHERE
    assert bound_member(owner) == member and bound_member(worker) is None
    assert audit_rows("portal_bind")[-1] == (
        "failure", {"result": "会员记录已绑定其他账号", "id_number": PERSON_MASKED})


def test_bind_again_lapses_the_unfinished_sms_request(worker, member_factory, sms_outbox):
    """Point 5.1: details given again replace an SMS step left unfinished (one pending request per account)."""
    member_factory(name="王五", id_number=PERSON, mobile=REGISTERED)
    first = actions.bind_member(worker=worker, name="王五", id_number=PERSON)
    LoginCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    second = actions.bind_member(worker=worker, name="王五", id_number=PERSON)
    first.refresh_from_db()
    assert (first.status, second.status) == ("lapsed", "pending")
    assert actions.bind_with_code(worker=worker, code=last_code(sms_outbox)) == second.member


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bind_two_accounts_with_codes_for_one_record_at_once_one_wins(sms_outbox):
    """Point 5.1: two accounts enter their binding codes for the same record at the same moment: one is bound,
    the other is told the record is taken (no database error, no second binding)."""
    orgs = build_tree()
    member = join_member(org=orgs["G1111"], facts=make_facts(name="王五", id_number=PERSON, mobile=REGISTERED),
                         by=system_actor())
    workers, codes = [], []
    for n, number in enumerate(("13700001111", "13700002222")):
        worker = sign_up(sms_outbox, number, ip=f"10.0.0.{n + 1}")
        LoginCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
        actions.bind_member(worker=worker, name="王五", id_number=PERSON)
        workers.append(worker)
        codes.append(last_code(sms_outbox))
    results = run_in_threads(*(lambda w=w, c=c: actions.bind_with_code(worker=w, code=c)
                               for w, c in zip(workers, codes, strict=True)))
    assert sorted(type(r).__name__ for r in results) == ["DomainError", "Member"]
    assert next(r for r in results if isinstance(r, DomainError)).message == actions.BOUND_ELSEWHERE
    assert Worker.objects.filter(member=member).count() == 1
    assert connection.vendor == "postgresql"


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bind_two_cadres_confirming_at_once_one_wins(sms_outbox):
    """Point 5.2: two cadres confirm the same request at once: one binding, the other a clear message."""
    orgs = build_tree()
    join_member(org=orgs["G1111"], facts=make_facts(name="王五", id_number=PERSON), by=system_actor())
    binding = actions.bind_member(worker=sign_up(sms_outbox), name="王五", id_number=PERSON)
    a = make_cadre(orgs["G1111"], "operator", username="op_a")
    b = make_cadre(orgs["T111"], "org_admin", username="ad_b")
    results = run_in_threads(lambda: actions.confirm_binding(binding=binding, by=a),
                             lambda: actions.confirm_binding(binding=binding, by=b))
    assert sorted(type(r).__name__ for r in results) == ["BindingRequest", "DomainError"]
    assert "可能已由他人处理" in next(r for r in results if isinstance(r, DomainError)).message
    assert AuditEntry.objects.filter(action="portal_bind", outcome="success").count() == 1
    assert connection.vendor == "postgresql"
