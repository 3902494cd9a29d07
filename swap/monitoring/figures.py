"""What the database says at scrape time, in queries that stay cheap with millions of rows.

Every figure over a big table comes from the tallies (`swap.tallies`: one small table read once);
the rest are reads of small tables (rounds, the claims ledger, the watchdog's cursors and checks)
or of the few *open* rows of a big one through an index (transactions not final yet, deposits
still waited on). bench/metrics_scrape.py measures it with a million rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone

from bonuses.models import ServiceNodeSnapshot
from claims.models import ClaimsLedger, Deposit, DepositState
from swap import ratelimit
from swap.chain.models import ChainAccount, L2Transaction, L2TxPurpose, L2TxStatus
from swap.distributions.models import DistributionRound, RoundStatus
from swap.tallies import counters
from swap.tallies.models import Tally
from swap.watchdog.models import Alert, ClaimCheck, ProposalCheck, Verdict, WatchCursor

log = logging.getLogger(__name__)
# Deposits waiting on the chain (confirmations); `pending_minimum` ones wait for their holder to send more.
WAITING_DEPOSIT_STATES = (DepositState.SEEN,)
# Rounds whose root is (or is about to be) claimable: what the distributor must hold.
OWED_ROUND_STATUSES = (RoundStatus.PROPOSED, RoundStatus.PENDING, RoundStatus.ACTIVE)


@dataclass
class Figures:
    """Everything the collector exports from the database (ages in seconds, amounts atomic)."""

    tallies: dict[str, dict[tuple[str, str], Tally]]
    oldest_unconfirmed_age: float
    signer_address: str
    payout_gas_estimate: int
    latest_snapshot_height: int | None
    latest_snapshot_age: float | None
    oldest_waiting_deposit_age: float
    pool_atomic: dict[str, int]
    pool_remaining_atomic: dict[str, int]
    owed_total_atomic: int
    rounds_by_status: dict[str, int]
    pending_activation_at: float
    watchdog_heartbeat_at: float
    watchdog_vetoes: int
    watchdog_mismatches: int
    watchdog_open_alerts: int
    rate_limit_hits: dict[str, int]
    collected_at: datetime = field(default_factory=timezone.now)

    def tally(self, source: str) -> dict[tuple[str, str], Tally]:
        return self.tallies.get(source, {})


def _age(now: datetime, then: datetime | None) -> float:
    return max(0.0, (now - then).total_seconds()) if then else 0.0


def _timestamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment else 0.0


def _signer_address() -> str:
    """The publisher's address as the outbox knows it (no key is loaded by the web tier)."""
    account = ChainAccount.objects.filter(chain_id=settings.L2_CHAIN_ID).order_by("-updated_at").first()
    return account.address if account else ""


def _payout_gas_estimate() -> int:
    """Gas of the last confirmed payout batch, else the setting's estimate."""
    last = (L2Transaction.objects.filter(status=L2TxStatus.CONFIRMED, purpose=L2TxPurpose.PAYOUT_BATCH,
                                         gas_used__isnull=False)
            .order_by("-id").values_list("gas_used", flat=True).first())
    return int(last or settings.METRICS_PAYOUT_BATCH_GAS)


def _pools(rounds: list[DistributionRound]) -> tuple[dict[str, int], dict[str, int]]:
    """Each program's pool and what is left of it: bonus by the latest frozen round, claims by the ledger."""
    pools = {"bonus": int(settings.SNB_POOL_ATOMIC), "claims": int(settings.CLAIMS_POOL_ATOMIC)}
    frozen = [r for r in rounds if r.status not in (RoundStatus.DRAFT, RoundStatus.VETOED)]
    latest = max(frozen, key=lambda r: r.number, default=None)
    bonus_allocated = latest.bonus_total_atomic if latest else 0
    ledger = ClaimsLedger.objects.filter(pk=1).first()
    if ledger is not None and ledger.pool_atomic:
        pools["claims"] = ledger.pool_atomic
    credited = ledger.credited_sesh_atomic if ledger else 0
    return pools, {"bonus": pools["bonus"] - bonus_allocated, "claims": pools["claims"] - credited}


def _rate_limit_hits() -> dict[str, int]:
    """The cache's hit counters; none when the cache does not answer (the scrape still does)."""
    try:
        return ratelimit.hits()
    except Exception as error:  # noqa: BLE001 - a cache outage must not break the scrape
        log.warning("metrics: the cache is unreachable: %s", type(error).__name__)
        return {}


def collect_figures() -> Figures:
    """Read every database figure (about fifteen small queries)."""
    now = timezone.now()
    rounds = list(DistributionRound.objects.only(
        "number", "status", "total_atomic", "bonus_total_atomic", "activates_at"))
    pools, remaining = _pools(rounds)
    oldest_open = L2Transaction.objects.filter(status__in=L2Transaction.OPEN_STATUSES).aggregate(t=Min("created_at"))
    oldest_waiting = Deposit.objects.filter(state__in=WAITING_DEPOSIT_STATES).aggregate(t=Min("first_seen_at"))
    latest_snapshot = ServiceNodeSnapshot.objects.order_by("-height").only("height", "captured_at").first()
    pending = [r.activates_at for r in rounds if r.status == RoundStatus.PENDING and r.activates_at]
    owed = [r.total_atomic for r in rounds if r.status in OWED_ROUND_STATUSES]
    heartbeat = WatchCursor.objects.filter(chain_id=settings.L2_CHAIN_ID).aggregate(t=Max("last_pass_at"))["t"]
    by_status = dict.fromkeys(RoundStatus.values, 0)
    by_status.update({r["status"]: r["n"] for r in DistributionRound.objects.values("status").annotate(n=Count("id"))})
    return Figures(
        tallies=counters.read_all(),
        oldest_unconfirmed_age=_age(now, oldest_open["t"]),
        signer_address=_signer_address(),
        payout_gas_estimate=_payout_gas_estimate(),
        latest_snapshot_height=latest_snapshot.height if latest_snapshot else None,
        latest_snapshot_age=_age(now, latest_snapshot.captured_at) if latest_snapshot else None,
        oldest_waiting_deposit_age=_age(now, oldest_waiting["t"]),
        pool_atomic=pools,
        pool_remaining_atomic=remaining,
        owed_total_atomic=max(owed, default=0),
        rounds_by_status=by_status,
        pending_activation_at=_timestamp(max(pending, default=None)),
        watchdog_heartbeat_at=_timestamp(heartbeat),
        watchdog_vetoes=ProposalCheck.objects.exclude(vetoed_tx_hash="").count(),
        watchdog_mismatches=(ProposalCheck.objects.filter(verdict=Verdict.MISMATCH).count()
                             + ClaimCheck.objects.filter(verdict=Verdict.MISMATCH).count()),
        watchdog_open_alerts=Alert.objects.filter(acknowledged_at__isnull=True).count(),
        rate_limit_hits=_rate_limit_hits(),
        collected_at=now,
    )
