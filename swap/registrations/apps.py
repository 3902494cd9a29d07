from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    """Wallet ownership proofs and the current ETH address of every registered Oxen address."""

    name = "swap.registrations"
    label = "registrations"
    verbose_name = "Registrations"
    default_auto_field = "django.db.models.BigAutoField"
