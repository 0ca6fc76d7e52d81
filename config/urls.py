from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from gonghui.accounts.views import password_change
from gonghui.api import api
from gonghui.portal.views import verify

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("accounts/", include("gonghui.accounts.urls")),
    path("api/v1/", api.urls),
    path("w/hall/", include("gonghui.hall.urls")),  # the service hall's worker pages
    path("w/", include("gonghui.portal.urls")),  # the worker pages (mobile first)
    path("v/<str:token>/", verify, name="card_verify"),  # public: what a member card's QR code opens
    # Our own password page in place of the admin's, so the change goes through accounts.actions.
    path("admin/password_change/", password_change, name="password_change"),
    path("admin/", admin.site.urls),
]

handler403 = "gonghui.common.views.forbidden"
handler404 = "gonghui.common.views.not_found"
handler500 = "gonghui.common.views.server_error"
