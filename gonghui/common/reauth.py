"""A fresh login for sensitive operations (R-PI-3: revealing full ID and mobile numbers).

A login is fresh for `REAUTH_SECONDS` (setting, default 600) after the account logged in
(`session["gh_login_at"]`, set by accounts.middleware.SessionTimeoutMiddleware on the first request
of the session) or after it re-entered its password on a sensitive page (`session["gh_reauth_at"]`).
The password goes through `authenticate()`, so wrong passwords count toward the login lockout
(django-axes) and are audited like failed logins.
"""

import time

from django.conf import settings
from django.contrib.auth import authenticate

LOGIN_KEY = "gh_login_at"
REAUTH_KEY = "gh_reauth_at"
DEFAULT_SECONDS = 600


def window() -> int:
    return int(getattr(settings, "REAUTH_SECONDS", DEFAULT_SECONDS))


def is_fresh(request) -> bool:
    """Whether the account logged in or confirmed its password within the last REAUTH_SECONDS."""
    if not request.user.is_authenticated:
        return False
    last = max(int(request.session.get(LOGIN_KEY) or 0), int(request.session.get(REAUTH_KEY) or 0))
    return time.time() - last <= window()


def confirm_password(request, password: str) -> bool:
    """Check the acting account's password; on success the login is fresh again."""
    if not request.user.is_authenticated or not password:
        return False
    user = authenticate(request, username=request.user.get_username(), password=password)
    if user is None or user.pk != request.user.pk:
        return False
    request.session[REAUTH_KEY] = int(time.time())
    return True
