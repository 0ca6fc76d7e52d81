"""Issue 12, point 3 (one notify()): the worker's notifications come from the notifications engine: the 我的
page lists a worker's own and marks them read; SMS notifications reach a worker's mobile, which only the
portal knows (its registered lookup)."""

import pytest

from gonghui.conftest import login, make_cadre
from gonghui.notifications.actions import mobiles_of, notify
from gonghui.notifications.models import Notification
from gonghui.portal import actions

from .conftest import MOBILE, raw_facts, sign_up

pytestmark = pytest.mark.django_db


def test_home_lists_the_workers_own_notifications_and_marks_them_read(client, tree, sms_outbox,
                                                                      django_capture_on_commit_callbacks):
    """Issue 12, point 3: the decision's notification (after commit) on the worker's page, then read; another
    worker sees none of it; a cadre of another county gets 404 on the page."""
    owner = sign_up(sms_outbox)
    other = sign_up(sms_outbox, "13900001111")
    application = actions.submit_application(worker=owner, org=tree["G1111"], channel="search", raw=raw_facts())
    with django_capture_on_commit_callbacks(execute=True):
        actions.return_application(application=application, by=make_cadre(tree["G1111"], "approver"),
                                   reason="请补充学历")
    client.force_login(owner.user)
    page = client.get("/w/").content.decode()
    assert "您加入合肥瑶海机械有限公司工会的申请被退回：请补充学历" in page
    assert f'class="unread"><a href="/w/applications/{application.pk}/"' in page
    assert Notification.objects.get(user=owner.user).read_at is not None
    client.force_login(other.user)
    assert "请补充学历" not in client.get("/w/").content.decode()
    login(client, make_cadre(tree["K21"], "approver"))
    assert client.get("/w/").status_code == 404


def test_sms_notification_reaches_the_workers_mobile_only(tree, sms_outbox, django_capture_on_commit_callbacks):
    """Issue 12, point 3: notify(..., sms=True) texts a worker at the mobile they signed up with (decrypted by the
    portal's lookup); a cadre, whose mobile nobody keeps, gets the in-app notification only."""
    worker = sign_up(sms_outbox)
    cadre = make_cadre(tree["G1111"], "operator")
    assert mobiles_of([worker.user.pk, cadre.pk]) == {worker.user.pk: MOBILE}
    sms_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify([worker.user, cadre], text="您的办件已办结。", sms=True)
    assert [(m["to"], m["text"]) for m in sms_outbox] == [(MOBILE, "您的办件已办结。")]
    assert set(Notification.objects.values_list("user", flat=True)) == {worker.user.pk, cadre.pk}
