"""Issue 12 point 3, "State machines": an approval's allowed transitions through one `transition_approval`
(two payments at once: test_actions.test_two_cadres_recording_at_once_one_payment, PostgreSQL)."""

import pytest
from django.db import transaction

from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.common.states import HANDLED_ELSEWHERE
from gonghui.conftest import make_cadre
from gonghui.ledger import actions
from gonghui.ledger.models import Approval, Entry

from .conftest import kind, source

pytestmark = pytest.mark.django_db
AS = Approval.Status


def test_allowed_map_is_explicit():
    """State machines: 已审批待发放 → 已发放 → 已冲销, nothing else."""
    assert actions.ALLOWED == {AS.PAID: {AS.APPROVED}, AS.REVERSED: {AS.PAID}}


def test_every_allowed_transition_works_and_the_others_are_refused(tree, people):
    """State machines: 发放登记 then 冲销, each an entry audited on the entry with the approval's status before and
    after; reversing an unpaid approval, paying twice and reversing twice are refused with the state and verb;
    another county's cadre is refused; by=None raises."""
    approver, operator, member, _ = people
    approval = actions.approve(member=member, kind=kind("living"), fund_source=source(), amount="800", by=approver)
    with pytest.raises(DomainError) as e, transaction.atomic():
        actions.transition_approval(approval, to=AS.REVERSED, by=approver, reason="错发")
    assert e.value.message == f"该审批当前为“已审批待发放”，不能冲销{HANDLED_ELSEWHERE}。"
    with pytest.raises(DomainError, match="没有登记"):
        actions.record_payment(approval=approval, by=make_cadre(tree["K12"], "operator"), key="out")
    with pytest.raises(TypeError):
        actions.record_payment(approval=approval, by=None, key="none")
    paid = actions.record_payment(approval=approval, by=operator, key="pay")
    assert AuditEntry.objects.get(action="ledger_pay").changes["status"] == ["approved", "paid"]
    with pytest.raises(DomainError) as e:
        actions.record_payment(approval=approval, by=operator, key="pay-again")
    assert e.value.message == f"该审批当前为“已发放”，不能登记发放{HANDLED_ELSEWHERE}。"
    reversal = actions.reverse(entry=paid, by=approver, reason="错发")
    entry = AuditEntry.objects.get(action="ledger_reverse")
    assert (entry.actor, entry.object_id, entry.changes["status"]) == (approver, str(reversal.pk), ["paid", "reversed"])
    with pytest.raises(DomainError) as e:
        actions.reverse(entry=paid, by=approver, reason="再冲")
    assert e.value.message == f"该审批当前为“已冲销”，不能冲销{HANDLED_ELSEWHERE}。"
    assert Approval.objects.get(pk=approval.pk).status == AS.REVERSED and Entry.objects.count() == 2


def test_system_actor_records_without_the_role_check(people):
    """Acting user: a payment recorded by the system actor (a command) passes the role check, and is named."""
    approver, _, member, _ = people
    approval = actions.approve(member=member, kind=kind("living"), fund_source=source(), amount="100", by=approver)
    entry = actions.record_payment(approval=approval, by=system_actor(), key="sys")
    assert entry.recorded_by == system_actor()
