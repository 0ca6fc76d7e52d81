from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "gonghui.stats"
    verbose_name = "统计"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("figures")
