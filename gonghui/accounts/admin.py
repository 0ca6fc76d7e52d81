from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from gonghui.common import audit
from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.orgs.backoffice import ScopedAdmin

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

    def get_fields(self, request, obj=None):
        """三权分立 in the form: the system administrator creates, disables and resets passwords; the
        security administrator assigns roles. Each sees only the fields of their own powers."""
        if obj is None:
            return ["username", "full_name", "org", "password"]
        fields = ["username", "full_name", "org"]
        if request.user.has_role(Role.SYSADMIN):
            fields += ["is_active", "password"]
        if request.user.has_role(Role.SECADMIN):
            fields += ["roles"]
        return fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        shown = set(self.get_fields(request, obj)) - set(self.get_readonly_fields(request, obj))

        class PowersForm(form):
            # Declared fields (roles, password) are kept by Django whatever `fields` says: drop the
            # ones this administrator has no power over.
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for name in set(self.fields) - shown:
                    del self.fields[name]

        return PowersForm

    def save_model(self, request, obj, form, change):
        data, by = form.cleaned_data, request.user
        try:
            if not change:
                saved = account_actions.create_cadre(username=data["username"], password=data.get("password") or "",
                                                     org=data["org"], roles=set(), by=by, full_name=data["full_name"])
                obj.pk = saved.pk
                return
            stored = User.objects.get(pk=obj.pk)  # `obj` already carries the form's values
            account_actions.update_cadre(stored, full_name=data["full_name"], by=by)
            if "roles" in data and set(data["roles"]) != set(stored.roles):
                account_actions.set_roles(stored, roles=set(data["roles"]), by=by)
            if "is_active" in data and data["is_active"] != stored.is_active:
                account_actions.set_active(stored, active=data["is_active"], by=by)
            if data.get("password"):
                account_actions.change_password(stored, password=data["password"], by=by)
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


# The audit trail is read here, by the auditor (三权分立), whatever app writes it.
class AuditActionFilter(admin.SimpleListFilter):
    """The registered action codes by their Chinese labels (the query string keeps the code)."""

    title = "操作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return list(audit.registered().items())

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdmin):
    """Read by auditors only (三权分立), never changed. Actions show as their Chinese labels; the code stays
    searchable and is exported beside the label."""

    view_roles = {"auditor"}
    list_display = ["at", "actor_name", "actor_org", "ip", "action_label", "object_type", "object_repr", "outcome"]
    list_filter = [AuditActionFilter, "outcome", "object_type", ("at", admin.DateFieldListFilter),
                   ("actor_org", admin.RelatedOnlyFieldListFilter), ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["actor_name", "object_repr", "object_id", "actor_org__name", "actor_org__code", "action"]
    search_help_text = "操作人账号、对象、对象编号、组织名称或代码、操作（中文或代码）"
    list_select_related = ["actor_org"]
    date_hierarchy = None
    fields = ["at", "actor", "actor_name", "actor_org", "ip", "action_label", "action_code", "object_type",
              "object_id", "object_repr", "outcome", "changes"]
    readonly_fields = fields
    export_fields = ["at", "actor_name", "actor_org", "ip", "action", "object_type", "object_repr", "outcome"]

    @admin.display(description="操作", ordering="action")
    def action_label(self, obj) -> str:
        return audit.label(obj.action)

    @admin.display(description="操作代码")
    def action_code(self, obj) -> str:
        return obj.action

    def get_search_results(self, request, queryset, search_term):
        """Also finds entries by the Chinese label of their action (“入会” finds member_join and the rest)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        codes = [code for code, label in audit.registered().items() if term and term in label]
        if codes:
            found = found | queryset.filter(action__in=codes)
        return found, may_have_duplicates

    def export_table(self, queryset):
        header, rows = super().export_table(queryset)
        at = self.export_fields.index("action")
        header[at:at + 1] = ["操作", "操作代码"]
        return header, ([*row[:at], audit.label(row[at]), *row[at:]] for row in rows)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
