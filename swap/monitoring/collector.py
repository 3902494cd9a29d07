"""The business figures as Prometheus metric families, built at scrape time.

Names follow Prometheus' conventions: the `sesh_` prefix, base units (seconds, wei, atomic SESH),
`_total` on counters. The list with meanings is docs/operations.md, "Metrics, alerts and logs";
tests/monitoring/test_alert_rules.py checks that every metric an alert uses is exported here.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from django.conf import settings
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from claims.models import DepositState
from swap.chain.models import AttemptKind, L2TxPurpose, L2TxStatus
from swap.monitoring import probes
from swap.monitoring.figures import Figures, collect_figures
from swap.tallies import counters


def _gauge(name: str, documentation: str, value: float | None) -> Metric:
    """A gauge family, declared even when its value is unknown (a peer down): then it has no sample."""
    family = GaugeMetricFamily(name, documentation)
    if value is not None:
        family.add_metric([], value)
    return family


def _up(name: str, what: str, probe: probes.Probe | None) -> Metric:
    """1 or 0; no sample when the peer is not configured at all."""
    return _gauge(name, f"1 when {what} answered this scrape, 0 when it did not (no sample: not configured)",
                  None if probe is None else int(probe.up))


def _answer(probe: probes.Probe | None, key: str) -> int | None:
    return probe.values.get(key) if probe is not None and probe.up else None


def _outbox(figures: Figures) -> Iterator[Metric]:
    family = GaugeMetricFamily("sesh_outbox_transactions", "L2 transactions of the outbox by purpose and status",
                               labels=["purpose", "status"])
    tally = figures.tally("outbox")
    for purpose in L2TxPurpose.values:
        for status in L2TxStatus.values:
            row = tally.get((purpose, status))
            family.add_metric([purpose, status], row.row_count if row else 0)
    yield family
    yield GaugeMetricFamily("sesh_outbox_oldest_unconfirmed_age_seconds",
                            "age of the oldest transaction not final yet (0 when none)",
                            value=figures.oldest_unconfirmed_age)
    attempts = CounterMetricFamily("sesh_outbox_replacements", "attempts signed after the original, by kind",
                                   labels=["kind"])
    for kind in (AttemptKind.REPLACEMENT, AttemptKind.CANCEL):
        row = figures.tally("attempts").get((kind, ""))
        attempts.add_metric([kind], row.row_count if row else 0)
    yield attempts


def _chain(figures: Figures, l2: probes.Probe | None) -> Iterator[Metric]:
    yield _up("sesh_l2_up", "the L2 node", l2)
    paid = sum(row.amount_sum for row in figures.tally("claims_paid").values())
    yield CounterMetricFamily("sesh_claimed_atomic", "SESH paid by the distributor (indexed final Claimed events)",
                              value=paid)
    yield GaugeMetricFamily("sesh_distributor_outstanding_atomic",
                            "SESH the distributor still owes: the largest proposed, pending or active round total "
                            "minus what it paid", value=max(0, figures.owed_total_atomic - paid))
    yield _gauge("sesh_l2_block_height", "the L2 node's latest block", _answer(l2, "height"))
    balance = _answer(l2, "signer_balance_wei")
    yield _gauge("sesh_signer_balance_wei", "the publisher's ETH balance", balance)
    cost = figures.payout_gas_estimate * int(settings.L2_MAX_FEE_PER_GAS)
    yield _gauge("sesh_signer_payouts_covered", "payout batches the signer's ETH still pays for at the fee ceiling "
                 "(gas of the last confirmed batch × L2_MAX_FEE_PER_GAS)",
                 None if balance is None or not cost else balance // cost)
    yield _gauge("sesh_distributor_balance_atomic", "the distributor's SESH balance",
                 _answer(l2, "distributor_balance_atomic"))


def _lag(ahead: int | None, behind: int | None) -> int | None:
    return None if ahead is None or behind is None else max(0, ahead - behind)


def _oxen(figures: Figures, oxend: probes.Probe | None, wallet: probes.Probe | None) -> Iterator[Metric]:
    yield _gauge("sesh_snapshot_latest_height", "height of the latest stored service-node snapshot",
                 figures.latest_snapshot_height)
    yield _gauge("sesh_snapshot_latest_age_seconds", "time since the latest snapshot was stored",
                 figures.latest_snapshot_age)
    yield _up("sesh_oxend_up", "oxend", oxend)
    yield _up("sesh_wallet_up", "the claims wallet RPC", wallet)
    oxend_height, wallet_height = _answer(oxend, "height"), _answer(wallet, "height")
    yield _gauge("sesh_oxend_height", "oxend's chain length (blocks)", oxend_height)
    top = None if oxend_height is None else oxend_height - 1
    yield _gauge("sesh_snapshot_lag_blocks", "oxend's top block minus the latest snapshot's height",
                 _lag(top, figures.latest_snapshot_height))
    yield _gauge("sesh_wallet_height", "blocks the claims wallet has synced", wallet_height)
    yield _gauge("sesh_wallet_lag_blocks", "oxend's height minus the wallet's", _lag(oxend_height, wallet_height))


def _claims_and_rounds(figures: Figures) -> Iterator[Metric]:
    deposits = GaugeMetricFamily("sesh_deposits", "claim deposits by state (seen and pending_minimum are waiting)",
                                 labels=["state"])
    for state in DepositState.values:
        row = figures.tally("deposits").get((state, ""))
        deposits.add_metric([state], row.row_count if row else 0)
    yield deposits
    yield GaugeMetricFamily("sesh_deposits_oldest_waiting_age_seconds",
                            "age of the oldest deposit still waiting for confirmations (state seen; 0 when none)",
                            value=figures.oldest_waiting_deposit_age)
    pool = GaugeMetricFamily("sesh_pool_atomic", "each program's pool", labels=["program"])
    remaining = GaugeMetricFamily("sesh_pool_remaining_atomic",
                                  "pool not allocated yet: bonus minus the latest frozen round's bonus total, "
                                  "claims minus credited", labels=["program"])
    for program in sorted(figures.pool_atomic):
        pool.add_metric([program], figures.pool_atomic[program])
        remaining.add_metric([program], figures.pool_remaining_atomic[program])
    yield pool
    yield remaining
    rounds = GaugeMetricFamily("sesh_rounds", "distribution rounds by status", labels=["status"])
    for status, count in sorted(figures.rounds_by_status.items()):
        rounds.add_metric([status], count)
    yield rounds
    yield GaugeMetricFamily("sesh_round_pending_activation_timestamp_seconds",
                            "when the pending root becomes claimable (unix time; 0 when none is pending)",
                            value=figures.pending_activation_at)


def _watchdog(figures: Figures) -> Iterator[Metric]:
    yield GaugeMetricFamily("sesh_watchdog_heartbeat_timestamp_seconds",
                            "end of the watchdog's last completed pass (unix time; 0 when never)",
                            value=figures.watchdog_heartbeat_at)
    age = figures.collected_at.timestamp() - figures.watchdog_heartbeat_at if figures.watchdog_heartbeat_at else None
    yield GaugeMetricFamily("sesh_watchdog_heartbeat_age_seconds",
                            "time since the watchdog's last completed pass (+Inf when never)",
                            value=age if age is not None else float("inf"))
    yield CounterMetricFamily("sesh_watchdog_vetoes", "roots the watchdog vetoed", value=figures.watchdog_vetoes)
    yield CounterMetricFamily("sesh_watchdog_mismatches", "proposals and claims the watchdog found wrong",
                              value=figures.watchdog_mismatches)
    yield GaugeMetricFamily("sesh_watchdog_open_alerts", "watchdog alerts not acknowledged",
                            value=figures.watchdog_open_alerts)


def _labelled_counter(name: str, documentation: str, label: str, counts: dict[str, int]) -> Metric:
    family = CounterMetricFamily(name, documentation, labels=[label])
    for key, count in sorted(counts.items()):
        family.add_metric([key], count)
    return family


def _event_counts(figures: Figures, source: str) -> dict[str, int]:
    return {key: row.row_count for (key, _), row in figures.tally(source).items()}


def _events(figures: Figures, queues: probes.Probe | None) -> Iterator[Metric]:
    registrations = figures.tally("registrations").get(("", ""))
    yield CounterMetricFamily("sesh_registrations", "registration rows stored (first ones and changes of address)",
                              value=registrations.row_count if registrations else 0)
    yield _labelled_counter("sesh_registration_refusals", "refused registration problems by reason code", "reason",
                            _event_counts(figures, counters.REGISTRATION_REFUSALS))
    yield _labelled_counter("sesh_rate_limit_hits", "requests refused by a rate limit, by limit", "limit",
                            figures.rate_limit_hits)
    yield _labelled_counter("sesh_task_failures", "Celery tasks that failed on a worker, by task", "task",
                            _event_counts(figures, counters.TASK_FAILURES))
    yield _up("sesh_celery_broker_up", "the Celery broker", queues)
    lengths = GaugeMetricFamily("sesh_celery_queue_length", "tasks waiting in each Celery queue", labels=["queue"])
    for queue, length in sorted(queues.values.items() if queues is not None and queues.up else ()):
        lengths.add_metric([queue], length)
    yield lengths


class BusinessCollector(Collector):
    """Registered on the scrape's registry: reads the database and the peers on every `collect`."""

    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        figures = collect_figures()
        l2, oxend, wallet = probes.l2(figures.signer_address), probes.oxend(), probes.wallet()
        queues = probes.celery_queues()
        yield from _outbox(figures)
        yield from _chain(figures, l2)
        yield from _oxen(figures, oxend, wallet)
        yield from _claims_and_rounds(figures)
        yield from _watchdog(figures)
        yield from _events(figures, queues)
        yield GaugeMetricFamily("sesh_metrics_collect_seconds", "time this scrape took to read the figures",
                                value=time.perf_counter() - started)
