from django.apps import AppConfig


class MutualaidConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gonghui.mutualaid"
    verbose_name = "职工互助保障"

    def ready(self) -> None:
        from . import effects, figures  # noqa: F401  (registers the hall effect and the mutualaid.* figures)
