"""The chain facts of a round: the one place that reads them from the round (`chain.json`).

A root is proposed on the distributor and becomes claimable when activated, after the public
activation delay; a round therefore has a proposing and an activating L2 transaction (the
service's own, or anyone's: activation is open to all). They exist only after the freeze, so they
are not part of the frozen bundle: `chain.json` is served beside it once the root is active
(docs/verify.md).
"""

from __future__ import annotations

from typing import Any

from swap.chain.models import L2Transaction
from swap.distributions.models import DistributionRound, RoundStatus


def _transaction(tx: L2Transaction | None) -> dict[str, Any] | None:
    if tx is None or tx.status != L2Transaction.Status.CONFIRMED or not tx.tx_hash:
        return None
    return {"tx_hash": tx.tx_hash, "block_number": tx.block_number, "block_hash": tx.block_hash}


def _activation(round_: DistributionRound) -> dict[str, Any] | None:
    if round_.status != RoundStatus.ACTIVE or not round_.activated_tx_hash:
        return None
    ours = _transaction(round_.activate_tx)
    if ours is not None and ours["tx_hash"] == round_.activated_tx_hash:
        return ours
    # Someone else activated it first: the service knows the transaction, not its block.
    return {"tx_hash": round_.activated_tx_hash, "block_number": None, "block_hash": ""}


def chain_facts(round_: DistributionRound) -> dict[str, Any] | None:
    """`chain.json` of `round_`: chain id, distributor, proposing and activating transactions; None until active."""
    proposing, activating = _transaction(round_.propose_tx), _activation(round_)
    if proposing is None or activating is None or round_.propose_tx is None:
        return None
    return {
        "round": round_.number,
        "root": round_.root,
        "chain_id": round_.propose_tx.chain_id,
        "distributor": round_.distributor_address,
        "proposing": proposing,
        "activating": activating,
    }
