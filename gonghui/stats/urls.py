"""Pages of the statistics engine, mounted inside the back office's address space (/admin/stats/…) and
wrapped by the admin site (login, two-factor, staff)."""

from django.contrib import admin
from django.urls import path

from .report import views as report_views

app_name = "stats"
MOUNT = "admin/stats/"
urlpatterns = [
    # The work report ----------------------------------------------------------------------------------------
    path("report/", admin.site.admin_view(report_views.report), name="report"),
]
