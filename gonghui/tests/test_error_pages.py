"""The error pages are Chinese with DEBUG on (the default of `make run`) and off (issue 12, point 4.4)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.urls("gonghui.tests.error_urls")


@pytest.fixture(params=[True, False], ids=["DEBUG=1", "DEBUG=0"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def cadre(tree, cadre_client):
    return cadre_client(tree["K11"], "operator")


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def test_unknown_address_is_the_chinese_404(debug, cadre):
    """Issue 12 point 4.4: an address no URL matches (Django's technical 404 under DEBUG)."""
    response = cadre.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在或您无权访问。" in _text(response)
    assert "Page not found" not in _text(response) and "URLconf" not in _text(response)


def test_raised_404_is_the_chinese_404(debug, cadre, tree):
    """Issue 12 point 4.4: a refused record (Http404 raised by the scoping) with and without DEBUG."""
    response = cadre.get(f"/admin/orgs/org/{tree['G2111'].pk}/change/")
    assert response.status_code == 404
    assert "页面不存在或您无权访问。" in _text(response)
    assert "未找到该记录" not in _text(response)  # the technical page showed the exception's text


def test_missing_final_slash_still_redirects(debug, cadre):
    """Issue 12 point 4.4: CommonMiddleware's APPEND_SLASH still sees the 404 and redirects."""
    response = cadre.get("/admin/orgs/org")
    assert (response.status_code, response["Location"]) == (301, "/admin/orgs/org/")


def test_server_error_is_the_chinese_500_and_still_logged(debug, cadre, caplog):
    """Issue 12 point 4.4: an uncaught error; its traceback still reaches the log."""
    cadre.raise_request_exception = False
    response = cadre.get("/test-errors/boom/")
    assert response.status_code == 500
    assert "系统处理您的请求时出错，请稍后再试。" in _text(response)
    assert "Traceback" not in _text(response) and "RuntimeError" not in _text(response)
    assert any(r.name == "django.request" and r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)


def test_server_error_still_reaches_the_test_client(settings, cadre):
    """Issue 12 point 4.4: under DEBUG the exception is signalled as Django does, so tests see it."""
    settings.DEBUG = True
    with pytest.raises(RuntimeError, match="测试用的服务器错误"):
        cadre.get("/test-errors/boom/")


def test_permission_denied_is_the_chinese_403(debug, cadre):
    """Issue 12 point 4.4."""
    response = cadre.get("/test-errors/refuse/")
    assert response.status_code == 403
    assert "您没有执行该操作的权限。" in _text(response)
    assert "403 Forbidden" not in _text(response)


def test_csrf_failure_is_chinese(debug, db):
    """Issue 12 point 4.4: a form posted without its CSRF token (a page left open too long)."""
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "表单校验未通过（CSRF），本次提交未被处理。" in _text(response)
    assert "CSRF verification failed" not in _text(response)
