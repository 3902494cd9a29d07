from django.apps import AppConfig


class DistributionsConfig(AppConfig):
    """Cumulative Merkle rounds: draft → frozen → published → confirmed."""

    name = "swap.distributions"
    label = "distributions"
    verbose_name = "Distributions"
    default_auto_field = "django.db.models.BigAutoField"
