"""Live capture: one poll of oxend, at most one new snapshot, provisional ones settled first.

One run (the Celery task calls `capture_snapshot` every 60 s):
1. `get_height` gives the chain length and `immutable_height` (the client checked `nettype` on
   its first call).
2. Settle provisional snapshots, lowest first, at most `VERIFY_BATCH` per run: each stored block
   hash is compared with the chain's block at that height. A snapshot whose block is no longer
   on the chain above the immutable height was reorganized away: it and every later snapshot are
   discarded (the next poll stores the new chain's state). Verified snapshots at or below the
   immutable height become final. A mismatch at or below the immutable height cannot be a reorg:
   it is logged as an error for an operator (`manage.py discard_snapshots`) and nothing is
   changed; finalization stops there and capture goes on.
3. `get_service_nodes` with `poll_block_hash` = the latest stored hash: `unchanged` writes nothing.
4. Otherwise the block header at the result's height gives the block timestamp (and must carry
   the same hash, else the chain moved between the two calls: a transient error, retried).
5. `ingest_snapshot` stores it, provisional.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field

from django.conf import settings

from bonuses.models import ServiceNodeSnapshot, SnapshotSource
from bonuses.services.ingest import OutOfOrderSnapshot, ingest_snapshot
from bonuses.services.provisional import discard_snapshots_from, mark_final
from swap.oxend import OxendClient
from swap.oxend_errors import OxendPermanentError, OxendTransientError

logger = logging.getLogger(__name__)
VERIFY_BATCH = 200
TOO_BIG_HEIGHT = -2


class CaptureNotConfigured(RuntimeError):
    """`OXEND_RPC_URL` is empty: live capture is switched off."""


@dataclass(frozen=True)
class CaptureOutcome:
    status: str  # "stored", "unchanged", "known" (already stored) or "behind" (below the latest)
    height: int | None
    finalized: int = 0
    discarded: tuple[int, ...] = ()
    gap_blocks: int | None = None
    problems: tuple[str, ...] = field(default=())


@functools.lru_cache(maxsize=4)
def _client_for(url: str, network: str) -> OxendClient:
    return OxendClient(url, network=network)


def default_client() -> OxendClient:
    """The process-wide client for `OXEND_RPC_URL` on `OXEN_NETWORK` (one session, reused)."""
    if not settings.OXEND_RPC_URL:
        raise CaptureNotConfigured("OXEND_RPC_URL is not set; live snapshot capture is off")
    return _client_for(settings.OXEND_RPC_URL, settings.OXEN_NETWORK)


def _chain_hash(client: OxendClient, height: int, chain_length: int) -> str | None:
    """The chain's block hash at `height`, or None if the chain is no longer that long."""
    if height >= chain_length:
        return None
    try:
        return str(client.get_block_header_by_height(height)["hash"])
    except OxendPermanentError as error:
        if error.code == TOO_BIG_HEIGHT:  # the chain got shorter since get_height
            return None
        raise


def settle_provisional(
    client: OxendClient, *, chain_length: int, immutable_height: int, actor: str
) -> tuple[int, tuple[int, ...], tuple[str, ...]]:
    """Verify provisional snapshots against the chain; returns (finalized, discarded heights, problems)."""
    pending = list(
        ServiceNodeSnapshot.objects.filter(provisional=True)
        .order_by("height")
        .values_list("height", "block_hash")[:VERIFY_BATCH]
    )
    verified: list[int] = []
    for height, block_hash in pending:
        on_chain = _chain_hash(client, height, chain_length)
        if on_chain == block_hash:
            if height <= immutable_height:
                verified.append(height)
            continue
        if height <= immutable_height:
            problem = (
                f"snapshot {height} has block {block_hash} but the chain's immutable block there is {on_chain}: "
                "not a reorg; check the snapshot source, then run `manage.py discard_snapshots`"
            )
            logger.error(problem)
            return mark_final(verified, actor=actor), (), (problem,)
        reason = f"reorg: block at height {height} is now {on_chain or 'beyond the chain top'}, not {block_hash}"
        finalized = mark_final(verified, actor=actor)
        discarded = discard_snapshots_from(height, reason=reason, actor=actor)
        logger.warning("discarded %d provisional snapshots from height %d: %s", len(discarded), height, reason)
        return finalized, discarded, ()
    return mark_final(verified, actor=actor), (), ()


def capture_snapshot(client: OxendClient | None = None, *, actor: str = "task:capture_snapshot") -> CaptureOutcome:
    """One capture run (see the module docstring). Oxend errors propagate for the task to retry."""
    client = client or default_client()
    heights = client.get_height()
    finalized, discarded, problems = settle_provisional(
        client, chain_length=heights["height"], immutable_height=heights["immutable_height"], actor=actor
    )
    latest = ServiceNodeSnapshot.objects.defer("payload").order_by("-height").first()
    result = client.get_service_nodes(poll_block_hash=latest.block_hash if latest else None)
    if result.get("unchanged") is True:
        return CaptureOutcome("unchanged", latest.height if latest else None, finalized, discarded, None, problems)
    height = result["height"]
    header = client.get_block_header_by_height(height)
    if header.get("hash") != result["block_hash"]:
        raise OxendTransientError(f"the chain moved between get_service_nodes and the header of {height}")
    try:
        outcome = ingest_snapshot(result, source=SnapshotSource.LIVE, block_timestamp=header["timestamp"], actor=actor)
    except OutOfOrderSnapshot as error:
        logger.warning("oxend is behind our latest snapshot: %s", error)
        return CaptureOutcome("behind", height, finalized, discarded, None, problems)
    status = "stored" if outcome.created else "known"
    gap = outcome.gap.blocks if outcome.gap else None
    return CaptureOutcome(status, height, finalized, discarded + outcome.discarded, gap, problems)
