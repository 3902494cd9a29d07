from django.apps import AppConfig


class DistributionsConfig(AppConfig):
    """Cumulative Merkle rounds: draft → frozen → proposed → pending → active (or vetoed)."""

    name = "swap.distributions"
    label = "distributions"
    verbose_name = "Distributions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from swap.chain.authorization import register_deriver
        from swap.chain.models import L2TxPurpose
        from swap.distributions import authorization, receivers  # noqa: F401 - connects the outbox signal
        from swap.distributions.status import sesh_claim_section
        from swap.registrations.status import register_status_section

        register_status_section(sesh_claim_section)
        register_deriver(L2TxPurpose.PROPOSE_ROOT, authorization.derive_proposal)
        register_deriver(L2TxPurpose.ACTIVATE_ROOT, authorization.derive_activation)
        register_deriver(L2TxPurpose.PAYOUT_BATCH, authorization.derive_payout_batch)
