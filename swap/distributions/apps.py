from django.apps import AppConfig


class DistributionsConfig(AppConfig):
    """Cumulative Merkle rounds: draft → frozen → published → confirmed."""

    name = "swap.distributions"
    label = "distributions"
    verbose_name = "Distributions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from swap.distributions import receivers  # noqa: F401 - connects the outbox signal
        from swap.distributions.status import sesh_claim_section
        from swap.registrations.status import register_status_section

        register_status_section(sesh_claim_section)
