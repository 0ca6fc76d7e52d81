from django.apps import AppConfig


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gonghui.portal"
    verbose_name = "职工服务"

    def ready(self) -> None:
        from gonghui.notifications.actions import register_mobile_lookup

        from . import figures  # noqa: F401  (registers the portal.* figures)
        from .queries import worker_mobiles

        register_mobile_lookup(worker_mobiles)
