from django.contrib.auth.decorators import login_required
from django.urls import path

from . import attachments

app_name = "hall"
MOUNT = "w/hall/"

urlpatterns = [
    # Workers and cadres download here; one signed out is sent to the worker sign-in, as on every /w/ page.
    path("files/<int:attachment_id>/", login_required(attachments.download, login_url="portal:sign_in"),
         name="download"),
]
