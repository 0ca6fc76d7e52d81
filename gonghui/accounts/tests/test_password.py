"""等保 password rules: the own-password page goes through the action (audited); an initial or
reset password must be changed before anything else; a lost authenticator is reset by the
security administrator only."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.actions import change_password, create_cadre, reset_two_factor
from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.conftest import PASSWORD, login, make_cadre

NEW = "Neues#Passwort2026"


def test_own_password_change_is_audited_and_keeps_session(tree, client):
    user = make_cadre(tree["K11"], "operator")
    login(client, user)
    response = client.post("/admin/password_change/", {
        "old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.must_change_password
    entry = AuditEntry.objects.get(action="password_change", object_id=str(user.pk))
    assert entry.actor == user
    assert client.get("/admin/").status_code == 200  # this session survives, others end


def test_wrong_old_password_and_weak_new_password_refused(tree, client):
    user = make_cadre(tree["K11"], "operator")
    login(client, user)
    body = client.post("/admin/password_change/", {
        "old_password": "wrong", "new_password1": NEW, "new_password2": NEW}).content.decode()
    assert "旧密码不正确" in body or "你的旧密码不正确" in body
    body = client.post("/admin/password_change/", {
        "old_password": PASSWORD, "new_password1": "abcdefghij", "new_password2": "abcdefghij"}).content.decode()
    assert "至少应包含大写字母、小写字母、数字、符号中的 3 类" in body
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="password_change").exists()


def test_initial_password_must_be_changed_first(tree, client):
    user = create_cadre(username="newcomer", password=PASSWORD, org=tree["K11"], roles=set(), by=system_actor())
    assert user.must_change_password
    login(client, user)
    response = client.get("/admin/orgs/org/")
    assert response.status_code == 302 and response["Location"] == "/admin/password_change/"
    assert "请先修改密码" in client.get("/admin/password_change/").content.decode()
    assert client.get("/api/v1/orgs/").status_code == 401
    client.post("/admin/password_change/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert client.get("/admin/orgs/org/").status_code == 200


def test_password_set_by_administrator_is_initial_again(tree):
    admin_user = make_cadre(tree["K11"], "sysadmin", username="sys11")
    user = make_cadre(tree["T111"], "operator", username="op111")
    change_password(user, password=NEW, by=admin_user)
    user.refresh_from_db()
    assert user.must_change_password and user.check_password(NEW)


def test_reset_two_factor_by_security_administrator(tree):
    sec = make_cadre(tree["C1"], "secadmin", username="sec1")
    user = make_cadre(tree["K11"], "operator", username="op11")
    assert reset_two_factor(user, by=sec) == 1
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(action="otp_reset", object_id=str(user.pk), actor=sec).count() == 1


@pytest.mark.parametrize("who", ["sysadmin_same_org", "secadmin_other_subtree", "self"])
def test_reset_two_factor_refused(tree, who):
    user = make_cadre(tree["K11"], "secadmin", username="target")
    by = {
        "sysadmin_same_org": lambda: make_cadre(tree["C1"], "sysadmin", username="sys1"),
        "secadmin_other_subtree": lambda: make_cadre(tree["C2"], "secadmin", username="sec2"),
        "self": lambda: user,
    }[who]()
    with pytest.raises(DomainError):
        reset_two_factor(user, by=by)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_reset_two_factor_admin_action(tree, cadre_client):
    client = cadre_client(tree["C1"], "secadmin")
    user = make_cadre(tree["K11"], "operator", username="op11")
    outsider = make_cadre(tree["K21"], "operator", username="op21")
    client.post("/admin/accounts/user/", {"action": "reset_two_factor", "_selected_action": [user.pk, outsider.pk]})
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert TOTPDevice.objects.filter(user=outsider).count() == 1
