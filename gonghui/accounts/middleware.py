import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, middleware
from django.shortcuts import redirect
from django.urls import reverse


class SessionTimeoutMiddleware:
    """Idle and absolute session timeouts, enforced on the server (等保: 登录连接超时自动退出)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault("gh_login_at", now)
            last = request.session.get("gh_last_seen", now)
            if now - last > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)  # now anonymous: the API answers 401 itself
                messages.warning(request, "会话已超时，请重新登录。")
                return redirect(settings.LOGIN_URL)
            request.session["gh_last_seen"] = now
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Accounts that must use two-factor reach nothing but the two-factor pages until verified; then
    an account with an initial password reaches nothing but the password page until it changes it."""

    EXEMPT_NAMES = ("accounts:two_factor", "accounts:logout", "admin:logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        # The API refuses such sessions itself (gonghui.api.CadreSessionAuth), with a 401.
        if not user.is_authenticated or request.path.startswith((settings.STATIC_URL, "/api/")):
            return self.get_response(request)
        exempt = {reverse(name) for name in self.EXEMPT_NAMES}
        if user.requires_two_factor and not user.is_verified():
            if request.path not in exempt:
                return redirect(reverse("accounts:two_factor") + "?next=" + request.get_full_path())
        elif user.must_change_password:
            password_page = reverse("admin:password_change")
            if request.path not in exempt and request.path != password_page:
                return redirect(password_page)
        return self.get_response(request)


class LoginRequiredMiddleware(middleware.LoginRequiredMiddleware):
    """Deny by default: every page needs a login, except the API, which authenticates each call
    itself and answers 401 in JSON rather than redirecting to the login page."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
