from django.apps import AppConfig


class LedgerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gonghui.ledger"
    verbose_name = "帮扶资金台账"
