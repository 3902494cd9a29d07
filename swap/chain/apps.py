from typing import Any

from django.apps import AppConfig


class ChainConfig(AppConfig):
    """The L2 outbox: every transaction the service sends, from signing to confirmation."""

    name = "swap.chain"
    label = "chain"
    verbose_name = "L2 chain"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from swap.chain import program_end
        from swap.chain.authorization import register_deriver
        from swap.chain.client import get_client
        from swap.chain.models import L2Transaction, L2TxPurpose
        from swap.chain.signals import transaction_finalized

        register_deriver(L2TxPurpose.WITHDRAW_REMAINDER, program_end.derive_withdrawal)

        def on_finalized(sender: Any, *, transaction: L2Transaction, actor: str, **kwargs: Any) -> None:
            if transaction.purpose == L2TxPurpose.WITHDRAW_REMAINDER:
                program_end.on_withdrawal_finalized(get_client(), transaction, actor=actor)

        transaction_finalized.connect(on_finalized, weak=False, dispatch_uid="chain.program_end.withdrawal")
