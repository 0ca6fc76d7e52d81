"""A fresh login for sensitive operations (issue 3 part 4, R-PI-3: a full reveal needs a fresh login)."""

import time

from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from gonghui.common import reauth
from gonghui.conftest import PASSWORD, make_cadre


def request_for(user, **session):
    request = RequestFactory().post("/admin/")
    request.user = user
    request.session = SessionStore()
    request.session.update(session)
    return request


def test_fresh_right_after_login(tree):
    user = make_cadre(tree["K11"], "pii_viewer")
    assert reauth.is_fresh(request_for(user, gh_login_at=int(time.time()) - 10))


def test_stale_after_the_window(tree, settings):
    settings.REAUTH_SECONDS = 300
    user = make_cadre(tree["K11"], "pii_viewer")
    assert not reauth.is_fresh(request_for(user, gh_login_at=int(time.time()) - 301))
    assert reauth.is_fresh(request_for(user, gh_login_at=int(time.time()) - 290))


def test_default_window_is_ten_minutes(tree, settings):
    del settings.REAUTH_SECONDS
    user = make_cadre(tree["K11"], "pii_viewer")
    assert reauth.window() == 600
    assert not reauth.is_fresh(request_for(user, gh_login_at=int(time.time()) - 601))


def test_no_login_time_is_stale(tree):
    assert not reauth.is_fresh(request_for(make_cadre(tree["K11"], "pii_viewer")))
    assert not reauth.is_fresh(request_for(AnonymousUser(), gh_login_at=int(time.time())))


def test_password_makes_a_stale_login_fresh(tree):
    user = make_cadre(tree["K11"], "pii_viewer")
    request = request_for(user, gh_login_at=int(time.time()) - 3600)
    assert not reauth.confirm_password(request, "not-the-Password1")
    assert not reauth.is_fresh(request)
    assert not reauth.confirm_password(request, "")
    assert reauth.confirm_password(request, PASSWORD)
    assert reauth.is_fresh(request)
    assert request.session["gh_login_at"] < request.session["gh_reauth_at"]


def test_anonymous_cannot_confirm(tree):
    request = request_for(AnonymousUser())
    assert not reauth.confirm_password(request, PASSWORD)
    assert "gh_reauth_at" not in request.session
