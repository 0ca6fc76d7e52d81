from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "gonghui.stats"
    verbose_name = "统计"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from gonghui.common import changes

        from . import rollups, targets  # noqa: F401  (the Target model lives beside its progress maths)

        autodiscover_modules("figures")
        changes.listen(rollups.on_bulk)
