"""Routes of the hardship file import, mounted inside the admin site (namespace "admin") by
HardshipFileAdmin.get_urls(): `path("import/", include("gonghui.hardship.urls"))`, which gives
/admin/hardship/hardshipfile/import/… (and …/import/history/… for past aid payments). Each view is wrapped by
the admin site (login, 2FA, staff)."""

from django.contrib import admin
from django.urls import path

from . import import_views

urlpatterns = [
    path("", admin.site.admin_view(import_views.import_files), name="hardship_hardshipfile_import"),
    path("template/", admin.site.admin_view(import_views.import_template),
         name="hardship_hardshipfile_import_template"),
    path("<int:job_id>/", admin.site.admin_view(import_views.import_result),
         name="hardship_hardshipfile_import_result"),
    path("<int:job_id>/errors/", admin.site.admin_view(import_views.import_errors),
         name="hardship_hardshipfile_import_errors"),
    path("history/", admin.site.admin_view(import_views.import_history), name="hardship_aid_history_import"),
    path("history/template/", admin.site.admin_view(import_views.import_history_template),
         name="hardship_aid_history_import_template"),
    path("history/<int:job_id>/", admin.site.admin_view(import_views.import_history_result),
         name="hardship_aid_history_import_result"),
    path("history/<int:job_id>/errors/", admin.site.admin_view(import_views.import_history_errors),
         name="hardship_aid_history_import_errors"),
]
