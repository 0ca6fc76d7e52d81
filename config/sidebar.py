"""The back-office sidebar, assembled from the `MENU` each installed app declares in its `menu.py`
(gonghui.common.menus): groups of the same title merge, and a request sees only the entries it may use."""

import functools

from django.urls import reverse

from gonghui.common.contrib import app_modules


@functools.cache  # the installed apps' menus are fixed once started: gathered once, not per request
def _groups() -> list[dict]:
    merged: dict[str, dict] = {}
    for _, module in app_modules("menu"):
        for contributed in module.MENU:
            group = merged.setdefault(contributed["title"], {**contributed, "items": []})
            group["order"] = min(group["order"], contributed["order"])
            group["items"].extend((contributed["order"], i) for i in contributed["items"])
    for group in merged.values():  # the group's owner first, then the others' entries by their own order
        group["items"] = [i for _, i in sorted(group["items"], key=lambda pair: pair[0])]
    return sorted(merged.values(), key=lambda g: g["order"])


def navigation(request) -> list[dict]:
    """Unfold's SIDEBAR navigation: only the entries whose `who` allows this request, and no empty group."""
    result = []
    for group in _groups():
        items = [{"title": i["title"], "icon": i["icon"], "link": reverse(i["url"]) + i["query"],
                  **({"active": i["active"]} if i["active"] else {})}
                 for i in group["items"] if i["who"](request)]
        if items:
            result.append({"title": group["title"], "items": items})
    return result
