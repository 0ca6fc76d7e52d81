"""Every back-office list (ScopedAdmin): page numbers, a jump, 每页, no "(显示全部)" on an unfiltered list,
a bounded count, short rows (issue 12, point 4: lists, column widths, list weight)."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.common.admin import CappedCountPaginator

ROW = 'name="_selected_action"'


@pytest.fixture
def org_list(tree, cadre_client, monkeypatch):
    """The org list of the province (14 orgs) at 3 a page: 5 pages."""
    monkeypatch.setattr("gonghui.orgs.admin.OrgAdmin.list_per_page", 3)
    return cadre_client(tree["P"], "operator")


def _pages(body: str) -> list[str]:
    return re.findall(r'<a href="\?p=(\d+)"', body)


def test_list_has_page_numbers_a_jump_and_the_total(org_list):
    """Issue 12 point 4.1: page numbers and "跳至第 N 页" in place of 上一页/下一页 only."""
    body = org_list.get("/admin/orgs/org/").content.decode()
    assert _pages(body) == ["2", "3", "4", "5"]
    assert "…" not in body.split('<span class="gh-pages">')[1].split('<span class="gh-total">')[0]
    assert '<span class="font-medium text-primary-600">1</span>' in body
    assert "共 14 条" in body and "（共 5 页）" in body
    assert '<input type="number" id="gh-jump-page" name="p" min="1" max="5" value="1" required>' in body
    assert "上一页" not in body and "下一页" not in body


def test_jump_keeps_the_filters_and_past_the_end_shows_the_last_page(org_list):
    """Issue 12 point 4.1: the jump form carries the query string; a page past the end is the last page."""
    body = org_list.get("/admin/orgs/org/?kind__exact=federation&o=1").content.decode()
    form = body[body.index('class="gh-jump"'):body.index("</form>", body.index('class="gh-jump"'))]
    assert '<input type="hidden" name="kind__exact" value="federation">' in form
    assert '<input type="hidden" name="o" value="1">' in form
    response = org_list.get("/admin/orgs/org/?p=99")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count(ROW) == 2  # rows 13–14
    assert '<span class="font-medium text-primary-600">5</span>' in body


def test_per_page_choice_is_offered_and_kept(org_list):
    """Issue 12 point 4.1: 每页 20/50/100, not taken for a filter; other sizes are ignored."""
    body = org_list.get("/admin/orgs/org/?per_page=20").content.decode()
    assert body.count(ROW) == 14
    assert "<b>20</b>" in body and '<a href="?per_page=50">50</a>' in body
    assert org_list.get("/admin/orgs/org/?per_page=7").content.decode().count(ROW) == 3
    body = org_list.get("/admin/orgs/org/?per_page=20&kind__exact=federation").content.decode()
    assert "per_page=20" in body.split('class="gh-pagination"')[0]  # filter links keep the size


def test_show_all_is_not_beside_an_unfiltered_title(org_list):
    """Issue 12 point 4.1: "(显示全部)" only when a filter or a search narrowed the list."""
    body = org_list.get("/admin/orgs/org/").content.decode()
    assert "条结果" not in body
    body = " ".join(org_list.get("/admin/orgs/org/?kind__exact=grassroots").content.decode().split())
    assert '3 条结果 (<a href="?">显示全部</a>)' in body


def test_past_the_cap_pages_on_without_an_end(org_list, monkeypatch):
    """Issue 12 point 4.1: past CAP rows the count is "N+" and the links stop after the current page's
    neighbours; every page is still reachable."""
    monkeypatch.setattr(CappedCountPaginator, "CAP", 5)
    body = org_list.get("/admin/orgs/org/?p=3").content.decode()
    assert "共 5+ 条" in body
    assert _pages(body) == ["1", "2", "4", "5"]
    pages = body.split('<span class="gh-pages">')[1].split('<span class="gh-total">')[0]
    assert pages.endswith("<span>…</span></span>")  # no known end
    assert "?p=%E2%80%A6" not in body  # the ellipsis is no link
    assert 'max="' not in body.split('id="gh-jump-page"')[1].split(">")[0]
    assert org_list.get("/admin/orgs/org/?p=5").content.decode().count(ROW) == 2


def test_count_is_limited(org_list):
    """Issue 12 point 4.1: the list counts with a LIMIT (never an exact COUNT(*) over a province's rows)."""
    with CaptureQueriesContext(connection) as queries:
        org_list.get("/admin/orgs/org/")
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 10001" in sql for sql in counts), counts


def test_rows_have_short_classes_and_the_page_no_indentation(org_list):
    """Issue 12 point 4.3: one class per cell (not unfold's thirty) and no template indentation."""
    body = org_list.get("/admin/orgs/org/?per_page=20").content.decode()
    rows = body[body.index("<tbody"):body.index("</table>")]
    assert len(rows) / 14 < 2000, len(rows) / 14  # unfold: about 7000 bytes a row of these 10 columns
    assert 'class="field-name gh-td"' in rows
    assert 'class="action-select gh-checkbox"' in rows
    assert "before:content-[attr(data-label)]" not in rows
    assert "\n  " not in body


def test_list_cells_and_headers_do_not_wrap():
    """Issue 12 point 4.2: our own CSS, loaded on every page, keeps short cells and headers on one line."""
    css = (Path(__file__).parents[1] / "common" / "static" / "common" / "backoffice.css").read_text()
    rule = css[css.index("#result_list th,"):]
    assert rule.split("{")[0].split() == ["#result_list", "th,", "#result_list", ".gh-td,", "#result_list",
                                          ".gh-check"]
    assert "white-space: nowrap;" in rule.split("}")[0]


def test_stylesheet_is_on_every_back_office_page(tree, cadre_client):
    """Issue 12 point 4.2: the stylesheet is linked (no inline style attribute in the list)."""
    client = cadre_client(tree["K11"], "operator")
    body = client.get("/admin/orgs/org/").content.decode()
    assert '<link href="/static/common/backoffice.css" rel="stylesheet">' in body
    rows = body[body.index("<tbody"):body.index("</table>")]
    assert "style=" not in rows


def test_every_admin_form_picks_a_union_by_search(rf, tree):
    """Issue 12 point 4.10: each admin whose model has a union (members, hall, hardship, ledger, mutual aid,
    join links, accounts …) renders it as the scoped autocomplete, never a select of every union."""
    from django.contrib import admin

    from gonghui.orgs.backoffice import ScopedAdmin
    from gonghui.orgs.models import Org

    request = rf.get("/")
    checked = set()
    for model, model_admin in admin.site._registry.items():
        org_fields = {f.name for f in model._meta.fields if f.is_relation and f.related_model is Org}
        if isinstance(model_admin, ScopedAdmin) and org_fields:
            assert org_fields <= set(model_admin.get_autocomplete_fields(request)), model
            checked.add(model._meta.label)
    assert {"members.Member", "hall.Application", "hardship.HardshipFile", "portal.JoinLink",
            "accounts.User"} <= checked
