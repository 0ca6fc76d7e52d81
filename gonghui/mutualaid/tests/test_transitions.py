"""Issue 12 point 3, "State machines": a claim's allowed transitions through one `transition_claim` (two
decisions at once: test_actions' concurrent approval test, PostgreSQL)."""

import pytest

from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.common.states import HANDLED_ELSEWHERE
from gonghui.conftest import build_tree, make_cadre
from gonghui.ledger.models import Approval
from gonghui.members.actions import join_member
from gonghui.members.tests.conftest import make_facts, make_id
from gonghui.members.tests.test_actions import POSTGRES_ONLY, run_in_threads
from gonghui.mutualaid import actions
from gonghui.mutualaid.models import Claim

from .conftest import make_plan
from .test_actions import EVENT, NOW, enrol, file, people  # noqa: F401 (fixture)

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


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_decisions_on_one_claim_at_once_one_wins():
    """State machines (concurrency, PostgreSQL): two approvers approve and refuse the same claim at the same
    moment — one wins, the other is told it was handled; at most one ledger approval."""
    orgs = build_tree()
    plan = make_plan(orgs["P"])
    member = join_member(org=orgs["G1111"], facts=make_facts(name="周并发", id_number=make_id(seq=341)),
                         by=system_actor())
    actions.enrol(plan=plan, org=orgs["G1111"], members=[member], by=make_cadre(orgs["G1111"], "operator"))
    claim = actions.file_claim(member=member, event_date=EVENT, expense="12000", consent_at=NOW,
                               by=make_cadre(orgs["K11"], "operator", username="one_filer"))
    a, b = (make_cadre(orgs["K11"], "approver", username=f"one_{n}") for n in "ab")
    results = run_in_threads(lambda: actions.approve_claim(claim=claim, by=a),
                             lambda: actions.reject_claim(claim=claim, by=b, reason="发票重复"))
    losses = [r for r in results if isinstance(r, DomainError)]
    assert len(losses) == 1 and HANDLED_ELSEWHERE in losses[0].message, results
    claim.refresh_from_db()
    assert Approval.objects.count() == (claim.status == CS.APPROVED)
