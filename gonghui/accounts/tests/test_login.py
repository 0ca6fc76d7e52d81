"""Login, lockout, two-factor, session timeouts and password policy (R-AU-1, R-AU-2, R-AU-3, R-AU-5)."""

import base64
import re
import time

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts import actions
from gonghui.accounts.models import User
from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.conftest import PASSWORD, login, make_cadre

LOGIN = "/admin/login/"
TWO_FACTOR = "/accounts/two-factor/"


def post_login(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip)


def normalized(response, username: str) -> str:
    """The page without what legitimately differs between two requests: the CSRF token and the
    username the visitor typed (echoed back in the form)."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', body)
    return body.replace(f'value="{username}"', 'value="USERNAME"')


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


# Lockout (R-AU-1)

def test_lockout_after_failure_limit_looks_like_a_wrong_password(tree):
    """Done-when: after AXES_FAILURE_LIMIT failures on /admin/login/ the account is locked (even the
    right password is refused), and the locked response is identical (but for the CSRF token) to
    a wrong-password response and to an unknown-user response."""
    make_cadre(tree["K11"], "operator", username="wang")
    wrong = post_login(Client(), "wang", "wrong-password", ip="10.0.0.1")
    unknown = post_login(Client(), "nobody", "wrong-password", ip="10.0.0.2")
    assert wrong.status_code == unknown.status_code == 200
    assert "请输入一个正确的" in wrong.content.decode() or "正确" in wrong.content.decode()
    assert normalized(wrong, "wang") == normalized(unknown, "nobody")

    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(client, "wang", "wrong-password", ip="10.0.0.1")
    locked = post_login(client, "wang", PASSWORD, ip="10.0.0.3")  # the right password, another IP
    assert locked.status_code == 200
    assert not logged_in(client)
    assert normalized(locked, "wang") == normalized(wrong, "wang")


def test_successful_login_resets_the_failure_count(tree):
    """Done-when: a successful login resets the counter: limit-1 failures, a success, limit-1 more
    failures, and the right password still logs in."""
    make_cadre(tree["K11"], "operator", username="wang")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(client, "wang", "wrong-password")
    assert post_login(client, "wang", PASSWORD).status_code == 302 and logged_in(client)
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(client, "wang", "wrong-password")
    assert post_login(client, "wang", PASSWORD).status_code == 302 and logged_in(client)


# Two-factor (R-AU-2)

def test_cadre_with_write_role_must_pass_totp(tree):
    """Done-when: a cadre with a write role who logged in with the password alone is sent to the
    two-factor page from everywhere until a valid TOTP code is posted."""
    user = make_cadre(tree["K11"], "operator", username="wang")
    device = TOTPDevice.objects.get(user=user)
    client = Client()
    assert post_login(client, "wang", PASSWORD).status_code == 302
    for path in ("/admin/", "/admin/orgs/org/", f"/admin/orgs/org/{tree['K11'].pk}/change/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(TWO_FACTOR), path
    response = client.post(TWO_FACTOR + "?next=/admin/orgs/org/", {"token": "000000", "next": "/admin/orgs/org/"})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # django-otp throttles for a second after a wrong code
    response = client.post(TWO_FACTOR, {"token": code_for(device), "next": "/admin/orgs/org/"})
    assert response.status_code == 302 and response["Location"] == "/admin/orgs/org/"
    assert client.get("/admin/orgs/org/").status_code == 200


def test_two_factor_next_must_stay_on_site(tree):
    user = make_cadre(tree["K11"], "operator", username="wang")
    client = Client()
    post_login(client, "wang", PASSWORD)
    response = client.post(TWO_FACTOR, {"token": code_for(TOTPDevice.objects.get(user=user)),
                                        "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


def test_cadre_without_roles_is_not_asked_for_a_second_factor(tree):
    """Done-when: a read-only cadre (no roles) reaches the back office with the password alone."""
    make_cadre(tree["K11"], username="reader")
    client = Client()
    assert post_login(client, "reader", PASSWORD).status_code == 302
    assert client.get("/admin/orgs/org/").status_code == 200


def test_account_without_device_is_shown_enrolment(tree):
    """Done-when: an account that must use two-factor but has no authenticator is shown the
    enrolment page with a QR code (SVG) and the secret, and is enrolled by a valid code."""
    user = actions.create_cadre(username="newbie", password=PASSWORD, org=tree["K11"], roles={"operator"},
                                by=system_actor())
    client = Client()
    post_login(client, "newbie", PASSWORD)
    response = client.get(TWO_FACTOR)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and 'id="otp-secret"' in body
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', body).group(1).replace(" ", "")
    assert base64.b32decode(secret) == device.bin_key
    response = client.post(TWO_FACTOR, {"token": code_for(device), "next": "/admin/"})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    # A new account's password is an initial one: next comes the password page.
    assert client.get("/admin/")["Location"] == "/admin/password_change/"


# Session timeouts (R-AU-3)

@pytest.mark.parametrize("key, age", [
    ("gh_last_seen", settings.SESSION_IDLE_TIMEOUT + 5),
    ("gh_login_at", settings.SESSION_ABSOLUTE_TIMEOUT + 5),
])
def test_idle_and_absolute_timeout_log_out(tree, client, key, age):
    """Done-when: a session idle longer than SESSION_IDLE_TIMEOUT, or older than
    SESSION_ABSOLUTE_TIMEOUT, is logged out on the server."""
    login(client, make_cadre(tree["K11"], "operator"))
    assert client.get("/admin/").status_code == 200
    session = client.session
    now = int(time.time())
    session["gh_last_seen"] = now
    session["gh_login_at"] = now - 60
    session[key] = now - age
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not logged_in(client)
    assert client.get("/admin/").status_code == 302


def test_active_session_is_kept(tree, client):
    login(client, make_cadre(tree["K11"], "operator"))
    session = client.session
    session["gh_last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT + 60
    session.save()
    assert client.get("/admin/").status_code == 200


def _sessions_of(user: User) -> int:
    return sum(1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk))


@pytest.mark.parametrize("change", ["disable", "password"])
def test_disabling_or_new_password_kills_sessions(tree, django_capture_on_commit_callbacks, change):
    """Done-when: disabling an account or changing its password deletes all of its sessions; a
    client that was logged in is sent to the login page on its next request."""
    user = make_cadre(tree["K11"], "operator", username="wang")
    sysadmin = make_cadre(tree["K11"], "sysadmin", username="sys")
    clients = [login(Client(), user), login(Client(), user)]
    assert all(c.get("/admin/").status_code == 200 for c in clients)
    assert _sessions_of(user) == 2
    with django_capture_on_commit_callbacks(execute=True):
        if change == "disable":
            actions.set_active(user, active=False, by=sysadmin)
        else:
            actions.change_password(user, password="Gonghui#2026new", by=sysadmin)
    assert _sessions_of(user) == 0
    for c in clients:
        response = c.get("/admin/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# Password policy (R-AU-5)

@pytest.mark.parametrize("password", ["password123", "abcdefghij", "Short#1", "1234567890123"])
def test_password_policy_rejects_weak_passwords(db, password):
    """Done-when: common, too simple (fewer than 3 character classes), short and numeric
    passwords are rejected, with Chinese messages through the actions."""
    user = User(username="wang")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_password_policy_accepts_a_strong_password(tree):
    validate_password("Gonghui#2026x", User(username="wang"))
    user = make_cadre(tree["K11"], "operator", username="wang")
    with pytest.raises(DomainError, match="密码至少应包含大写字母、小写字母、数字、符号中的 3 类") as e:
        actions.change_password(user, password="abcdefghij", by=system_actor())
    assert e.value.field == "password"
    actions.change_password(user, password="Gonghui#2026x", by=system_actor())
    assert User.objects.get(pk=user.pk).check_password("Gonghui#2026x")


def test_two_factor_throttles_repeated_failures(tree, client):
    """django-otp's throttle survives our refusal: right after a wrong code even the right one waits."""
    user = make_cadre(tree["K11"], "operator", username="slowdown")
    post_login(client, "slowdown", PASSWORD)
    device = TOTPDevice.objects.get(user=user)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    body = client.post(TWO_FACTOR, {"token": wrong, "next": "/admin/"}).content.decode()
    assert "验证码不正确" in body
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    body = client.post(TWO_FACTOR, {"token": code_for(device), "next": "/admin/"}).content.decode()
    assert "尝试次数过多" in body
    assert AuditEntry.objects.filter(action="otp_failed", actor=user).count() == 2


def test_api_session_timeout_answers_401(tree, client):
    """An expired session on the API is logged out and answered 401, not redirected."""
    user = make_cadre(tree["K11"], "operator", username="apiuser")
    login(client, user)
    assert client.get("/api/v1/orgs/K11").status_code == 200
    session = client.session
    session["gh_last_seen"] -= settings.SESSION_IDLE_TIMEOUT + 5
    session.save()
    assert client.get("/api/v1/orgs/K11").status_code == 401
