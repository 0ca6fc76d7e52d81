"""The dashboard (统计分析) is the back office's home page: mounted at the admin site's own prefix, its "" pattern
answers /admin/ before the admin's index (config/urls.py serves mounts first); every other /admin/ path finds no
pattern here and falls through to the admin site. Each view is wrapped by the admin site (login, 2FA, staff)."""

from django.contrib import admin
from django.urls import path

from . import views

MOUNT = "admin/"
app_name = "stats"

urlpatterns = [
    path("", admin.site.admin_view(views.dashboard), name="dashboard"),
]
