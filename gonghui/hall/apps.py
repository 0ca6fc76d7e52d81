from django.apps import AppConfig


class HallConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gonghui.hall"
    verbose_name = "网上办事大厅"

    def ready(self) -> None:
        from . import effects, figures  # noqa: F401  (registers the effects and the hall.* figures)
