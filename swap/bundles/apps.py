from django.apps import AppConfig


class BundlesConfig(AppConfig):
    """Every frozen round's raw inputs, from which the standalone verifier recomputes every amount."""

    name = "swap.bundles"
    label = "bundles"
    verbose_name = "Round bundles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from swap.bundles import receivers  # noqa: F401 - connects distributions' round_frozen signal
