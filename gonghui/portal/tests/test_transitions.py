"""Issue 12 point 3, "State machines": the join application's allowed transitions, one `transition_application`,
and two decisions at once (PostgreSQL)."""

import pytest

from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.common.states import HANDLED_ELSEWHERE
from gonghui.conftest import build_tree, make_cadre
from gonghui.members.tests.test_actions import POSTGRES_ONLY, run_in_threads
from gonghui.portal import actions
from gonghui.portal.models import JoinApplication

from .conftest import raw_facts, sign_up

pytestmark = pytest.mark.django_db
JA = JoinApplication.Status


def submit(worker, org):
    return actions.submit_application(worker=worker, org=org, channel="search", raw=raw_facts())


def test_allowed_map_is_explicit_and_every_state_reached():
    """State machines: the map names each transition and the states it may leave; filing starts in 待审核."""
    assert actions.ALLOWED == {JA.SUBMITTED: {JA.RETURNED}, JA.RETURNED: {JA.SUBMITTED},
                               JA.ACCEPTED: {JA.SUBMITTED}, JA.WITHDRAWN: {JA.SUBMITTED, JA.RETURNED}}


def test_every_allowed_transition_works_with_its_event_and_audit(worker, tree, sms_outbox):
    """State machines: 待审核 → 已退回 → 待审核 → 已通过, and 待审核 → 已撤回 / 已退回 → 已撤回, each through
    transition_application, each with an event and an audit entry naming who acted."""
    approver = make_cadre(tree["T111"], "approver")
    app = submit(worker, tree["G1111"])
    app = actions.transition_application(app, to=JA.RETURNED, by=approver, reason="民族填写有误")
    assert (app.status, app.reason, app.decided_by) == (JA.RETURNED, "民族填写有误", approver)
    app = actions.resubmit_application(application=app, worker=worker, raw=raw_facts(ethnicity="回族"))
    assert (app.status, app.reason, app.ethnicity) == (JA.SUBMITTED, "", "03")
    member = actions.transition_application(app, to=JA.ACCEPTED, by=approver)
    app.refresh_from_db()
    assert (app.status, app.member, member.org) == (JA.ACCEPTED, member, tree["G1111"])
    assert [e.status for e in app.events.all()] == [JA.SUBMITTED, JA.RETURNED, JA.SUBMITTED, JA.ACCEPTED]
    assert list(AuditEntry.objects.filter(object_id=str(app.pk), action__startswith="portal_application_")
                .order_by("id").values_list("action", "actor")) == [
        ("portal_application_submit", worker.user.pk), ("portal_application_return", approver.pk),
        ("portal_application_resubmit", worker.user.pk), ("portal_application_accept", approver.pk)]
    other = sign_up(sms_outbox, number="13900001111")
    for returned_first in (False, True):
        app = actions.submit_application(worker=other, org=tree["G1112"], channel="search",
                                         raw=raw_facts(id_number="11010519491231002X", mobile="13900001111"))
        if returned_first:
            app = actions.return_application(application=app, by=approver, reason="请补充单位")
        app = actions.withdraw_application(application=app, worker=other)
        assert app.status == JA.WITHDRAWN and app.events.last().by == other.user


def test_disallowed_transitions_refused_with_the_state_in_the_message(worker, tree):
    """State machines: a transition its state does not allow is refused, saying the state and the verb; the
    applicant cannot decide, an approver cannot withdraw for the worker, an outsider cannot decide (the
    county next door), and the system actor's decision skips only the role check."""
    approver = make_cadre(tree["T111"], "approver")
    app = submit(worker, tree["G1111"])
    with pytest.raises(DomainError) as e:
        actions.resubmit_application(application=app, worker=worker, raw=raw_facts())
    assert e.value.message == f"该申请当前为“待审核”，不能重新提交{HANDLED_ELSEWHERE}。"
    with pytest.raises(DomainError, match="只有申请人本人"):
        actions.transition_application(app, to=JA.WITHDRAWN, by=approver)
    with pytest.raises(DomainError, match="没有审核该工会入会申请的权限"):
        actions.accept_application(application=app, by=make_cadre(tree["K12"], "approver"))
    with pytest.raises(DomainError, match="没有审核该工会入会申请的权限"):
        actions.accept_application(application=app, by=worker.user)
    actions.withdraw_application(application=app, worker=worker)
    for to in (JA.ACCEPTED, JA.RETURNED, JA.WITHDRAWN):
        with pytest.raises(DomainError) as e:
            actions.transition_application(app, to=to, by=worker.user if to == JA.WITHDRAWN else approver,
                                           reason="x")
        assert e.value.message.startswith("该申请当前为“已撤回”，不能")
    second = submit(worker, tree["G1111"])
    member = actions.accept_application(application=second, by=system_actor())
    assert member.events.get().by == system_actor()
    with pytest.raises(TypeError):
        actions.accept_application(application=second, by=None)


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_decisions_at_once_one_wins(sms_outbox):
    """State machines (concurrency, PostgreSQL): two approvers accept and return the same application at the
    same moment — one wins, the other is told it was handled; one member record at most."""
    tree = build_tree()
    worker = sign_up(sms_outbox)
    app = submit(worker, tree["G1111"])
    a = make_cadre(tree["T111"], "approver", username="ja_a")
    b = make_cadre(tree["K11"], "approver", username="ja_b")
    results = run_in_threads(lambda: actions.accept_application(application=app, by=a),
                             lambda: actions.return_application(application=app, by=b, reason="请核对"))
    losses = [r for r in results if isinstance(r, DomainError)]
    assert len(losses) == 1 and losses[0].message.startswith("该申请当前为“")
    assert HANDLED_ELSEWHERE in losses[0].message
    app.refresh_from_db()
    assert app.status in (JA.ACCEPTED, JA.RETURNED) and app.events.count() == 2
