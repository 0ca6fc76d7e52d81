"""The URLconf. Besides the back office and the API, every installed app whose `urls.py` names a `MOUNT`
is served there (longest mount first), so a program with pages of its own adds none of its routes here."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from gonghui.accounts.views import password_change
from gonghui.api import api
from gonghui.common.contrib import app_modules
from gonghui.portal.views import verify

_mounted = sorted(((module.MOUNT, module) for _, module in app_modules("urls") if hasattr(module, "MOUNT")),
                  key=lambda pair: -len(pair[0]))

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("api/v1/", api.urls),
    *(path(mount, include(module)) for mount, module in _mounted),
    path("v/<str:token>/", verify, name="card_verify"),  # public: what a member card's QR code opens
    # Our own password page in place of the admin's, so the change goes through accounts.actions.
    path("admin/password_change/", password_change, name="password_change"),
    path("admin/", admin.site.urls),
]

handler403 = "gonghui.common.views.forbidden"
handler404 = "gonghui.common.views.not_found"
handler500 = "gonghui.common.views.server_error"
