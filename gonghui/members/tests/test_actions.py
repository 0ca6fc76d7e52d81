"""Issue 3 parts 3 and 5: the lifecycle actions, each exit path, and the one-active-membership constraint
(also under concurrent joins and concurrent transfer decisions on PostgreSQL)."""

import datetime
import json
import threading

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gonghui.common import pii
from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.common.states import HANDLED_ELSEWHERE as HANDLED
from gonghui.conftest import build_tree, make_cadre
from gonghui.members import numbers
from gonghui.members.actions import (
    NEEDS_TRANSFER,
    cancel_transfer,
    decide_transfer,
    end_membership,
    join_member,
    protect,
    request_transfer,
    reveal,
    update_member,
)
from gonghui.members.models import ID_CONTEXT, MOBILE_CONTEXT, Member, MemberEvent, Transfer
from gonghui.orgs.actions import dissolve_org

from .conftest import make_facts, make_id

pytestmark = pytest.mark.django_db

ID = make_id(seq=201)
OTHER_ID = make_id(seq=203)
MOBILE = "13812345678"
POSTGRES_ONLY = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="SQLite serialises writers on one database lock: real concurrency needs PostgreSQL (DATABASE_URL)",
)


def error(fn, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as e:
        fn(*args, **kwargs)
    return e.value


def audit_text(action: str) -> str:
    """Every audit entry of `action`, as one string, to look for leaked numbers."""
    entries = AuditEntry.objects.filter(action=action)
    assert entries.exists()
    return json.dumps([[e.object_repr, e.changes] for e in entries], ensure_ascii=False)


def assert_no_pii(text: str, *secrets: str) -> None:
    for secret in (ID, OTHER_ID, MOBILE, *secrets):
        assert secret not in text
        assert secret[:-1] not in text


CAST = {  # who: (org code, roles)
    "op": ("G1111", ["operator"]),
    "op_t111": ("T111", ["operator"]),
    "op_g2111": ("G2111", ["operator"]),
    "viewer": ("G1111", []),  # no role
    "approver_g1111": ("G1111", ["approver"]),
    "approver_t111": ("T111", ["approver"]),
    "approver_c1": ("C1", ["approver"]),
    "approver_c2": ("C2", ["approver"]),
    "pii_g1111": ("G1111", ["pii_viewer"]),
    "pii_c2": ("C2", ["pii_viewer"]),
}


class Cast(dict):
    """The people of these tests, made on first mention (hashing a password takes a while)."""

    def __init__(self, tree):
        super().__init__()
        self.tree = tree

    def __missing__(self, who):
        code, roles = CAST[who]
        self[who] = make_cadre(self.tree[code], *roles, username=who)
        return self[who]


@pytest.fixture
def cast(tree):
    """A writer and approvers in G1111's line, outsiders beside it: `cast["op"]` and so on."""
    return Cast(tree)


@pytest.fixture
def member(tree, cast):
    return join_member(org=tree["G1111"], facts=make_facts(id_number=ID, mobile=MOBILE), by=cast["op"])


# join -------------------------------------------------------------------------------------------

def test_join_member_new_writes_event_audit_and_number(tree, cast):
    """Part 5 join; part 4: stored encrypted and masked, audit without the numbers."""
    member = join_member(org=tree["G1111"], facts=make_facts(id_number=ID, mobile=MOBILE), by=cast["op"])
    member.refresh_from_db()
    assert (member.org, member.status, member.source, member.name) == (tree["G1111"], "active", "manual", "张三")
    assert numbers.is_valid(member.member_number)
    assert member.member_number.startswith(f"34{timezone.localdate().year}")
    assert member.id_masked == ID[:6] + "********" + ID[-4:]
    assert member.mobile_masked == "138****5678"
    assert pii.decrypt(member.id_number_enc, context=ID_CONTEXT + member.id_index) == ID
    assert pii.decrypt(member.mobile_enc, context=MOBILE_CONTEXT + member.id_index) == MOBILE
    event = member.events.get()
    assert (event.kind, event.date, event.org, event.by) == ("joined", datetime.date(2020, 5, 1), tree["G1111"],
                                                             cast["op"])
    entry = AuditEntry.objects.get(action="member_join")
    assert (entry.actor, entry.object_id, entry.changes) == (cast["op"], str(member.pk),
                                                              {"org": str(tree["G1111"]), "source": "manual"})
    assert_no_pii(audit_text("member_join"))


def test_join_member_ancestor_writer_may_join_into_subtree(tree, cast):
    member = join_member(org=tree["G1111"], facts=make_facts(id_number=ID), by=cast["op_t111"])
    assert member.org == tree["G1111"]


def test_join_member_active_elsewhere_needs_transfer_and_names_nothing(tree, cast, member):
    """Part 3: one active membership per person; the refusal says nothing about the other union."""
    e = error(join_member, org=tree["G2111"], facts=make_facts(id_number=ID, name="李四"), by=cast["op_g2111"])
    assert (e.message, e.field) == (NEEDS_TRANSFER, "id_number")
    for leak in (tree["G1111"].name, tree["G1111"].code, "张三", member.member_number, "合肥", "瑶海"):
        assert leak not in e.message
    assert Member.objects.count() == 1
    # The 15-digit form of the same number is the same person.
    old = ID[:6] + ID[8:17]
    assert error(join_member, org=tree["G1111"], facts=make_facts(id_number=old), by=cast["op"]).message == \
        NEEDS_TRANSFER


def test_join_member_given_member_number_kept_duplicate_refused(tree, cast):
    member = join_member(org=tree["G1111"], facts=make_facts(id_number=ID, member_number="HF-2019-7"),
                         by=cast["op"])
    assert member.member_number == "HF-2019-7"
    e = error(join_member, org=tree["G1111"], facts=make_facts(id_number=OTHER_ID, member_number="HF-2019-7"),
              by=cast["op"])
    assert (e.field, e.message) == ("member_number", "会员证号已被使用，请核对或留空由系统生成。")
    assert Member.objects.count() == 1


def test_join_member_dissolved_org_refused(tree, cast):
    dissolve_org(tree["G1112"], by=system_actor(), reason="单位注销")
    tree["G1112"].refresh_from_db()
    e = error(join_member, org=tree["G1112"], facts=make_facts(id_number=ID), by=cast["op_t111"])
    assert (e.field, e.message) == ("org", "该工会已撤销或合并，不能办理入会。")
    assert not Member.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "approver_g1111", "op_g2111", "pii_g1111"])
def test_join_member_writer_without_role_or_outside_subtree_refused(tree, cast, who):
    e = error(join_member, org=tree["G1111"], facts=make_facts(id_number=ID), by=cast[who])
    assert e.message == "您没有在该工会办理会员业务的权限。"
    assert not Member.objects.exists()


@pytest.mark.parametrize("ended", ["left", "retired"])
def test_join_member_rejoin_keeps_record_and_number(tree, cast, member, ended):
    end_membership(member, status=ended, date=datetime.date(2024, 6, 30), by=cast["op"])
    again = join_member(org=tree["G2111"], facts=make_facts(id_number=ID, name="张三", join_date="2025-03-01",
                                                            member_number="IGNORED-1"),
                        by=cast["op_g2111"])
    again.refresh_from_db()
    assert again.pk == member.pk and Member.objects.count() == 1
    assert (again.org, again.status, again.status_date) == (tree["G2111"], "active", None)
    assert again.member_number == member.member_number
    assert again.join_date == datetime.date(2025, 3, 1)
    event = again.events.get(kind=MemberEvent.Kind.REJOINED)
    assert (event.org, event.date, event.detail) == (tree["G2111"], datetime.date(2025, 3, 1),
                                                      {"previous_status": ended})
    assert AuditEntry.objects.get(action="member_rejoin").changes["status"] == [ended, "active"]


def test_join_member_rejoin_dated_before_the_end_refused(tree, cast, member):
    end_membership(member, status="left", date=datetime.date(2024, 6, 30), by=cast["op"])
    e = error(join_member, org=tree["G2111"], facts=make_facts(id_number=ID, join_date="2024-06-29"),
              by=cast["op_g2111"])
    assert e.field == "join_date" and "2024" not in e.message
    assert Member.objects.get().status == "left"


def test_join_member_deceased_refused(tree, cast, member):
    end_membership(member, status="deceased", date=datetime.date(2024, 6, 30), by=cast["op"])
    e = error(join_member, org=tree["G2111"], facts=make_facts(id_number=ID, join_date="2025-01-01"),
              by=cast["op_g2111"])
    assert e.field == "id_number" and "去世" in e.message
    assert Member.objects.get().status == "deceased"


# update -----------------------------------------------------------------------------------------

def test_update_member_changes_audited_masked(tree, cast, member):
    changed = update_member(member, facts=make_facts(id_number=ID, mobile="13900001111", ethnicity="回族",
                                                     education="本科"), by=cast["op"])
    changed.refresh_from_db()
    assert (changed.mobile_masked, changed.ethnicity, changed.education) == ("139****1111", "03", "20")
    assert pii.decrypt(changed.mobile_enc, context=MOBILE_CONTEXT + changed.id_index) == "13900001111"
    entry = AuditEntry.objects.get(action="member_update")
    assert entry.changes == {"mobile_masked": ["138****5678", "139****1111"], "ethnicity": ["", "03"],
                             "education": ["", "20"]}
    assert_no_pii(audit_text("member_update"), "13900001111")
    event = changed.events.get(kind=MemberEvent.Kind.UPDATED)
    assert event.detail == {"fields": ["education", "ethnicity", "mobile_masked"]}


def test_update_member_change_hidden_by_the_mask_still_saved(tree, cast, member):
    """138****5678 → 138****5678: the middle digits changed; the mask alone would hide it."""
    update_member(member, facts=make_facts(id_number=ID, mobile="13800005678"), by=cast["op"])
    member.refresh_from_db()
    assert pii.decrypt(member.mobile_enc, context=MOBILE_CONTEXT + member.id_index) == "13800005678"
    assert AuditEntry.objects.get(action="member_update").changes == {
        "mobile_masked": ["138****5678", "138****5678"]}


def test_update_member_new_id_number_reencrypts_under_new_index(tree, cast, member):
    new_id = make_id(seq=205)
    update_member(member, facts=make_facts(id_number=new_id, mobile=MOBILE), by=cast["op"])
    member.refresh_from_db()
    assert member.id_index == protect(make_facts(id_number=new_id))["id_index"]
    assert pii.decrypt(member.id_number_enc, context=ID_CONTEXT + member.id_index) == new_id
    assert pii.decrypt(member.mobile_enc, context=MOBILE_CONTEXT + member.id_index) == MOBILE
    changes = AuditEntry.objects.get(action="member_update").changes
    assert changes == {"id_masked": [ID[:6] + "********" + ID[-4:], new_id[:6] + "********" + new_id[-4:]]}


def test_update_member_id_of_another_record_refused(tree, cast, member):
    join_member(org=tree["G2111"], facts=make_facts(id_number=OTHER_ID), by=cast["op_g2111"])
    e = error(update_member, member, facts=make_facts(id_number=OTHER_ID), by=cast["op"])
    assert (e.field, e.message) == ("id_number", "该身份证号已属于另一条会员记录，不能改成这个号码。")
    member.refresh_from_db()
    assert pii.decrypt(member.id_number_enc, context=ID_CONTEXT + member.id_index) == ID


def test_update_member_no_op_writes_nothing(tree, cast, member):
    updated_at = Member.objects.get().updated_at
    same = update_member(member, facts=make_facts(id_number=" " + ID.lower(), mobile="138-1234-5678"), by=cast["op"])
    assert same.id_number_enc == Member.objects.get().id_number_enc
    assert Member.objects.get().updated_at == updated_at
    assert not AuditEntry.objects.filter(action="member_update").exists()
    assert not MemberEvent.objects.filter(kind=MemberEvent.Kind.UPDATED).exists()


def test_update_member_member_number_and_join_date_audited(tree, cast, member):
    old_number = member.member_number
    update_member(member, facts=make_facts(id_number=ID, mobile=MOBILE, member_number="HF-1",
                                           join_date="2019-03-01"), by=cast["op"])
    member.refresh_from_db()
    assert member.member_number == "HF-1"
    assert AuditEntry.objects.get(action="member_update").changes == {
        "member_number": [old_number, "HF-1"], "join_date": ["2020-05-01", "2019-03-01"]}
    # The timeline's join event follows the corrected date (the figures count joins from it).
    assert member.events.get(kind=MemberEvent.Kind.JOINED).date == datetime.date(2019, 3, 1)


def test_update_member_outside_writer_refused(tree, cast, member):
    e = error(update_member, member, facts=make_facts(id_number=ID, name="王五"), by=cast["op_g2111"])
    assert e.message == "您没有在该工会办理会员业务的权限。"
    assert Member.objects.get().name == "张三"


# end_membership ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "kind", "action"), [
    ("left", "left", "member_left"), ("retired", "retired", "member_retired"),
    ("deceased", "deceased", "member_deceased"),
])
def test_end_membership_ends_and_records(tree, cast, member, status, kind, action):
    end_membership(member, status=status, date=datetime.date(2025, 1, 31), by=cast["op"], note="调离本市")
    member.refresh_from_db()
    assert (member.status, member.status_date) == (status, datetime.date(2025, 1, 31))
    event = member.events.get(kind=kind)
    assert (event.date, event.org, event.note) == (datetime.date(2025, 1, 31), tree["G1111"], "调离本市")
    assert AuditEntry.objects.get(action=action).changes == {"status": ["active", status], "date": "2025-01-31"}


def test_end_membership_dates_checked(tree, cast, member):
    e = error(end_membership, member, status="left", date=datetime.date(2020, 4, 30), by=cast["op"])
    assert (e.field, e.message) == ("date", "日期不能早于入会日期。")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    e = error(end_membership, member, status="left", date=tomorrow, by=cast["op"])
    assert (e.field, e.message) == ("date", "日期不能晚于今天。")
    assert end_membership(member, status="left", date=datetime.date(2020, 5, 1), by=cast["op"]).status == "left"


def test_end_membership_not_active_refused(tree, cast, member):
    end_membership(member, status="retired", date=datetime.date(2025, 1, 31), by=cast["op"])
    e = error(end_membership, member, status="left", date=datetime.date(2025, 2, 1), by=cast["op"])
    assert e.message == "该会员当前为“退休”，不能再办理此项。"
    assert MemberEvent.objects.filter(kind="left").count() == 0


def test_end_membership_unknown_status_and_outsider_refused(tree, cast, member):
    assert error(end_membership, member, status="active", date=datetime.date(2025, 1, 1), by=cast["op"]).field == \
        "status"
    e = error(end_membership, member, status="left", date=datetime.date(2025, 1, 1), by=cast["op_g2111"])
    assert e.message == "您没有在该工会办理会员业务的权限。"
    assert Member.objects.get().status == "active"


def test_end_membership_cancels_pending_transfer(tree, cast, member):
    transfer = request_transfer(id_number=ID, name="张三", to_org=tree["G2111"], by=cast["op_g2111"])
    end_membership(member, status="left", date=datetime.date(2025, 1, 31), by=cast["op"])
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decision_note) == ("cancelled", "会籍已终止")


# request_transfer -------------------------------------------------------------------------------

def test_request_transfer_creates_pending_request(tree, cast, member):
    transfer = request_transfer(id_number=ID.lower(), name=" 张三 ", to_org=tree["G2111"], by=cast["op_g2111"],
                                reason="本人调至芜湖工作")
    assert (transfer.status, transfer.from_org, transfer.to_org, transfer.requested_by) == (
        "pending", tree["G1111"], tree["G2111"], cast["op_g2111"])
    entry = AuditEntry.objects.get(action="transfer_request")
    assert (entry.outcome, entry.object_id) == ("success", str(transfer.pk))
    assert_no_pii(audit_text("transfer_request"))


def test_request_transfer_name_with_ascii_dot_finds_minority_name(tree, cast):
    join_member(org=tree["G1111"], facts=make_facts(id_number=ID, name="阿依古丽·买买提"), by=cast["op"])
    transfer = request_transfer(id_number=ID, name="阿依古丽.买买提", to_org=tree["G2111"], by=cast["op_g2111"])
    assert transfer.status == "pending"


@pytest.mark.parametrize(("number", "name"), [(ID, "李四"), (OTHER_ID, "张三"), (ID, "张3")])
def test_request_transfer_wrong_name_or_number_generic_failure_audited(tree, cast, member, number, name):
    e = error(request_transfer, id_number=number, name=name, to_org=tree["G2111"], by=cast["op_g2111"])
    assert e.message == "未找到与该证件号码和姓名相符的在会会员。如本人尚未入会，请直接办理入会。"
    entry = AuditEntry.objects.get(action="transfer_request")  # kept although the action failed
    assert (entry.outcome, entry.actor, entry.object_id) == ("failure", cast["op_g2111"], "")
    assert_no_pii(audit_text("transfer_request"))
    assert not Transfer.objects.exists()


def test_request_transfer_ended_member_generic_failure(tree, cast, member):
    end_membership(member, status="left", date=datetime.date(2025, 1, 31), by=cast["op"])
    e = error(request_transfer, id_number=ID, name="张三", to_org=tree["G2111"], by=cast["op_g2111"])
    assert e.message.startswith("未找到")


def test_request_transfer_same_org_pending_and_dissolved_refused(tree, cast, member):
    assert error(request_transfer, id_number=ID, name="张三", to_org=tree["G1111"], by=cast["op"]).message == \
        "该会员已在本工会，无需转会。"
    request_transfer(id_number=ID, name="张三", to_org=tree["G2111"], by=cast["op_g2111"])
    assert error(request_transfer, id_number=ID, name="张三", to_org=tree["G1112"], by=cast["op_t111"]).message == \
        "该会员已有一份待审批的转会申请，请等待原工会审批。"
    dissolve_org(tree["G1211"], by=system_actor())
    tree["G1211"].refresh_from_db()
    writer_c1 = make_cadre(tree["C1"], "operator")
    assert error(request_transfer, id_number=ID, name="张三", to_org=tree["G1211"], by=writer_c1).message == \
        "转入工会已撤销或合并，不能办理转会。"
    assert Transfer.objects.count() == 1


def test_request_transfer_requester_needs_write_role_at_target(tree, cast, member):
    assert error(request_transfer, id_number=ID, name="张三", to_org=tree["G2111"], by=cast["op"]).message == \
        "您没有在该工会办理会员业务的权限。"
    assert error(request_transfer, id_number="123", name="张三", to_org=tree["G2111"],
                 by=cast["op_g2111"]).field == "id_number"


# decide_transfer --------------------------------------------------------------------------------

@pytest.fixture
def pending(tree, cast, member):
    return request_transfer(id_number=ID, name="张三", to_org=tree["G2111"], by=cast["op_g2111"])


@pytest.mark.parametrize("who", ["approver_g1111", "approver_t111", "approver_c1"])
def test_decide_transfer_approve_moves_member_keeping_number(tree, cast, member, pending, who):
    decided = decide_transfer(pending, approve=True, by=cast[who], note="同意")
    member.refresh_from_db()
    assert (decided.status, decided.decided_by) == ("approved", cast[who])
    assert (member.org, member.status) == (tree["G2111"], "active")
    assert member.member_number == Member.objects.get().member_number
    event = member.events.get(kind=MemberEvent.Kind.TRANSFERRED)
    assert (event.org, event.to_org, event.by, event.date) == (tree["G1111"], tree["G2111"], cast[who],
                                                               timezone.localdate())
    # History on both sides: the one event is in each union's scope.
    assert MemberEvent.objects.filter(MemberEvent.scope_q(tree["G1111"]), kind="transferred").count() == 1
    assert MemberEvent.objects.filter(MemberEvent.scope_q(tree["C2"]), kind="transferred").count() == 1
    assert AuditEntry.objects.get(action="transfer_approve").changes == {"status": ["pending", "approved"]}


def test_decide_transfer_reject_needs_note(tree, cast, member, pending):
    e = error(decide_transfer, pending, approve=False, by=cast["approver_t111"], note="  ")
    assert (e.field, e.message) == ("note", "拒绝转会时请填写理由。")
    decided = decide_transfer(pending, approve=False, by=cast["approver_t111"], note="本人未提出申请")
    member.refresh_from_db()
    assert (decided.status, decided.decision_note, member.org) == ("rejected", "本人未提出申请", tree["G1111"])
    assert not MemberEvent.objects.filter(kind="transferred").exists()
    assert AuditEntry.objects.filter(action="transfer_reject").count() == 1


def test_decide_transfer_requester_cannot_approve(tree, cast, member):
    both = make_cadre(tree["P"], "operator", "approver", username="both_roles")
    transfer = request_transfer(id_number=ID, name="张三", to_org=tree["G2111"], by=both)
    assert error(decide_transfer, transfer, approve=True, by=both).message == "不能审批自己提出的转会申请。"
    transfer.refresh_from_db()
    assert transfer.status == "pending"


@pytest.mark.parametrize("who", ["approver_c2", "op", "op_t111"])
def test_decide_transfer_sibling_subtree_or_non_approver_refused(tree, cast, member, pending, who):
    """The receiving side (C2) cannot approve its own intake; operators cannot decide."""
    e = error(decide_transfer, pending, approve=True, by=cast[who])
    assert e.message == "只有会员所在工会或其上级工会的审核人可以审批转会。"
    member.refresh_from_db()
    assert member.org == tree["G1111"]


def test_decide_transfer_second_decision_refused(tree, cast, member, pending):
    decide_transfer(pending, approve=True, by=cast["approver_t111"])
    # After the move the first approver's subtree no longer holds the member; C1's approver neither.
    approver_p = make_cadre(tree["P"], "approver")
    e = error(decide_transfer, pending, approve=False, by=approver_p, note="不同意")
    assert e.message == "该转会申请当前为“已同意”，不能拒绝（可能已由他人处理，请刷新后查看）。"
    assert Transfer.objects.get().status == "approved"


def test_decide_transfer_into_dissolved_union_refused(tree, cast, member, pending):
    dissolve_org(tree["G2111"], by=system_actor())
    e = error(decide_transfer, pending, approve=True, by=cast["approver_t111"])
    assert e.message == "转入工会已撤销或合并，不能同意转会；请拒绝该申请。"
    member.refresh_from_db()
    assert member.org == tree["G1111"]
    assert decide_transfer(pending, approve=False, by=cast["approver_t111"], note="转入工会已撤销").status == \
        "rejected"


def run_in_threads(*calls) -> list:
    """Run each call in its own thread (own database connection), started together; results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as e:  # noqa: BLE001 - the test inspects it
            results[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_decide_transfer_concurrent_decisions_one_wins():
    orgs = build_tree()
    op = make_cadre(orgs["G1111"], "operator")
    receiver = make_cadre(orgs["G2111"], "operator")
    approvers = [make_cadre(orgs["T111"], "approver"), make_cadre(orgs["C1"], "approver")]
    join_member(org=orgs["G1111"], facts=make_facts(id_number=ID), by=op)
    transfer = request_transfer(id_number=ID, name="张三", to_org=orgs["G2111"], by=receiver)
    results = run_in_threads(
        lambda: decide_transfer(transfer, approve=True, by=approvers[0]),
        lambda: decide_transfer(transfer, approve=False, by=approvers[1], note="不同意"),
    )
    wins = [r for r in results if isinstance(r, Transfer)]
    losses = [r for r in results if isinstance(r, DomainError)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert losses[0].message in {f"该转会申请当前为“已同意”，不能拒绝{HANDLED}。",
                                 f"该转会申请当前为“已拒绝”，不能同意{HANDLED}。",
                                 "只有会员所在工会或其上级工会的审核人可以审批转会。"}
    transfer.refresh_from_db()
    assert transfer.status == wins[0].status
    assert AuditEntry.objects.filter(action__in=["transfer_approve", "transfer_reject"]).count() == 1
    expected_org = orgs["G2111"] if transfer.status == "approved" else orgs["G1111"]
    assert Member.objects.get().org == expected_org


# cancel -----------------------------------------------------------------------------------------

def test_cancel_transfer_by_requesting_side(tree, cast, member, pending):
    assert error(cancel_transfer, pending, by=cast["op"]).message == "您没有在该工会办理会员业务的权限。"
    cancelled = cancel_transfer(pending, by=cast["op_g2111"])
    assert cancelled.status == "cancelled"
    assert AuditEntry.objects.get(action="transfer_cancel").changes == {"status": ["pending", "cancelled"]}
    assert error(cancel_transfer, pending, by=cast["op_g2111"]).message == \
        f"该转会申请当前为“已撤回”，不能撤回{HANDLED}。"
    assert error(decide_transfer, pending, approve=True, by=cast["approver_t111"]).message == \
        f"该转会申请当前为“已撤回”，不能同意{HANDLED}。"


# reveal -----------------------------------------------------------------------------------------

def test_reveal_returns_numbers_and_audits_reason(tree, cast, member):
    """Part 4: a full reveal needs the permission and a reason and writes an audit entry."""
    values = reveal(member, by=cast["pii_g1111"], reason="核对困难帮扶申请")
    assert values == {"id_number": ID, "mobile": MOBILE}
    entry = AuditEntry.objects.get(action="pii_reveal")
    assert (entry.actor, entry.object_id, entry.changes) == (cast["pii_g1111"], str(member.pk),
                                                              {"reason": "核对困难帮扶申请"})
    assert_no_pii(audit_text("pii_reveal"))


def test_reveal_reason_quoting_the_number_is_masked_in_audit(tree, cast, member):
    reveal(member, by=cast["pii_g1111"], reason=f"核对 {ID} 与 {MOBILE}")
    assert AuditEntry.objects.get(action="pii_reveal").changes == {
        "reason": f"核对 {ID[:6]}********{ID[-4:]} 与 138****5678"}
    assert_no_pii(audit_text("pii_reveal"))


def test_reveal_without_mobile(tree, cast):
    member = join_member(org=tree["G1111"], facts=make_facts(id_number=ID), by=cast["op"])
    assert reveal(member, by=cast["pii_g1111"], reason="核对身份") == {"id_number": ID, "mobile": ""}


@pytest.mark.parametrize(("who", "reason", "message"), [
    ("op", "核对身份", "您没有查看完整证件号码的权限。"),
    ("pii_c2", "核对身份", "您没有查看完整证件号码的权限。"),
    ("pii_g1111", " 查 ", "请填写查看原因。"),
    ("pii_g1111", "", "请填写查看原因。"),
])
def test_reveal_refused_without_role_scope_or_reason(tree, cast, member, who, reason, message):
    assert error(reveal, member, by=cast[who], reason=reason).message == message
    assert not AuditEntry.objects.filter(action="pii_reveal").exists()


# the uniqueness constraint ----------------------------------------------------------------------

def test_member_unique_id_index_enforced_by_database(tree, member):
    """Part 3: the constraint itself, not only the action's check."""
    stored = protect(make_facts(id_number=ID))
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(org=tree["G2111"], name="张三", gender="1", birth_date=datetime.date(1990, 1, 1),
                              join_date=datetime.date(2021, 1, 1), member_number="X-1", **stored)
    assert Member.objects.count() == 1


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_join_member_concurrent_same_person_one_wins():
    """Part 3 under concurrency: two unions enter the same person at once; the unique index decides."""
    orgs = build_tree()
    writers = [make_cadre(orgs["G1111"], "operator"), make_cadre(orgs["G2111"], "operator")]
    # Given member numbers: the joins do not queue on the number sequence, so both reach the INSERT.
    facts = [make_facts(id_number=ID, member_number="A-1"), make_facts(id_number=ID, member_number="B-1")]
    results = run_in_threads(
        lambda: join_member(org=orgs["G1111"], facts=facts[0], by=writers[0]),
        lambda: join_member(org=orgs["G2111"], facts=facts[1], by=writers[1]),
    )
    wins = [r for r in results if isinstance(r, Member)]
    losses = [r for r in results if isinstance(r, DomainError)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert (losses[0].message, losses[0].field) == (NEEDS_TRANSFER, "id_number")
    assert Member.objects.count() == 1 == MemberEvent.objects.count()
    assert AuditEntry.objects.filter(action="member_join").count() == 1
