import base64

import segno
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from gonghui.common.errors import DomainError
from gonghui.common.forms import BackOfficeStyleMixin

from . import actions


class TokenForm(BackOfficeStyleMixin, forms.Form):
    token = forms.CharField(label="动态验证码", max_length=6, min_length=6,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                          "inputmode": "numeric", "autofocus": True}))


class StyledPasswordChangeForm(BackOfficeStyleMixin, PasswordChangeForm):
    pass


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/admin/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/admin/"


@login_required
def two_factor(request):
    """Verify a TOTP code; an account without a confirmed authenticator enrols one first."""
    device = actions.authenticator_for(request.user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        try:
            actions.verify_two_factor(request.user, device=device, token=form.cleaned_data["token"])
        except DomainError as e:
            form.add_error("token", e.message)
        else:
            otp_login(request, device)
            return redirect(_next_url(request))
    context = {**admin.site.each_context(request), "form": form, "enrolling": not device.confirmed,
               "next": _next_url(request), "title": "双因素认证"}
    if not device.confirmed:
        secret = base64.b32encode(device.bin_key).decode()
        context["secret"] = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "accounts/two_factor.html", context)


@login_required
def password_change(request):
    """Change one's own password (replaces the admin's view, so the change goes through the action:
    audited, other sessions ended, the initial-password flag cleared)."""
    form = StyledPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.change_password(request.user, password=form.cleaned_data["new_password1"],
                                           by=request.user)
        except DomainError as e:
            form.add_error("new_password1", e.message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。")
            return redirect("admin:index")
    context = {**admin.site.each_context(request), "form": form, "title": "修改密码",
               "must_change": request.user.must_change_password}
    return render(request, "accounts/password_change.html", context)


@require_POST
def logout_view(request):
    logout(request)
    response = redirect("admin:login")
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


def locked_out(request, original_response=None, credentials=None, *args, **kwargs):
    """django-axes lockout: the same page and message as a wrong password, so a lockout reveals
    neither that the account exists nor that it is locked (R-AU-1).

    The login view has already answered as for a wrong password (the axes backend refused the
    credentials), so that very response is returned. The form is never validated again here:
    that would authenticate a second time and audit the failure and the lockout twice."""
    if original_response is not None:
        return original_response
    base = admin.site.login_form or AdminAuthenticationForm

    class RefusedForm(base):
        def clean(self):
            if self.cleaned_data.get("username") is not None and self.cleaned_data.get("password"):
                raise self.get_invalid_login_error()
            return self.cleaned_data

    form = RefusedForm(request, data=request.POST or None)
    form.is_valid()
    context = {**admin.site.each_context(request), "form": form, "title": "登录",
               "app_path": request.get_full_path(), "username": ""}
    return render(request, "admin/login.html", context)
