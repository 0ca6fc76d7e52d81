"""The error pages, in Chinese whatever DEBUG says (config/urls.py's handlers, CSRF_FAILURE_VIEW and
middleware.ChineseErrorPagesMiddleware, which stands in for Django's English technical pages under DEBUG)."""

import logging

from django.contrib import admin
from django.shortcuts import render

logger = logging.getLogger(__name__)


def _error_page(request, template: str, status: int, **context):
    """The page with the back office's context, so unfold's theme (colours) applies; without it when that
    context cannot be built (a 500 may come from a database that is down)."""
    try:
        site = admin.site.each_context(request)
    except Exception:  # noqa: BLE001 - the error page must render whatever failed
        logger.warning("错误页面未能加载后台上下文", exc_info=True)
        site = {}
    return render(request, template, site | context, status=status)


def not_found(request, exception=None):
    return _error_page(request, "404.html", 404)


def forbidden(request, exception=None):
    return _error_page(request, "common/error.html", 403, title="无权访问",
                       lead="您没有执行该操作的权限。", text="如需办理，请联系本单位管理员或上级工会。")


def server_error(request):
    return _error_page(request, "common/error.html", 500, title="服务器出错",
                       lead="系统处理您的请求时出错，请稍后再试。",
                       text="错误已记录。如多次出现，请联系系统管理员并告知出错的时间和操作。")


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: most often a page left open past the session, or cookies blocked."""
    return _error_page(request, "common/error.html", 403, title="页面已过期",
                       lead="表单校验未通过（CSRF），本次提交未被处理。",
                       text="请返回上一页，刷新后重新提交。如仍不成功，请确认浏览器允许本站使用 Cookie。")
