"""django-unfold ships no translations; gonghui/locale supplies Chinese for its strings."""

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext


def test_login_page_is_chinese(client):
    html = client.get("/admin/login/").content.decode()
    assert "欢迎登录" in html
    assert "返回网站" in html
    assert "Welcome back to" not in html
    assert "Return to site" not in html


@pytest.mark.parametrize(
    ("msgid", "expected"),
    [
        ("Welcome back to", "欢迎登录"),
        ("Return to site", "返回网站"),
        ("Filters", "筛选"),
        ("Search apps and models...", "搜索应用和模型"),
        ("Apply Filters", "应用筛选"),
        ("Log out", "退出登录"),
        ("Type to search", "输入关键词搜索"),
        ("No results found", "未找到结果"),
        ("Previous", "上一页"),
        ("Next", "下一页"),
    ],
)
def test_unfold_msgids_translated(msgid, expected):
    with translation.override("zh-hans"):
        assert gettext(msgid) == expected


def test_unfold_plural_msgid_translated():
    with translation.override("zh-hans"):
        assert ngettext("%(counter)s result", "%(counter)s results", 5) % {"counter": 5} == "5 条结果"


def test_admin_pages_show_unfold_strings_in_chinese(tree, cadre_client):
    client = cadre_client(tree["C1"], "org_admin")
    html = client.get("/admin/orgs/org/").content.decode()
    for chinese in ("筛选", "搜索应用和模型", "退出登录"):
        assert chinese in html
    for english in ("Filters", "Search apps and models", "Log out", "Return to site", "Select all rows"):
        assert english not in html
