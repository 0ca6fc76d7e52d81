"""Issue 12 point 3, "State machines": a transfer's allowed transitions through one `transition_transfer`
(two decisions at once: test_actions.test_decide_transfer_concurrent_decisions_one_wins, PostgreSQL)."""

import pytest

from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.common.states import HANDLED_ELSEWHERE
from gonghui.conftest import make_cadre
from gonghui.members import actions
from gonghui.members.models import MemberEvent, Transfer

from .test_actions import ID, cast, member, pending  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
TS = Transfer.Status


def test_allowed_map_is_explicit():
    """State machines: every decision leaves 待审批 only."""
    assert actions.TRANSFER_ALLOWED == {TS.APPROVED: {TS.PENDING}, TS.REJECTED: {TS.PENDING},
                                        TS.CANCELLED: {TS.PENDING}}


@pytest.mark.parametrize("to", [TS.APPROVED, TS.REJECTED, TS.CANCELLED])
def test_every_allowed_transition_works_and_then_nothing_more(tree, cast, member, pending, to):  # noqa: F811
    """State machines: 待审批 → 已同意 (the member moves, one event), → 已拒绝 (with a reason), → 已撤回 (by the
    receiving union); each audited with the status before and after; afterwards every transition is refused
    with the state and the verb in the message."""
    by = cast["op_g2111"] if to == TS.CANCELLED else cast["approver_t111"]
    done = actions.transition_transfer(pending, to=to, by=by, note="理由")
    assert done.status == to
    member.refresh_from_db()
    assert member.org == (tree["G2111"] if to == TS.APPROVED else tree["G1111"])
    assert MemberEvent.objects.filter(member=member, kind="transferred").count() == (to == TS.APPROVED)
    verb = {TS.APPROVED: "transfer_approve", TS.REJECTED: "transfer_reject", TS.CANCELLED: "transfer_cancel"}[to]
    entry = AuditEntry.objects.get(action=verb)
    assert (entry.actor, entry.changes["status"]) == (by, ["pending", to])
    label = Transfer.Status(to).label
    for again, verb in ((TS.APPROVED, "同意"), (TS.REJECTED, "拒绝"), (TS.CANCELLED, "撤回")):
        with pytest.raises(DomainError) as e:
            actions.transition_transfer(pending, to=again, by=make_cadre(tree["P"], "approver", username=f"p_{again}"),
                                        note="再来")
        assert e.value.message == f"该转会申请当前为“{label}”，不能{verb}{HANDLED_ELSEWHERE}。"


def test_outsider_and_none_refused_and_system_actor_skips_only_the_role_check(tree, cast, member, pending):  # noqa: F811
    """State machines: another county's approver cannot decide (nothing changes); by=None raises; the system
    actor may decide, and is named as the decider."""
    with pytest.raises(DomainError, match="只有会员所在工会或其上级工会的审核人"):
        actions.decide_transfer(pending, approve=True, by=make_cadre(tree["K12"], "approver"))
    with pytest.raises(TypeError):
        actions.decide_transfer(pending, approve=True, by=None)
    assert Transfer.objects.get(pk=pending.pk).status == TS.PENDING
    done = actions.decide_transfer(pending, approve=True, by=system_actor())
    assert (done.status, done.decided_by) == (TS.APPROVED, system_actor())
