from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "gonghui.common"
    verbose_name = "审计与基础数据"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("audit_codes")  # each app's audit action codes with their Chinese labels
