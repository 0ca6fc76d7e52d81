from django.contrib import admin
from django.db.models import Count, Q
from django.shortcuts import render

from .models import Org
from .queries import get_visible_or_404, scope_org, visible_to


def tree(request):
    """The organization tree, one level at a time: the page shows the account's own org and its
    children; expanding a row fetches that org's children as an htmx fragment."""
    parent_id = request.GET.get("parent")
    parent = get_visible_or_404(request.user, Org, pk=parent_id) if parent_id else scope_org(request.user)
    children = (
        visible_to(request.user, Org).filter(parent=parent)
        .annotate(child_count=Count("children", filter=Q(children__status=Org.Status.ACTIVE)))
        .order_by("-child_count", "code")
    )
    context = {"parent": parent, "children": children, "depth": parent.depth if parent else 0}
    if request.htmx:
        return render(request, "orgs/tree_rows.html", context)
    return render(request, "orgs/tree.html", {**admin.site.each_context(request), **context,
                                              "title": "组织树"})


def import_orgs(request):
    raise NotImplementedError  # replaced by the import page
