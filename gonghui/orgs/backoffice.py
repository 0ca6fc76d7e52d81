"""The back office's scoping: every model admin is a ScopedAdmin, whose lists, objects, forms and exports hold
only the account's subtree (orgs.queries.visible_to), and whose refusals answer 404 like a missing record."""

from django.http import Http404
from unfold.contrib.filters.admin import TextFilter

from gonghui.common.admin import BackOfficeAdmin

from .models import Org
from .queries import get_visible_or_404, note_denied, scope_org, visible_to


class ScopedAdmin(BackOfficeAdmin):
    """Roles: `view_roles` None lets every cadre with an org read; `edit_roles` may add and change."""

    view_roles: set[str] | None = None
    edit_roles: set[str] = set()

    def get_queryset(self, request):
        return visible_to(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        if scope_org(request.user) is None:
            return False
        return self.view_roles is None or request.user.has_role(*self.view_roles)

    def has_add_permission(self, request):
        return scope_org(request.user) is not None and request.user.has_role(*self.edit_roles)

    def has_change_permission(self, request, obj=None):
        return scope_org(request.user) is not None and request.user.has_role(*self.edit_roles)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            note_denied(request.user, self.model, {from_field or "pk": object_id})
            raise Http404("未找到该记录。")
        return obj

    def get_autocomplete_fields(self, request):
        """Every union chosen in a form is a search box (the org admin's autocomplete, scoped like its list)
        over the account's subtree: a select of every visible org would send a province cadre 84 000."""
        org_fields = [f.name for f in self.model._meta.fields if f.is_relation and f.related_model is Org]
        return [*self.autocomplete_fields, *(n for n in org_fields if n not in self.autocomplete_fields)]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Org:
            kwargs["queryset"] = visible_to(request.user, Org).active()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OrgSubtreeFilter(TextFilter):
    """Rows of a union and of the unions below it, by org code (the model's `org`). A code outside the
    account's subtree answers 404, like every other outside object."""

    title = "所属工会代码（含下级）"
    parameter_name = "org"

    def queryset(self, request, queryset):
        code = (self.value() or "").strip()
        if not code:
            return queryset
        org = get_visible_or_404(request.user, Org, code=code)
        return queryset.filter(org__path__startswith=org.path)
