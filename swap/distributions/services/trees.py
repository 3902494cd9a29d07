"""A frozen round's Merkle tree, rebuilt from its entries and held to the root it was frozen with."""

from __future__ import annotations

import functools

from swap.core.merkle import StandardMerkleTree
from swap.distributions.exceptions import RoundStateError
from swap.distributions.models import DistributionRound


@functools.lru_cache(maxsize=4)
def _tree(round_id: int, root: str) -> StandardMerkleTree:
    rows = DistributionRound.objects.get(pk=round_id).entries.order_by("id").values_list(
        "eth_address", "cumulative_atomic"
    )
    tree = StandardMerkleTree.of(rows.iterator())
    if tree.root_hex != root:
        raise RoundStateError(f"round id {round_id}: entries hash to {tree.root_hex}, not the frozen root {root}")
    return tree


def frozen_tree(round_: DistributionRound) -> StandardMerkleTree:
    """The round's tree from its frozen entries; raises if they no longer hash to its frozen root.

    Cached per (round, root): frozen entries never change, and a round whose root differs is
    another round.
    """
    return _tree(round_.pk, round_.root)
