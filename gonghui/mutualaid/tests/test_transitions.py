"""Issue 12 point 3, "State machines": a claim's allowed transitions through one `transition_claim` (two
decisions at once: test_actions' concurrent approval test, PostgreSQL)."""

import pytest

from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.common.states import HANDLED_ELSEWHERE
from gonghui.conftest import make_cadre
from gonghui.mutualaid import actions
from gonghui.mutualaid.models import Claim

from .test_actions import enrol, file, people  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
CS = Claim.Status


def test_allowed_map_is_explicit():
    """State machines: 核准 and 不予给付 leave 已申请 only; 已给付 is read from the ledger, never a transition."""
    assert actions.ALLOWED == {CS.APPROVED: {CS.FILED}, CS.REJECTED: {CS.FILED}}


@pytest.mark.parametrize("to", [CS.APPROVED, CS.REJECTED])
def test_every_allowed_transition_works_then_both_are_refused(tree, plan, people, to):  # noqa: F811
    """State machines: 已申请 → 已核准 (a ledger approval) or → 不予给付 (with the reason), audited with the status
    before and after by the deciding cadre; then neither decision is possible, the message saying why; an
    outsider (another county's approver) is refused before that."""
    enrol(plan, tree, people, ["甲"])
    claim = file(people, "甲", make_cadre(tree["K11"], "operator"))
    with pytest.raises(DomainError, match="权限"):
        actions.transition_claim(claim, to=to, by=make_cadre(tree["K12"], "approver"), reason="x")
    approver = make_cadre(tree["K11"], "approver")
    claim = actions.transition_claim(claim, to=to, by=approver, reason="发票不属于本人")
    assert (claim.status, claim.decided_by, claim.approval is not None) == (to, approver, to == CS.APPROVED)
    action = "mutualaid_claim_approve" if to == CS.APPROVED else "mutualaid_claim_reject"
    entry = AuditEntry.objects.get(action=action)
    assert (entry.actor, entry.changes["status"]) == (approver, ["filed", to])
    for again, verb in ((CS.APPROVED, "核准"), (CS.REJECTED, "不予给付")):
        with pytest.raises(DomainError) as e:
            actions.transition_claim(claim, to=again, by=approver, reason="再次")
        assert e.value.message == f"该申请当前为“{Claim.Status(to).label}”，不能{verb}{HANDLED_ELSEWHERE}。"
