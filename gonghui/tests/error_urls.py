"""The project's URLs plus views that fail, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from config import urls


def boom(request):
    raise RuntimeError("测试用的服务器错误")


def refuse(request):
    raise PermissionDenied


urlpatterns = [path("test-errors/boom/", boom), path("test-errors/refuse/", refuse), *urls.urlpatterns]
handler403 = urls.handler403
handler404 = urls.handler404
handler500 = urls.handler500
