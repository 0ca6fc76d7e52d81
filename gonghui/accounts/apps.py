from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gonghui.accounts"
    verbose_name = "账号与安全"

    def ready(self):
        from . import signals  # noqa: F401  (login audit receivers)
