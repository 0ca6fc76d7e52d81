from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from gonghui.api import api

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("accounts/", include("gonghui.accounts.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "gonghui.common.views.not_found"
