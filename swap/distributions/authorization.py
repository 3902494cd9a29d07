"""How the outbox re-derives the distributions' transactions before it signs them.

Registered with `swap.chain.authorization` in `DistributionsConfig.ready`. Each deriver finds the
row's owner from its subject and rebuilds the call from frozen data alone:

- `proposeRoot`: the proposed round's entries, hashed again into its tree, must give the frozen
  root; the call carries that root, the round number, the tree's total and its size;
- `activateRoot()`: a pending round whose activation this very row is;
- `claimMany`: the batch's accounts, each at its frozen entry's amount in the active round, with a
  multiproof built from that round's tree.

A row whose owner is missing, in another state, or implies other bytes is refused.
"""

from __future__ import annotations

from swap.chain import contracts
from swap.chain.authorization import RefusedToSign
from swap.chain.models import L2Transaction
from swap.core.merkle import StandardMerkleTree
from swap.distributions.exceptions import RoundStateError
from swap.distributions.models import DistributionRound, PayoutBatch, RoundStatus
from swap.distributions.services.payouts import batch_call
from swap.distributions.services.trees import frozen_tree


def _round_of(tx: L2Transaction, status: str) -> DistributionRound:
    prefix, _, number = tx.subject.partition(":")
    if prefix != "round" or not number.isdigit():
        raise RefusedToSign(f"l2tx:{tx.pk}: subject {tx.subject!r} names no round")
    round_ = DistributionRound.objects.numbered().filter(number=int(number)).first()
    if round_ is None:
        raise RefusedToSign(f"l2tx:{tx.pk}: round {number} does not exist")
    if round_.status != status:
        raise RefusedToSign(f"l2tx:{tx.pk}: round {number} is {round_.status}, not {status}")
    return round_


def _tree(round_: DistributionRound, tx: L2Transaction) -> StandardMerkleTree:
    try:
        return frozen_tree(round_)
    except RoundStateError as error:
        raise RefusedToSign(f"l2tx:{tx.pk}: {error}") from None


def derive_proposal(tx: L2Transaction) -> str:
    round_ = _round_of(tx, RoundStatus.PROPOSED)
    if round_.propose_tx_id != tx.pk:
        raise RefusedToSign(f"l2tx:{tx.pk}: round {round_.number} was proposed by l2tx:{round_.propose_tx_id}")
    tree = _tree(round_, tx)
    if (tree.total, len(tree)) != (round_.total_atomic, round_.count):
        raise RefusedToSign(f"l2tx:{tx.pk}: round {round_.number}'s entries disagree with its frozen figures")
    return contracts.propose_root_data(tree.root_hex, round_.number, tree.total, len(tree))


def derive_activation(tx: L2Transaction) -> str:
    round_ = _round_of(tx, RoundStatus.PENDING)
    if round_.activate_tx_id != tx.pk:
        raise RefusedToSign(f"l2tx:{tx.pk}: it is not round {round_.number}'s activation")
    return contracts.activate_root_data()


def derive_payout_batch(tx: L2Transaction) -> str:
    prefix, _, number = tx.subject.partition(":")
    batch = PayoutBatch.objects.select_related("round").filter(pk=int(number) if number.isdigit() else -1).first()
    if prefix != "payout-batch" or batch is None:
        raise RefusedToSign(f"l2tx:{tx.pk}: subject {tx.subject!r} names no payout batch")
    if batch.transaction_id != tx.pk or batch.status != PayoutBatch.Status.PENDING:
        raise RefusedToSign(f"l2tx:{tx.pk}: payout batch {batch.pk} is not waiting for this transaction")
    round_ = batch.round
    if round_.status != RoundStatus.ACTIVE:
        raise RefusedToSign(f"l2tx:{tx.pk}: round {round_.number} is {round_.status}, not active")
    items = list(batch.items.filter(active=True).values_list("eth_address", "cumulative_atomic"))
    frozen = dict(round_.entries.filter(eth_address__in=[a for a, _ in items]).values_list(
        "eth_address", "cumulative_atomic"))
    if not items or any(frozen.get(address) != amount for address, amount in items):
        raise RefusedToSign(f"l2tx:{tx.pk}: payout batch {batch.pk} holds amounts round {round_.number} did not freeze")
    return batch_call(round_, _tree(round_, tx), [address for address, _ in items])[2]
