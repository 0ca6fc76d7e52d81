from django.urls import path

from . import views

app_name = "accounts"
MOUNT = "accounts/"
urlpatterns = [
    path("two-factor/", views.two_factor, name="two_factor"),
    path("logout/", views.logout_view, name="logout"),
]
