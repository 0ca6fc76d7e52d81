"""The HTTP API (django-ninja), mounted at /api/v1/ with its OpenAPI document at /api/v1/openapi.json.
Every app's router is found in its `api.py`; every endpoint authenticates and scopes like the pages."""

import re

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import SessionAuth

from gonghui.common.contrib import app_modules
from gonghui.common.errors import DomainError


class CadreSessionAuth(SessionAuth):
    """A logged-in account that has passed two-factor where its roles require it and has replaced
    its initial password."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user and ((user.requires_two_factor and not user.is_verified()) or user.must_change_password):
            return None
        return user


api = NinjaAPI(title="智慧工会 API", version="1", auth=CadreSessionAuth(), urls_namespace="api")

# Every error is {"detail": "<中文说明>", ...}: ninja's own defaults answer in English.
_HTTP_DETAIL = {
    400: "请求格式有误。",
    401: "请先登录并完成双因素认证。",
    403: "没有权限执行该操作。",
    404: "未找到该记录。",
    405: "不支持该请求方法。",
    429: "请求过于频繁，请稍后再试。",
}
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _validation_message(error: dict) -> str:
    """A Chinese message for one pydantic error (its `type` is stable across pydantic versions,
    its `msg` is English)."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return "缺少该参数"
    if kind.startswith("int_"):
        return "应为整数"
    if kind in {"enum", "literal_error"}:
        return "取值不在允许范围内"
    if kind == "greater_than_equal":
        return f"应不小于 {ctx['ge']}"
    if kind == "less_than_equal":
        return f"应不大于 {ctx['le']}"
    return "参数格式不正确"


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=400)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"detail": _HTTP_DETAIL[401]}, status=401)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    errors = [{"field": ".".join(str(part) for part in e.get("loc", ())), "message": _validation_message(e)}
              for e in exc.errors]
    return api.create_response(request, {"detail": "请求参数有误。", "errors": errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    """Keep a message already written in Chinese; replace ninja's English ones ("Forbidden",
    "Cannot parse request body", "Too many requests." …) by the status's Chinese text."""
    detail = exc.message if _CHINESE.search(exc.message) else _HTTP_DETAIL.get(exc.status_code, "请求无法处理。")
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "未找到该记录。"}, status=404)




def _mount_routers() -> None:
    """Each installed app that has an `api.py` with a `router` serves it under /api/v1/<app label>/."""
    for config, module in app_modules("api"):
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(f"/{config.label}", router)


_mount_routers()
