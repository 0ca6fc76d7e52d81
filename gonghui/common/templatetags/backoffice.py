"""Template tags of the back office's own templates (common/templates)."""

from django import template
from django.utils.safestring import mark_safe
from unfold.templatetags import unfold_list

register = template.Library()

# unfold repeats some thirty utility classes on every cell (about 700 bytes each, 5.6 KB a row); one
# class each in common/static/common/backoffice.css styles them the same, for a page a fraction the size.
_SHORT_CLASSES = {
    " ".join(unfold_list.ROW_CLASSES): "gh-td",
    " ".join(unfold_list.CHECKBOX_CLASSES): "action-checkbox gh-check",
    " ".join(unfold_list.LINK_CLASSES): "gh-link",
}


def _compact(cell: str) -> str:
    for long, short in _SHORT_CLASSES.items():
        cell = cell.replace(long, short)
    return mark_safe(cell)  # noqa: S308 - the cell was rendered safe by unfold; only class names change


@register.inclusion_tag("common/change_list_results.html", takes_context=True)
def compact_result_list(context, cl):
    """unfold's result list with short cell classes (lists without sortable rows, sections or editing)."""
    data = unfold_list.result_list(context, cl)
    data["results"] = [unfold_list.UnfoldResultList(row.instance, row.form, [_compact(c) for c in row])
                       for row in data["results"]]
    return data
