"""A local copy of the distributor's `Claimed` events, so pages can show "already claimed" without
calling the chain, and the publish check can compare claims and balance at one block.

Only final blocks are indexed (`L2_CONFIRMATIONS` deep, or up to the `finalized` tag), so what is
stored never needs undoing after a reorg; the cursor keeps the hash of the last indexed block and
refuses to go on if the chain under it changed anyway (a reorg deeper than the setting promises).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from swap.audit import record_event
from swap.chain import contracts
from swap.chain.client import ChainClient, get_client
from swap.distributions.exceptions import DistributionError
from swap.distributions.models import ClaimEvent, ClaimIndexCursor

logger = logging.getLogger(__name__)


class DeepReorgError(DistributionError):
    """A block the index took as final is no longer on the chain."""


def _final_block(client: ChainClient) -> int:
    if settings.L2_USE_FINALIZED_TAG:
        block = client.get_block("finalized")
        return int(block["number"], 16) if block else 0
    return client.block_number() - settings.L2_CONFIRMATIONS + 1


def sync_claims(*, client: ChainClient | None = None) -> int:
    """Index `Claimed` logs of the configured distributor up to the final block; return that block."""
    client = client or get_client()
    distributor = settings.L2_DISTRIBUTOR_ADDRESS
    cursor, _ = ClaimIndexCursor.objects.get_or_create(
        chain_id=settings.L2_CHAIN_ID, distributor=distributor,
        defaults={"next_block": settings.L2_DISTRIBUTOR_DEPLOY_BLOCK},
    )
    if cursor.last_block_hash:
        seen = client.get_block(cursor.next_block - 1)
        if seen is None or seen.get("hash") != cursor.last_block_hash:
            raise DeepReorgError(f"block {cursor.next_block - 1} of the claim index left the chain")
    final = _final_block(client)
    start = cursor.next_block
    while start <= final:
        end = min(final, start + settings.L2_LOG_CHUNK_BLOCKS - 1)
        logs = client.get_logs(address=distributor, topics=[contracts.CLAIMED_TOPIC], from_block=start, to_block=end)
        block = client.get_block(end)
        with transaction.atomic():
            added = 0
            for log in logs:
                account, amount, cumulative = contracts.decode_claimed_log(log)
                _, created = ClaimEvent.objects.get_or_create(
                    chain_id=settings.L2_CHAIN_ID, tx_hash=log["transactionHash"], log_index=int(log["logIndex"], 16),
                    defaults={"distributor": distributor, "block_number": int(log["blockNumber"], 16),
                              "block_hash": log["blockHash"], "eth_address": account, "amount_atomic": amount,
                              "cumulative_atomic": cumulative},
                )
                added += created
            if added:
                record_event("distributor:claims_indexed", actor="task:sync_claims", subject=f"eth:{distributor}",
                             data={"from_block": start, "to_block": end, "events": added})
            ClaimIndexCursor.objects.filter(pk=cursor.pk, next_block=start).update(
                next_block=end + 1, last_block_hash=block["hash"] if block else ""
            )
        start = end + 1
    return max(start - 1, 0)


def claimed_by_account() -> dict[str, int]:
    """Total claimed per account, as of the index (the contract's `claimed`, at the indexed block)."""
    rows = (
        ClaimEvent.objects.filter(chain_id=settings.L2_CHAIN_ID, distributor=settings.L2_DISTRIBUTOR_ADDRESS)
        .values("eth_address").annotate(claimed=Max("cumulative_atomic"))
    )
    return {row["eth_address"]: int(row["claimed"]) for row in rows}


def claimed_of(eth_address: str) -> tuple[int, int | None]:
    """(claimed so far, block the index reached) for one account, from the database only."""
    claimed = ClaimEvent.objects.filter(
        chain_id=settings.L2_CHAIN_ID, distributor=settings.L2_DISTRIBUTOR_ADDRESS, eth_address=eth_address
    ).aggregate(m=Max("cumulative_atomic"))["m"]
    cursor = ClaimIndexCursor.objects.filter(
        chain_id=settings.L2_CHAIN_ID, distributor=settings.L2_DISTRIBUTOR_ADDRESS
    ).first()
    return int(claimed or 0), (cursor.next_block - 1 if cursor else None)
