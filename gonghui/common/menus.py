"""Back-office menu entries that each app contributes in its own `menu.py` (a list `MENU` of `group()`s).

The wiring (`config/sidebar.py`) gathers every installed app's `MENU`, merges groups of the same title and
keeps for each request only the items whose `who` answers yes, so the core lists no program and a grassroots
cadre sees only what a grassroots cadre can use. The predicates below ask the registered admin and the
account's own union, so they need no import of the apps they describe.
"""

from collections.abc import Callable

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse

Who = Callable[[HttpRequest], bool]


def item(title: str, icon: str, url: str, who: Who, *, query: str = "",
         active: Callable[[HttpRequest], bool] | None = None) -> dict:
    """One menu entry: `url` is a URL name (reversed per request); `query` is appended (e.g. "?mine=1");
    `who` decides who sees it; `active` overrides "this page is under the entry's URL"."""
    return {"title": title, "icon": icon, "url": url, "query": query, "who": who, "active": active}


def group(title: str, *, order: int, items: list[dict]) -> dict:
    """A sidebar group; `order` places it (groups of the same title from several apps are merged)."""
    return {"title": title, "order": order, "items": items}


def _model_admin(model: str):
    from django.apps import apps

    return admin.site._registry[apps.get_model(model)]


def can_view(model: str) -> Who:
    """Who may open the model's list (its admin's own rule: roles and subtree)."""
    return lambda request: _model_admin(model).has_view_permission(request)


def can_change(model: str) -> Who:
    """Who may add or change the model's rows: configuration lists show only to those who keep them."""
    def check(request):
        model_admin = _model_admin(model)
        return model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
    return check


def at_levels(*levels: str) -> Who:
    """Who works in a union of one of `levels` (e.g. reference data the province keeps)."""
    def check(request):
        org = getattr(request.user, "org", None)
        return request.user.is_active and org is not None and org.level in levels
    return check


def both(*checks: Who) -> Who:
    return lambda request: all(check(request) for check in checks)


def path_is(url: str, query: str = "") -> Callable[[HttpRequest], bool]:
    """Active exactly on `url` with `query` (for entries that share a list with another filter)."""
    def check(request):
        here = request.path + (("?" + request.GET.urlencode()) if request.GET else "")
        return here == reverse(url) + query
    return check


def under(url: str, *, except_under: tuple[str, ...] = (), except_query: dict | None = None):
    """Active under `url`'s prefix but not under the other URLs that share it (import pages, due-lists)."""
    def check(request):
        base = reverse(url)
        if not request.path.startswith(base):
            return False
        if any(request.path.startswith(reverse(other)) for other in except_under):
            return False
        return not any(request.GET.get(k) == v for k, v in (except_query or {}).items())
    return check
