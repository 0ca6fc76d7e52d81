from django.urls import path

from . import hall_views, views

app_name = "portal"
MOUNT = "w/"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.sign_in, name="sign_in"),
    path("login/code/", views.send_code, name="send_code"),
    path("logout/", views.sign_out, name="sign_out"),
    path("bind/", views.bind, name="bind"),
    path("join/", views.find_union, name="find_union"),
    path("join/q/<str:token>/", views.scan, name="scan"),
    path("join/<int:org_id>/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("card/", views.card, name="card"),
    path("profile/", views.profile, name="profile"),
    path("hall/", hall_views.hall, name="hall"),
    path("hall/items/<slug:code>/", hall_views.apply, name="hall_apply"),
    path("hall/<int:pk>/", hall_views.application, name="hall_application"),
]
