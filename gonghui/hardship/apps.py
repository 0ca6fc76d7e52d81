from django.apps import AppConfig


class HardshipConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gonghui.hardship"
    verbose_name = "困难帮扶"

    def ready(self) -> None:
        from . import effects, figures  # noqa: F401  (registers the hall effect that opens a file, hardship.* figures)
