"""The deposit watcher: one poll of the claims wallet, then `crediting.apply_poll`.

A poll (oxen-wallet-rpc.md §7, "a safe watcher"):
1. `get_height`: the wallet's synced height h;
2. the window start W = the lowest of h, the wallet height of the last applied poll, and the
   heights of uncredited deposits still waited on, minus `CLAIMS_SCAN_MARGIN_BLOCKS`: every
   deposit mined since the last poll (however long the service was down), every deposit that can
   still be credited, and anything re-mined after a reorg is inside it. Before the first poll (or
   with `full=True`, `manage.py poll_deposits --full`) W is 0. Height filters are inclusive and
   always applied, and an unmined blink (height 0) shows only when `min_height` is 0, so the
   wallet is read in two calls, unmined entries first (`max_height` 0) and then mined ones from
   W: a blink mined in between is seen twice and never missed;
3. `get_transfers` of the whole dedicated claims account (`OXEN_WALLET_ACCOUNT_INDEX`), types
   `in` and `pool` only, every other flag sent as false. The account, not a list of claim
   indices, is the filter: a transfer to an index no claim owns must be seen to be flagged;
4. group the entries by (txid, major, minor), set apart every entry the parser refuses (a zero or
   missing amount…: `transfers.sort_transfers`), and apply both in one transaction: the refused
   ones are quarantined (recorded once, flagged for review), the rest credited, the window moves on.

Nothing is written before every wallet call has succeeded: a wallet that is down, slow or busy
raises `WalletRpcTransientError` and the task retries later with nothing lost. One entry the
watcher cannot read no longer stops every credit behind it (issue 17, item 7).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Min, Q

from claims.models import ClaimsLedger, Deposit, DepositState
from claims.services.config import claim_rules, wallet_client
from claims.services.crediting import PollOutcome, apply_poll
from claims.services.locks import poll_lock
from claims.transfers import RefusedTransfer, merge_polls, sort_transfers
from claims.wallet_rpc import WalletRpcClient

logger = logging.getLogger(__name__)
WAITED_ON = (DepositState.SEEN, DepositState.PENDING_MINIMUM)


def window_start(wallet_height: int, margin: int) -> int:
    """The lowest height the next poll must read (see the module docstring), at least 0."""
    ledger = ClaimsLedger.objects.filter(pk=1).first()
    if ledger is None or ledger.last_poll_height is None:
        return 0  # never polled (or reset for a full rescan): read the whole history
    waited = Deposit.objects.filter(state__in=WAITED_ON)
    lowest_mined = waited.filter(height__gt=0).aggregate(low=Min("height"))["low"]
    # An unmined deposit will be mined at or above the height the wallet had when it first saw it.
    lowest_unmined = waited.filter(Q(height=0)).aggregate(low=Min("first_seen_wallet_height"))["low"]
    candidates = (wallet_height, ledger.last_poll_height, lowest_mined, lowest_unmined)
    lowest = min(h for h in candidates if h is not None)
    return max(0, lowest - margin)


def poll_deposits(
    *, actor: str, client: WalletRpcClient | None = None, now: datetime | None = None, full: bool = False
) -> PollOutcome:
    """Read the claims wallet once and apply what it shows; `status` "busy" if another poll runs.

    `full` reads the whole history (after restoring the wallet or the database from a backup).
    """
    rules = claim_rules()
    client = client or wallet_client("poll")
    with poll_lock() as acquired:
        if not acquired:
            logger.info("another deposit poll holds the lock; skipped")
            return PollOutcome(status="busy")
        wallet_height = client.get_height()["height"]
        start = 0 if full else window_start(wallet_height, rules.scan_margin_blocks)
        kinds = ("in", "pool")
        if start == 0:
            everything = client.get_transfers(account_index=rules.account_index, categories=kinds)
            polls = [everything]
        else:
            unmined = client.get_transfers(account_index=rules.account_index, max_height=0, categories=kinds)
            mined = client.get_transfers(account_index=rules.account_index, min_height=start, categories=kinds)
            polls = [unmined, mined]
        groups, refused = [], {}
        for poll in polls:
            # A pool entry and an `in` entry of one transaction are two views of the same outputs:
            # grouped apart, and the `in` view wins.
            for category in ("pool", "in"):
                batch = sort_transfers(poll[category], rules.account_index)
                groups.append(batch.groups)
                refused.update((r.identity, r) for r in batch.refused)
        observed = merge_polls(*groups)
        quarantined = _quarantined_keys(refused.values())
        observed = {key: item for key, item in observed.items() if key not in quarantined}
        outcome = apply_poll(
            observed, rules=rules, wallet_height=wallet_height, window_from=start, actor=actor, now=now,
            refused=list(refused.values()),
        )
    if outcome.credited or outcome.vanished or outcome.flags:
        logger.info("claims poll: %s", outcome)
    if outcome.quarantined:
        reasons = "; ".join(r.reason for r in list(refused.values())[:5])
        logger.warning("claims poll: %d unreadable wallet entr%s quarantined for review: %s", outcome.quarantined,
                       "y" if outcome.quarantined == 1 else "ies", reasons)
    return outcome


def _quarantined_keys(refused: Iterable[RefusedTransfer]) -> set[tuple[str, int, int]]:
    """Deposit keys with a refused entry in any of the poll's calls: none of their outputs is used."""
    return {(r.txid, r.major, r.minor) for r in refused if r.major is not None and r.minor is not None}
