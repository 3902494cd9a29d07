"""The chain facts of a round: the one place that reads them from the round (`chain.json`).

A root is proposed on the distributor and becomes claimable when activated; a round therefore has
a proposing and an activating L2 transaction. They exist only after the freeze, so they are not
part of the frozen bundle: `chain.json` is served beside it once known (docs/verify.md). Today a
round has one `publish_tx`, which `publishRoot` both proposes and activates with; when rounds get
their own proposing and activating transactions, only `chain_facts` changes.
"""

from __future__ import annotations

from typing import Any

from swap.chain.models import L2Transaction
from swap.distributions.models import DistributionRound


def _transaction(tx: L2Transaction | None) -> dict[str, Any] | None:
    if tx is None or tx.status != L2Transaction.Status.CONFIRMED or not tx.tx_hash:
        return None
    return {"tx_hash": tx.tx_hash, "block_number": tx.block_number, "block_hash": tx.block_hash}


def chain_facts(round_: DistributionRound) -> dict[str, Any] | None:
    """`chain.json` of `round_`: chain id, distributor, proposing and activating transactions; None until final."""
    published = _transaction(round_.publish_tx)
    if published is None or round_.publish_tx is None:
        return None
    return {
        "round": round_.number,
        "root": round_.root,
        "chain_id": round_.publish_tx.chain_id,
        "distributor": round_.distributor_address,
        "proposing": published,
        "activating": published,  # publishRoot proposes and activates in one transaction today
    }
