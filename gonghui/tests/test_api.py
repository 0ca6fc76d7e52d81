"""The API's own error handling (gonghui/api.py, the wiring that mounts every app's router)."""

import json

from ninja.errors import HttpError

from gonghui.api import _http_error


def test_http_error_detail_in_chinese(rf):
    """No orgs endpoint raises HttpError itself; ninja does, with English text (an unparsable
    body, a failed CSRF check), so the handler is called with those."""
    request = rf.get("/api/v1/orgs/")
    response = _http_error(request, HttpError(400, "Cannot parse request body"))
    assert (response.status_code, json.loads(response.content)) == (400, {"detail": "请求格式有误。"})
    response = _http_error(request, HttpError(403, "CSRF check Failed"))
    assert (response.status_code, json.loads(response.content)) == (403, {"detail": "没有权限执行该操作。"})
    already_chinese = "该组织已被他人修改，请刷新后重试。"
    response = _http_error(request, HttpError(409, already_chinese))
    assert (response.status_code, json.loads(response.content)) == (409, {"detail": already_chinese})
