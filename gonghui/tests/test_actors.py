"""Issue 12 point 3, "Acting user": one explicit system actor instead of `by=None`; every action names who acts."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from gonghui.accounts import actions as account_actions
from gonghui.accounts.tests.test_login import logged_in, post_login
from gonghui.common.actors import SYSTEM_USERNAME, is_system, system_actor
from gonghui.common.models import AuditEntry
from gonghui.conftest import PASSWORD, make_cadre
from gonghui.hall import actions as hall_actions
from gonghui.hall.models import ServiceItem
from gonghui.members.actions import join_member
from gonghui.members.tests.conftest import make_facts
from gonghui.orgs.actions import create_org
from gonghui.orgs.models import Org

pytestmark = pytest.mark.django_db


def test_system_actor_is_the_migrations_inactive_row_without_password_org_or_role(tree):
    """Acting user: the system actor is one real row (made by the accounts migration, so audit entries and
    "who acted" columns keep a foreign key), inactive, without a usable password, org or role."""
    User = get_user_model()
    assert User.objects.filter(username=SYSTEM_USERNAME).count() == 1  # there before anyone asked for it
    system = system_actor()
    assert (system.full_name, system.is_active, system.has_usable_password(), system.org, system.roles) == (
        "系统", False, False, None, frozenset())
    assert system_actor().pk == system.pk and is_system(system)
    assert not is_system(make_cadre(tree["K11"], "org_admin"))


def test_a_cadre_named_system_is_not_the_system_actor(tree):
    """Acting user: the checks are skipped for the system actor only — not for an account that merely carries
    a usable password under a look-alike name."""
    impostor = get_user_model()(username=SYSTEM_USERNAME, pk=10**6)
    impostor.set_password(PASSWORD)
    assert not is_system(impostor)


def test_system_actor_cannot_log_in(tree):
    """Acting user: the system actor cannot sign in, whatever password is tried (none is usable, the account
    is inactive); the login page answers as for a wrong password."""
    system_actor()
    for password in ("", PASSWORD, "!"):
        client = Client()
        response = post_login(client, SYSTEM_USERNAME, password)
        assert response.status_code == 200 and not logged_in(client)


def test_actions_called_with_by_none_raise(tree):
    """Acting user: an action called with by=None raises TypeError instead of skipping its checks — a join,
    a new org, a new account and a hall transition — and nothing is written."""
    facts = make_facts(name="张无名")
    with pytest.raises(TypeError, match="by=None"):
        join_member(org=tree["G1111"], facts=facts, by=None)
    with pytest.raises(TypeError, match="by=None"):
        create_org(by=None, parent=tree["T111"], code="NONE1", name="无名工会", kind=Org.Kind.GRASSROOTS)
    with pytest.raises(TypeError, match="by=None"):
        account_actions.create_cadre(username="nobody", password=PASSWORD, org=tree["K11"], roles=set(), by=None)
    applicant = get_user_model().objects.create(username="w_none")
    app = hall_actions.file_application(
        item=ServiceItem.objects.get(code="skills_training"), applicant=applicant, applicant_org=tree["G1111"],
        applicant_name="李四", raw={"name": "李四", "mobile": "13812345678", "course": "电工"})
    with pytest.raises(TypeError, match="by=None"):
        hall_actions.transition(app, "accept", by=None)
    app.refresh_from_db()
    assert app.status == "submitted"
    assert not Org.objects.filter(code="NONE1").exists()
    assert not get_user_model().objects.filter(username="nobody").exists()


def test_system_actor_acts_where_no_person_does_and_is_named_in_the_audit(tree):
    """Acting user: a command's write (here creating an account, as `createcadre` does) names the system actor
    in the audit trail, read as 系统's account."""
    user = account_actions.create_cadre(username="from_cli", password=PASSWORD, org=tree["K11"], roles={"operator"},
                                        by=system_actor())
    entry = AuditEntry.objects.get(action="create", object_type="accounts.user", object_id=str(user.pk))
    assert (entry.actor, entry.actor_name) == (system_actor(), SYSTEM_USERNAME)
