"""Reads and permission checks of the worker portal."""

from django.db.models import Q
from django.http import Http404

from gonghui.common import pii
from gonghui.orgs.models import Org
from gonghui.orgs.queries import scope_org

from .models import MOBILE_CONTEXT, BindingRequest, MemberCard, Worker

DECIDE_ROLES = ("approver", "org_admin")
# Where a worker may apply without their employer being told (不惊动单位): unions above or beside
# employers that admit members directly.
FEDERATION_KINDS = frozenset({Org.Kind.FEDERATION, Org.Kind.AREA, Org.Kind.SECTOR, Org.Kind.JOINT})
MANAGE_ROLES = ("operator", "org_admin")
SEARCH_LIMIT = 20


def worker_of(user) -> Worker | None:
    """The worker account behind a signed-in user, or None (a cadre, or anonymous)."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.worker
    except Worker.DoesNotExist:
        return None


def worker_mobiles(user_ids: list[int]) -> dict[int, str]:
    """The mobile of each worker account among `user_ids` (registered with the notifications engine, which
    sends SMS notifications without knowing where numbers are kept)."""
    rows = Worker.objects.filter(user_id__in=user_ids).values_list("user_id", "mobile_index", "mobile_enc")
    return {pk: pii.decrypt(enc, context=MOBILE_CONTEXT + index) for pk, index, enc in rows}


def worker_or_404(request) -> Worker:
    """The signed-in worker of a worker page; a cadre account gets 404 (these pages are not theirs)."""
    worker = worker_of(request.user)
    if worker is None:
        raise Http404("未找到该页面。")
    return worker


def can_decide_applications(user, org: Org) -> bool:
    """Accept or return online join applications to `org`: an approver of `org` or a union above it."""
    scope = scope_org(user)
    return scope is not None and user.has_role(*DECIDE_ROLES) and org.path.startswith(scope.path)


def can_manage_join_link(user, org: Org) -> bool:
    scope = scope_org(user)
    return scope is not None and user.has_role(*MANAGE_ROLES) and org.path.startswith(scope.path)


def can_manage_cards(user, card: MemberCard) -> bool:
    scope = scope_org(user)
    return scope is not None and user.has_role(*MANAGE_ROLES) and card.member.org.path.startswith(scope.path)


def can_decide_binding(user, binding: BindingRequest) -> bool:
    """Confirm or reject a binding the union must vouch for: an 经办人 or 单位管理员 of the member's union or
    a union above it (they know the member, or can reach them through the employer)."""
    scope = scope_org(user)
    return scope is not None and user.has_role(*MANAGE_ROLES) and binding.member.org.path.startswith(scope.path)


def open_binding(worker: Worker) -> BindingRequest | None:
    """The worker's binding in progress (waiting for a code or for the union), else their last one turned
    down, for the binding page to show where they are."""
    return (BindingRequest.objects.select_related("member").filter(worker=worker).exclude(
        status=BindingRequest.Status.LAPSED).order_by("-created_at", "-id").first())


def areas():
    """The county-level federations, to narrow a search by region (按地区查找)."""
    return Org.objects.filter(status=Org.Status.ACTIVE, level=Org.Level.COUNTY,
                              kind=Org.Kind.FEDERATION).order_by("path")


def find_unions(text: str, *, federations: bool = False, area: Org | None = None):
    """Active unions a worker may apply to, by union or employer name and/or region (a county's
    subtree), or, with `federations`, the area and sector unions and federations that admit members
    without their employer being told."""
    text = (text or "").strip()
    qs = Org.objects.filter(status=Org.Status.ACTIVE).order_by("path")
    if federations:
        qs = qs.filter(kind__in=FEDERATION_KINDS).exclude(level__in=[Org.Level.NATIONAL, Org.Level.PROVINCE])
    else:
        qs = qs.filter(kind__in=[Org.Kind.GRASSROOTS, Org.Kind.JOINT])
    if area is not None:
        qs = qs.filter(path__startswith=area.path)
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(employer_name__contains=text))
    elif area is None and not federations:
        return qs.none()  # every grassroots union of the province is no answer
    return qs[:SEARCH_LIMIT]
