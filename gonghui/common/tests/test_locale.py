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



def test_admin_calendar_weekday_headers_are_chinese(tree, cadre_client):
    """Issue 12 point 4.5: the admin calendar (unfold's date widgets) heads its columns with
    pgettext("one letter Monday", "M") …, left as M T W T F S S by Django's catalogue; the catalogue the
    admin's forms load (/admin/jsi18n/) says 一 … 日 from ours."""
    body = cadre_client(tree["K11"], "operator").get("/admin/jsi18n/").content.decode()
    for day, letter, chinese in (("Monday", "M", "一"), ("Tuesday", "T", "二"), ("Wednesday", "W", "三"),
                                 ("Thursday", "T", "四"), ("Friday", "F", "五"), ("Saturday", "S", "六"),
                                 ("Sunday", "S", "日")):
        assert f'"one letter {day}\\u0004{letter}": "\\u{ord(chinese):04x}"' in body, day
    assert '"Now": "\\u73b0\\u5728"' in body  # 现在: the time picker's, from Django's catalogue
