from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "gonghui.common"
    verbose_name = "审计与基础数据"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app's reactions to other apps' events (gonghui.common.contrib): connected once, at start-up.
        autodiscover_modules("hooks")
