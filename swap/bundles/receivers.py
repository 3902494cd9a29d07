"""A frozen round gets its bundle in the freezing transaction (`swap.distributions.signals.round_frozen`)."""

from typing import Any

from django.dispatch import receiver

from swap.bundles.services import store_bundle
from swap.distributions.models import DistributionRound
from swap.distributions.signals import round_frozen


@receiver(round_frozen, dispatch_uid="bundles.on_round_frozen")
def on_round_frozen(sender: Any, *, round: DistributionRound, actor: str, **kwargs: Any) -> None:  # noqa: A002
    store_bundle(round, actor=actor)
