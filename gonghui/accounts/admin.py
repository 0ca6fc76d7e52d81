from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from gonghui.common.admin import ScopedAdmin
from gonghui.common.errors import DomainError

from . import actions as account_actions
from .models import Role, User

ACCOUNT_ADMINS = {Role.SYSADMIN, Role.SECADMIN}


class UserForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(label="角色", choices=Role.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    password = forms.CharField(label="初始密码", required=False, widget=forms.PasswordInput,
                               help_text="新建账号时必填；修改已有账号时留空表示不改密码。")

    class Meta:
        model = User
        fields = ["username", "full_name", "org", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.roles)


@admin.register(User)
class UserAdmin(ScopedAdmin):
    form = UserForm
    view_roles = ACCOUNT_ADMINS
    edit_roles = ACCOUNT_ADMINS
    list_display = ["username", "full_name", "org", "is_active", "last_login"]
    list_filter = ["is_active", "role_grants__role"]
    search_fields = ["username", "full_name", "org__name", "=org__code"]
    list_select_related = ["org"]
    autocomplete_fields = ["org"]

    def get_readonly_fields(self, request, obj=None):
        return ["username", "org"] if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        roles = set(data.get("roles") or [])
        by = request.user
        try:
            if not change:
                if not by.has_role(Role.SYSADMIN):
                    raise DomainError("只有系统管理员可以新建账号。")
                saved = account_actions.create_cadre(username=data["username"], password=data["password"] or "",
                                             org=data["org"], roles=set(), by=by, full_name=data["full_name"])
                if roles:
                    account_actions.set_roles(saved, roles=roles, by=by)
                obj.pk = saved.pk
                return
            stored = User.objects.get(pk=obj.pk)
            account_actions.update_cadre(stored, full_name=data["full_name"], by=by)
            if roles != set(obj.roles):
                account_actions.set_roles(obj, roles=roles, by=by)
            if data["is_active"] != stored.is_active:
                account_actions.set_active(obj, active=data["is_active"], by=by)
            if data["password"]:
                account_actions.change_password(obj, password=data["password"], by=by)
        except DomainError as e:
            raise ValidationError(e.message) from None

    actions = ["export_xlsx", "reset_two_factor"]

    @admin.action(description="重置所选账号的双因素认证（丢失手机时）")
    def reset_two_factor(self, request, queryset):
        done = 0
        for user in queryset.filter(pk__in=self.get_queryset(request).values("pk")):
            try:
                account_actions.reset_two_factor(user, by=request.user)
                done += 1
            except DomainError as e:
                messages.error(request, f"{user}：{e.message}")
        if done:
            messages.success(request, f"已重置 {done} 个账号的双因素认证，下次登录时须重新绑定身份验证器。")

    def save_related(self, request, form, formsets, change):
        pass  # roles are saved by the actions above

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A domain rule refused in save_model: the admin's transaction has rolled back; show the
        # reason on the form page again instead of a server error.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
            return redirect(request.get_full_path())
