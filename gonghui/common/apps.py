from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "gonghui.common"
    verbose_name = "审计与基础数据"
