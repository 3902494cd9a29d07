from django.apps import AppConfig


class ChainConfig(AppConfig):
    """The L2 outbox: every transaction the service sends, from signing to confirmation."""

    name = "swap.chain"
    label = "chain"
    verbose_name = "L2 chain"
    default_auto_field = "django.db.models.BigAutoField"
