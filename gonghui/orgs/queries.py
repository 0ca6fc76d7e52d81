"""Scoping: the one mechanism that limits every queryset, page, export, API call and task to the
acting account's subtree. Anything outside is reported as not found (404), never as forbidden."""

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404

from gonghui.common import audit

from .models import Org


def scope_org(user) -> Org | None:
    """The org whose subtree `user` may see, or None (anonymous, inactive, or no org)."""
    if user is None or not user.is_authenticated or not user.is_active or not user.org_id:
        return None
    return user.org


def in_scope(user, org: Org) -> bool:
    """Whether `org` lies in `user`'s subtree (the check every action makes before writing for a union)."""
    scope = scope_org(user)
    return scope is not None and org.is_within(scope)


def can_manage_orgs(user) -> bool:
    """Whether `user` may create, change, move, merge, dissolve and import orgs in their subtree."""
    return scope_org(user) is not None and user.has_role("org_admin")


def can_import_orgs(user) -> bool:
    """The organization import: an org admin of a union that may have unions under it (a grassroots union
    may not, so the page would refuse every row)."""
    return can_manage_orgs(user) and user.org.level != Org.Level.GRASSROOTS


def keeps_province_config(user) -> bool:
    """Province-wide configuration (the service catalogue, holidays, 帮扶类别, 资金来源…) is kept by a 单位管理员
    of a province (or national) federation."""
    org = getattr(user, "org", None)
    if org is None or not user.is_active:
        return False
    return user.has_role("org_admin") and org.level in (Org.Level.PROVINCE, Org.Level.NATIONAL)


def visible_to(user, queryset: models.QuerySet | type[models.Model]) -> models.QuerySet:
    """`queryset` (or the model's default manager) limited to `user`'s subtree.

    Every scoped model defines `scope_q(org)`: the Q object selecting its rows in org's subtree.
    """
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    org = scope_org(user)
    if org is None:
        return queryset.none()
    return queryset.filter(queryset.model.scope_q(org))


def visible_or_none(user, queryset: models.QuerySet | type[models.Model], object_id):
    """The object with primary key `object_id` inside `user`'s subtree, or None: for deciding which
    buttons a page shows (the page itself answers 404 through `get_visible_or_404`)."""
    try:
        return visible_to(user, queryset).filter(pk=object_id).first()
    except (ValueError, TypeError, ValidationError):
        return None


def get_visible_or_404(user, queryset: models.QuerySet | type[models.Model], **lookup):
    """The object matching `lookup` inside `user`'s subtree, else Http404 (the same for "does not
    exist", "not yours" and a malformed id). An attempt at an object that exists elsewhere is audited."""
    model = queryset if isinstance(queryset, type) else queryset.model
    try:
        return visible_to(user, queryset).get(**lookup)
    except (model.DoesNotExist, ValueError, ValidationError):
        note_denied(user, model, lookup)
        raise Http404("未找到该记录。") from None


def note_denied(user, model: type[models.Model], lookup: dict) -> None:
    """Audit an attempt to reach an object that exists outside `user`'s subtree (R-AUD-5)."""
    try:
        exists = model._default_manager.filter(**lookup).exists()
    except (ValueError, TypeError, ValidationError):
        exists = False
    if exists:
        audit.record(
            "access_denied", actor=user, outcome=audit.AuditEntry.Outcome.DENIED,
            object_repr=f"{model._meta.verbose_name} {lookup}",
        )
