from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "gonghui.common"
    verbose_name = "审计与基础数据"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # What each app contributes at start-up (gonghui.common.contrib): its audit action codes with their
        # Chinese labels, and its reactions to other apps' events.
        autodiscover_modules("audit_codes")
        autodiscover_modules("hooks")
