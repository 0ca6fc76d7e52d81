"""Account actions: 三权分立, who may assign roles, scoping of account writes, audit of
permission changes (R-AZ-3, R-AUD-1, R-AUD-4), and the createcadre command."""

import io

import pytest
from django.core.management import CommandError, call_command

from gonghui.accounts import actions
from gonghui.accounts.models import User
from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.conftest import PASSWORD, login, make_cadre

SEPARATION = "系统管理员、安全管理员、审计员须由不同账号担任，且不兼任业务角色（三权分立）。"


@pytest.mark.parametrize("roles", [
    {"sysadmin", "auditor"}, {"sysadmin", "secadmin"}, {"secadmin", "auditor"},
    {"auditor", "operator"}, {"sysadmin", "org_admin"}, {"secadmin", "approver"},
])
def test_separation_of_duties_refused(roles):
    """Done-when: the three administrators are distinct accounts without business roles."""
    with pytest.raises(DomainError, match="三权分立"):
        actions.check_roles(roles)


@pytest.mark.parametrize("roles", [set(), {"auditor"}, {"sysadmin"}, {"secadmin"},
                                   {"operator", "approver", "org_admin"}])
def test_allowed_role_sets(roles):
    actions.check_roles(roles)


def test_unknown_role_refused():
    with pytest.raises(DomainError, match="未知角色：superuser"):
        actions.check_roles({"superuser"})


def test_separation_enforced_when_creating_and_assigning(tree):
    with pytest.raises(DomainError, match="三权分立"):
        actions.create_cadre(username="x", password=PASSWORD, org=tree["K11"], roles={"sysadmin", "auditor"},
                             by=system_actor())
    assert not User.objects.filter(username="x").exists()
    secadmin = make_cadre(tree["K11"], "secadmin", username="sec")
    user = make_cadre(tree["T111"], "operator", username="op")
    with pytest.raises(DomainError, match="三权分立"):
        actions.set_roles(user, roles={"auditor", "operator"}, by=secadmin)
    assert User.objects.get(pk=user.pk).roles == {"operator"}


def test_set_roles_by_secadmin_is_audited_with_before_and_after(tree):
    """Done-when: a security administrator assigns roles inside the subtree; the change is audited
    with the roles before and after."""
    secadmin = make_cadre(tree["K11"], "secadmin", username="sec")
    user = make_cadre(tree["T111"], "operator", username="op")
    start = AuditEntry.objects.count()
    actions.set_roles(user, roles={"operator", "approver"}, by=secadmin)
    assert User.objects.get(pk=user.pk).roles == {"operator", "approver"}
    [entry] = AuditEntry.objects.order_by("id")[start:]
    assert (entry.action, entry.actor, entry.object_id) == ("permission_change", secadmin, str(user.pk))
    assert entry.changes == {"roles": [["operator"], ["approver", "operator"]]}
    actions.set_roles(user, roles={"operator", "approver"}, by=secadmin)
    assert AuditEntry.objects.count() == start + 1  # no change, no entry


@pytest.mark.parametrize("roles", [("sysadmin",), ("auditor",), ("org_admin",), ("operator", "approver")])
def test_set_roles_only_by_secadmin(tree, roles):
    """Done-when: only a security administrator assigns roles."""
    actor = make_cadre(tree["K11"], *roles, username="actor")
    user = make_cadre(tree["T111"], "operator", username="op")
    with pytest.raises(DomainError, match="只有安全管理员可以分配角色"):
        actions.set_roles(user, roles={"org_admin"}, by=actor)
    assert User.objects.get(pk=user.pk).roles == {"operator"}


def test_nobody_changes_their_own_roles(tree):
    secadmin = make_cadre(tree["K11"], "secadmin", username="sec")
    with pytest.raises(DomainError, match="不能修改自己的角色"):
        actions.set_roles(secadmin, roles={"operator"}, by=secadmin)
    with pytest.raises(DomainError, match="不能修改自己的角色"):
        actions.set_roles(secadmin, roles=set(), by=secadmin)
    assert User.objects.get(pk=secadmin.pk).roles == {"secadmin"}


def test_account_writes_outside_the_subtree_refused(tree):
    """Done-when: creating, re-roling, disabling or re-passwording an account outside the actor's
    subtree is refused."""
    secadmin = make_cadre(tree["K11"], "secadmin", username="sec")
    sysadmin = make_cadre(tree["K11"], "sysadmin", username="sys")
    outsider = make_cadre(tree["K21"], "operator", username="outsider")
    start = AuditEntry.objects.count()
    with pytest.raises(DomainError, match="该组织不在您的管辖范围内"):
        actions.create_cadre(username="new", password=PASSWORD, org=tree["T211"], roles=set(), by=sysadmin)
    with pytest.raises(DomainError, match="该组织不在您的管辖范围内"):
        actions.create_cadre(username="new", password=PASSWORD, org=tree["C1"], roles=set(), by=sysadmin)
    with pytest.raises(DomainError, match="该组织不在您的管辖范围内"):
        actions.set_roles(outsider, roles={"approver"}, by=secadmin)
    with pytest.raises(DomainError, match="该组织不在您的管辖范围内"):
        actions.set_active(outsider, active=False, by=sysadmin)
    with pytest.raises(DomainError, match="该组织不在您的管辖范围内"):
        actions.change_password(outsider, password="Gonghui#2026new", by=sysadmin)
    outsider.refresh_from_db()
    assert outsider.is_active and outsider.roles == {"operator"} and outsider.check_password(PASSWORD)
    assert not User.objects.filter(username="new").exists()
    assert AuditEntry.objects.count() == start


def test_create_cadre_inside_the_subtree_audited(tree):
    sysadmin = make_cadre(tree["K11"], "sysadmin", username="sys")
    start = AuditEntry.objects.count()
    user = actions.create_cadre(username="new", password=PASSWORD, org=tree["T111"], roles=set(),
                                by=sysadmin, full_name="新干部")
    assert (user.org, user.roles, user.is_staff, user.must_change_password) == (tree["T111"], set(), True, True)
    assert user.password.startswith("argon2") and PASSWORD not in user.password
    [entry] = AuditEntry.objects.order_by("id")[start:]
    assert (entry.action, entry.actor, entry.changes) == (
        "create", sysadmin, {"org": "明光路街道总工会", "roles": []})
    with pytest.raises(DomainError, match="账号 new 已存在"):
        actions.create_cadre(username="new", password=PASSWORD, org=tree["T111"], roles=set(), by=sysadmin)


def test_nobody_disables_their_own_account(tree):
    secadmin = make_cadre(tree["K11"], "secadmin", username="sec")
    with pytest.raises(DomainError, match="不能停用自己的账号"):
        actions.set_active(secadmin, active=False, by=secadmin)


def test_disable_is_audited(tree, django_capture_on_commit_callbacks):
    sysadmin = make_cadre(tree["K11"], "sysadmin", username="sys")
    user = make_cadre(tree["T111"], "operator", username="op")
    start = AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_active(user, active=False, by=sysadmin)
    [entry] = AuditEntry.objects.order_by("id")[start:]
    assert (entry.action, entry.changes) == ("disable", {"is_active": [True, False]})


def test_secadmin_cannot_change_own_roles_in_the_back_office(tree, client):
    """Done-when: the account admin refuses a change of one's own roles (R-AZ-3)."""
    secadmin = make_cadre(tree["K11"], "secadmin", username="sec")
    login(client, secadmin)
    url = f"/admin/accounts/user/{secadmin.pk}/change/"
    response = client.post(url, {"full_name": "安全员", "is_active": "on", "roles": [], "password": ""})
    assert response.status_code == 302 and response["Location"] == url
    assert "不能修改自己的角色" in client.get(url).content.decode()
    assert User.objects.get(pk=secadmin.pk).roles == {"secadmin"}


# The createcadre command

def test_createcadre_command(tree, capsys):
    """Done-when: `gonghui createcadre` creates an account of an org with roles."""
    call_command("createcadre", "zhang", "--org", "K11", "--role", "operator", "--role", "approver",
                 "--password", "Gonghui#2026x", "--full-name", "张三")
    user = User.objects.get(username="zhang")
    assert (user.org, user.roles, user.full_name) == (tree["K11"], {"operator", "approver"}, "张三")
    assert user.check_password("Gonghui#2026x")
    out = capsys.readouterr().out
    assert "已创建账号 zhang" in out and "双因素认证" in out


@pytest.mark.parametrize("args, message", [
    (["--org", "NOPE", "--password", "Gonghui#2026x"], "组织代码 NOPE 不存在"),
    (["--org", "K11", "--role", "sysadmin", "--role", "auditor", "--password", "Gonghui#2026x"], "三权分立"),
    (["--org", "K11", "--password", "abcdefghij"], "密码至少应包含"),
])
def test_createcadre_command_refusals(tree, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("createcadre", "zhang", *args)
    assert not User.objects.filter(username="zhang").exists()


def test_update_cadre_full_name_audited(db):
    """The back office's account form saves the name through an action, audited old → new."""
    from gonghui.accounts.actions import update_cadre
    from gonghui.common.models import AuditEntry
    from gonghui.conftest import build_tree, make_cadre

    orgs = build_tree()
    admin_user = make_cadre(orgs["K11"], "sysadmin", username="sys11")
    user = make_cadre(orgs["T111"], "operator", username="op111")
    update_cadre(user, full_name="张三", by=admin_user)
    user.refresh_from_db()
    assert user.full_name == "张三"
    entry = AuditEntry.objects.filter(action="update", object_id=str(user.pk)).get()
    assert entry.changes == {"full_name": ["", "张三"]} and entry.actor == admin_user
    outsider = make_cadre(orgs["K21"], "sysadmin", username="sys21")
    with pytest.raises(DomainError):
        update_cadre(user, full_name="李四", by=outsider)



def test_separation_of_account_powers(tree):
    """三权分立: only the system administrator creates (without roles), disables and re-passwords;
    only the security administrator assigns roles."""
    sysadmin = make_cadre(tree["K11"], "sysadmin", username="sys")
    secadmin = make_cadre(tree["K11"], "secadmin", username="sec")
    user = make_cadre(tree["T111"], "operator", username="op")
    with pytest.raises(DomainError, match="只有系统管理员可以新建账号"):
        actions.create_cadre(username="x1", password=PASSWORD, org=tree["T111"], roles=set(), by=secadmin)
    with pytest.raises(DomainError, match="由安全管理员分配角色"):
        actions.create_cadre(username="x2", password=PASSWORD, org=tree["T111"], roles={"operator"}, by=sysadmin)
    with pytest.raises(DomainError, match="只有系统管理员可以停用或启用账号"):
        actions.set_active(user, active=False, by=secadmin)
    with pytest.raises(DomainError, match="只有系统管理员可以重置他人的密码"):
        actions.change_password(user, password="Gonghui#2026new", by=secadmin)
    with pytest.raises(DomainError, match="只有安全管理员可以分配角色"):
        actions.set_roles(user, roles={"approver"}, by=sysadmin)
    user.refresh_from_db()
    assert user.is_active and user.check_password(PASSWORD) and user.roles == {"operator"}


def test_back_office_disable_account(tree, client):
    """The account form's 有效 box disables the account through the action: audited, sessions ended."""
    sysadmin = make_cadre(tree["K11"], "sysadmin", username="sys")
    user = make_cadre(tree["T111"], "operator", username="op")
    login(client, sysadmin)
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", {"full_name": "", "password": ""})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert AuditEntry.objects.filter(action="disable", object_id=str(user.pk), actor=sysadmin).count() == 1


def test_disable_idle_accounts(tree):
    """等保 R-AU-5: accounts unused for N days are disabled (audited); recent ones stay."""
    import datetime

    from django.utils import timezone

    now = timezone.now()
    stale = make_cadre(tree["K11"], "operator", username="stale")
    never = make_cadre(tree["K11"], "operator", username="never")
    fresh = make_cadre(tree["K11"], "operator", username="fresh")
    User.objects.filter(pk=stale.pk).update(last_login=now - datetime.timedelta(days=91))
    User.objects.filter(pk=never.pk).update(last_login=None, date_joined=now - datetime.timedelta(days=100))
    User.objects.filter(pk=fresh.pk).update(last_login=now - datetime.timedelta(days=5))
    out = io.StringIO()
    call_command("disable_idle_accounts", "--days", "90", stdout=out)
    assert "已停用 2 个" in out.getvalue()
    assert dict(User.objects.filter(username__in=["stale", "never", "fresh"]).values_list("username", "is_active")) \
        == {"stale": False, "never": False, "fresh": True}
    assert AuditEntry.objects.filter(action="disable", object_id__in=[str(stale.pk), str(never.pk)]).count() == 2
