"""Issue 12, point 3 (one notify()): in-app notifications and SMS go out after commit, never for a rolled-back
change, one row per recipient written in bulk; the SMS flag reaches only accounts whose mobile is known."""

import logging

import pytest
from django.db import transaction

from gonghui.notifications import actions, queries
from gonghui.notifications.actions import notify
from gonghui.notifications.models import Notification


@pytest.fixture
def users(django_user_model):
    return [django_user_model.objects.create(username=f"w_{i}") for i in range(3)]


@pytest.fixture
def known_mobiles(monkeypatch, users):
    """Only the first user has a known mobile (as a registered lookup would say; the real one is the portal's,
    tested there). The registry is replaced for the test so the portal's lookup does not answer."""
    asked: list[list[int]] = []

    def lookup(user_ids):
        asked.append(list(user_ids))
        return {pk: "13812345678" for pk in user_ids if pk == users[0].pk}

    monkeypatch.setattr(actions, "_mobile_lookups", [])
    actions.register_mobile_lookup(lookup)
    return asked


# serialized_rollback like every transactional test here: without it the flush after this test re-creates the
# content types, and the next serialized test's reload collides with them (PostgreSQL).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_notify_writes_nothing_before_commit_and_nothing_after_a_rollback(users, sms_outbox, known_mobiles):
    """Issue 12, point 3: nothing is written or sent while the transaction runs, nor when it rolls back; the
    committed one is written and sent once it commits."""
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(users[0], text="不会发出", sms=True)
        assert not Notification.objects.exists()
        raise RuntimeError("回滚")
    assert not Notification.objects.exists() and sms_outbox == []

    with transaction.atomic():
        notify(users[0], text="审批已通过", link="/w/card/", sms=True)
        assert not Notification.objects.exists() and sms_outbox == []
    assert list(Notification.objects.values_list("user", "text", "link")) == [(users[0].pk, "审批已通过", "/w/card/")]
    assert [(m["to"], m["text"]) for m in sms_outbox] == [("13812345678", "审批已通过")]


@pytest.mark.django_db
def test_notify_rolled_back_savepoint_drops_only_its_own_notifications(users, django_capture_on_commit_callbacks):
    """Issue 12, point 3: a notification made inside a savepoint that rolls back is dropped; one made beside it in
    the committed transaction is written."""
    with django_capture_on_commit_callbacks(execute=True):
        notify(users[0], text="保留")
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(users[1], text="撤销")
            raise RuntimeError("回滚")
    assert list(Notification.objects.values_list("user", "text")) == [(users[0].pk, "保留")]


@pytest.mark.django_db
def test_notify_many_writes_one_row_per_recipient_in_one_insert(users, django_capture_on_commit_callbacks,
                                                                django_assert_num_queries):
    """Issue 12, point 3: many recipients, one row each (an account listed twice is told once), one INSERT."""
    with django_capture_on_commit_callbacks() as callbacks:
        notify([users[0], users[1], users[2], users[0]], text="办件已逾期", link="/admin/hall/application/1/change/")
    assert not Notification.objects.exists()
    with django_assert_num_queries(1):
        for callback in callbacks:
            callback()
    rows = Notification.objects.order_by("user_id").values_list("user", "text", "link", "read_at")
    assert list(rows) == [(u.pk, "办件已逾期", "/admin/hall/application/1/change/", None) for u in users]


@pytest.mark.django_db
def test_notify_nobody_registers_nothing(django_capture_on_commit_callbacks):
    """Issue 12, point 3: an empty list of recipients (a union without a handler) is not an error."""
    with django_capture_on_commit_callbacks() as callbacks:
        notify([], text="无人接收")
    assert callbacks == [] and not Notification.objects.exists()


@pytest.mark.django_db
def test_notify_sms_flag_sends_to_known_mobiles_only(users, sms_outbox, known_mobiles,
                                                     django_capture_on_commit_callbacks):
    """Issue 12, point 3: without the flag no SMS; with it, an SMS to each account whose mobile is known, the
    others get the in-app notification only."""
    with django_capture_on_commit_callbacks(execute=True):
        notify(users, text="仅站内")
    assert sms_outbox == [] and known_mobiles == []  # nobody was even looked up
    with django_capture_on_commit_callbacks(execute=True):
        notify(users, text="站内和短信", sms=True)
    assert [(m["to"], m["text"]) for m in sms_outbox] == [("13812345678", "站内和短信")]
    assert known_mobiles == [[u.pk for u in users]]
    assert Notification.objects.filter(text="站内和短信").count() == 3


@pytest.mark.django_db
def test_notify_failed_sms_is_logged_and_keeps_the_notification(users, settings, known_mobiles, caplog,
                                                                 django_capture_on_commit_callbacks):
    """Issue 12, point 3: an SMS that cannot be sent (here: no gateway configured) does not undo the in-app
    notification; the log shows the masked number only."""
    settings.SMS_BACKEND, settings.SMS_GATEWAY_URL = "gonghui.accounts.sms.HttpGatewayBackend", ""
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        notify(users[0], text="已受理", sms=True)
    assert Notification.objects.get().text == "已受理"
    assert "通知短信未能发送至 138****5678" in caplog.text and "13812345678" not in caplog.text


@pytest.mark.django_db
def test_notify_broken_mobile_lookup_neither_fails_nor_undoes(users, monkeypatch, caplog, sms_outbox,
                                                              django_capture_on_commit_callbacks):
    """Issue 12, point 3: a lookup that fails after commit (a number that no longer decrypts) is logged; the caller
    gets no error for a change already committed, and the in-app notification is written."""
    def broken(user_ids):
        raise ValueError("无法解密")

    monkeypatch.setattr(actions, "_mobile_lookups", [broken])
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(users[0], text="已办结", sms=True)
    assert len(callbacks) == 2 and sms_outbox == []
    assert Notification.objects.get().text == "已办结" and "无法解密" in caplog.text


@pytest.mark.django_db
def test_notify_cuts_text_and_link_to_their_columns(users, django_capture_on_commit_callbacks):
    """Issue 12, point 3: a long reason never fails the write after commit: text and link are cut to fit."""
    with django_capture_on_commit_callbacks(execute=True):
        notify(users[0], text="长" * 400, link="/" + "x" * 300)
    row = Notification.objects.get()
    assert (len(row.text), len(row.link)) == (300, 200)


@pytest.mark.django_db
def test_mark_read_and_recent_see_only_the_accounts_own(users, django_capture_on_commit_callbacks):
    """Issue 12, point 3: the 我的 page's list and read marking: the account's own notifications, newest first;
    another account's stay unread and unseen."""
    with django_capture_on_commit_callbacks(execute=True):
        notify(users[0], text="第一条")
        notify(users[0], text="第二条")
        notify(users[1], text="别人的")
    assert [n.text for n in queries.recent(users[0])] == ["第二条", "第一条"]
    assert actions.mark_read(users[0]) == 2
    assert actions.mark_read(users[0]) == 0
    assert Notification.objects.get(user=users[1]).read_at is None
