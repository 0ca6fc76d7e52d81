"""The audit trail: append-only (R-AUD-2), read by auditors of the subtree only (R-AUD-4), masked
(R-PI-9), and written once per login event (R-AUD-1)."""

import pytest
from django.db import DatabaseError, connection, transaction

from gonghui.common import audit
from gonghui.common.audit import mask_text
from gonghui.common.models import AuditEntry
from gonghui.conftest import PASSWORD, login, make_cadre


def test_audit_entry_cannot_be_changed_or_deleted_through_the_model(db):
    """Done-when: saving an existing entry or deleting it through the model raises."""
    entry = audit.record("update", actor_name="系统", object_repr="原始")
    entry.object_repr = "篡改"
    with pytest.raises(PermissionError, match="只能追加"):
        entry.save()
    with pytest.raises(PermissionError, match="只能追加"):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "原始"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
@pytest.mark.parametrize("sql", [
    "UPDATE common_auditentry SET object_repr = '篡改' WHERE id = %s",
    "DELETE FROM common_auditentry WHERE id = %s",
])
def test_audit_trigger_refuses_raw_update_and_delete(db, sql):
    """Done-when: on PostgreSQL a raw UPDATE or DELETE of the audit table raises (trigger)."""
    entry = audit.record("update", actor_name="系统", object_repr="原始")
    with pytest.raises(DatabaseError, match="审计日志只能追加"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    with pytest.raises(DatabaseError, match="审计日志只能追加"):
        with transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).update(object_repr="篡改")
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "原始"


def _entries(tree):
    own = audit.record("update", actor=make_cadre(tree["T111"], "operator"), obj=tree["G1111"],
                       object_repr="瑶海内部标记")
    other = audit.record("update", actor=make_cadre(tree["K21"], "operator"), obj=tree["G2111"],
                         object_repr="镜湖外部标记")
    above = audit.record("update", actor=make_cadre(tree["C1"], "operator"), obj=tree["C1"],
                         object_repr="市级上级标记")
    orgless = audit.record("login_failed", actor_name="nobody", outcome=AuditEntry.Outcome.FAILURE,
                           object_repr="无组织标记")
    return own, other, above, orgless


def test_only_auditors_read_the_audit_admin(tree, client):
    """Done-when: an org admin (or any non-auditor) gets no audit list; an auditor sees only
    entries of their subtree, not of siblings, ancestors or accounts without an org."""
    own, other, above, orgless = _entries(tree)
    for roles in [("org_admin",), ("operator", "approver"), ("sysadmin",), ("secadmin",)]:
        login(client, make_cadre(tree["K11"], *roles))
        response = client.get("/admin/common/auditentry/")
        assert response.status_code == 404
        assert "瑶海内部标记" not in response.content.decode()
        assert client.get(f"/admin/common/auditentry/{own.pk}/change/").status_code == 404
    login(client, make_cadre(tree["K11"], "auditor"))
    response = client.get("/admin/common/auditentry/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "瑶海内部标记" in body
    for marker in ("镜湖外部标记", "市级上级标记", "无组织标记"):
        assert marker not in body
    assert client.get(f"/admin/common/auditentry/{own.pk}/change/").status_code == 200
    assert client.get(f"/admin/common/auditentry/{other.pk}/change/").status_code == 404


def test_root_auditor_sees_entries_without_an_org(tree, client):
    """Done-when: failed logins of unknown names (no org) are visible to the top auditor."""
    *_, orgless = _entries(tree)
    login(client, make_cadre(tree["P"], "auditor"))
    body = client.get("/admin/common/auditentry/").content.decode()
    assert "无组织标记" in body and "镜湖外部标记" in body and "瑶海内部标记" in body


@pytest.mark.parametrize("text, masked", [
    ("身份证号11010519491231002X，电话13812345678", "身份证号110105********002X，电话138****5678"),
    ("id 11010519491231002x tel 13812345678.", "id 110105********002x tel 138****5678."),
    ("+8613912345678", "+86139****5678"),
    ("银行卡6222021234567890123", "银行卡6222021234567890123"),  # not an ID or phone: left alone
    ("统一社会信用代码91350100M000100Y43", "统一社会信用代码91350100M000100Y43"),
])
def test_mask_text_masks_id_numbers_and_phones(text, masked):
    """Done-when: ID numbers and mobile numbers are masked wherever they appear, also next to
    Chinese text."""
    assert mask_text(text) == masked


def test_record_masks_object_repr_and_changes(db):
    entry = audit.record("update", actor_name="系统", object_repr="张三 11010519491231002X",
                         changes={"phone": ["13812345678", "13912345678"]})
    assert entry.object_repr == "张三 110105********002X"
    assert entry.changes == {"phone": ["138****5678", "139****5678"]}


def _login_post(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})


def test_login_logout_failure_and_lockout_each_write_one_entry(tree, client, settings):
    """Done-when: login, logout, a failed login and a lockout each write exactly one entry."""
    user = make_cadre(tree["K11"], "operator", username="wang")
    start = AuditEntry.objects.count()

    def new_actions():
        return list(AuditEntry.objects.order_by("id")[start:].values_list("action", "actor_name", "outcome"))

    assert _login_post(client, "wang", PASSWORD).status_code == 302
    assert new_actions() == [("login", "wang", "success")]
    client.post("/accounts/logout/")
    assert new_actions()[1:] == [("logout", "wang", "success")]
    start = AuditEntry.objects.count()
    _login_post(client, "wang", "wrong-password")
    assert new_actions() == [("login_failed", "wang", "failure")]
    start = AuditEntry.objects.count()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login_post(client, "wang", "wrong-password")
    entries = new_actions()
    assert entries.count(("lockout", "wang", "denied")) == 1
    assert entries.count(("login_failed", "wang", "failure")) == settings.AXES_FAILURE_LIMIT - 1
    assert user.pk


def test_audit_ip_behind_trusted_proxy(tree, client, settings):
    """Behind one trusted proxy the audit records the client's address from X-Forwarded-For."""
    from gonghui.common.audit import current_ip
    from gonghui.common.middleware import AuditContextMiddleware

    seen = []
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    middleware = AuditContextMiddleware(lambda request: seen.append(current_ip.get()))
    from django.test import RequestFactory

    middleware(RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.2", REMOTE_ADDR="10.0.0.2"))
    settings.AXES_IPWARE_PROXY_COUNT = None
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
    middleware(RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.2"))
    assert seen == ["203.0.113.7", "10.0.0.2"]
