"""What the chains and the broker say at scrape time: one short call each, never an exception.

A peer that is down, slow or misconfigured gives `up = 0` and no figures, so the scrape still
answers (and the alerts on `up` fire). Each call has `METRICS_PROBE_TIMEOUT_SECONDS` and no
retry; the clients are cached per process like the services' own.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from typing import Any

import redis
from django.conf import settings

from claims.services.config import wallet_login
from claims.wallet_rpc import WalletRpcClient
from swap.chain.client import ChainClient
from swap.chain.contracts import token_balance
from swap.oxen_rpc import RetryPolicy
from swap.oxend import OxendClient

log = logging.getLogger(__name__)
NO_RETRY = RetryPolicy(attempts=1)


@dataclass
class Probe:
    """One peer's answer: `up` and, when up, its figures."""

    up: bool
    values: dict[str, int] = field(default_factory=dict)


def _timeout() -> float:
    return float(settings.METRICS_PROBE_TIMEOUT_SECONDS)


def _probe(name: str, read: Any) -> Probe:
    try:
        return Probe(True, read())
    except Exception as error:  # noqa: BLE001 - any failure of a peer is "down" for the scrape
        log.warning("metrics: %s is unreachable: %s", name, type(error).__name__)
        return Probe(False)


@functools.lru_cache(maxsize=4)
def _oxend(url: str, network: str, timeout: float) -> OxendClient:
    return OxendClient(url, network=network, connect_timeout=timeout, read_timeout=timeout, retry=NO_RETRY)


@functools.lru_cache(maxsize=4)
def _wallet(url: str, login: tuple[str, str] | None, timeout: float) -> WalletRpcClient:
    return WalletRpcClient(url, auth=login, connect_timeout=timeout, read_timeout=timeout, retry=NO_RETRY)


@functools.lru_cache(maxsize=4)
def _l2(url: str, chain_id: int, timeout: float) -> ChainClient:
    return ChainClient(url, chain_id=chain_id, timeout=timeout)


def oxend() -> Probe | None:
    """oxend's chain height (blocks), or None when no oxend is configured."""
    if not settings.OXEND_RPC_URL:
        return None
    client = _oxend(settings.OXEND_RPC_URL, settings.OXEN_NETWORK, _timeout())
    return _probe("oxend", lambda: {"height": int(client.get_height()["height"])})


def wallet() -> Probe | None:
    """The claims wallet's synced height, or None when no wallet is configured."""
    if not settings.OXEN_WALLET_RPC_URL:
        return None

    def read() -> dict[str, int]:
        client = _wallet(settings.OXEN_WALLET_RPC_URL, wallet_login(), _timeout())
        return {"height": int(client.get_height()["height"])}

    return _probe("wallet RPC", read)


def l2(signer_address: str) -> Probe | None:
    """The L2 head, the signer's ETH and the distributor's SESH, or None when no node is configured."""
    if not settings.L2_RPC_URL:
        return None

    def read() -> dict[str, int]:
        client = _l2(settings.L2_RPC_URL, int(settings.L2_CHAIN_ID), _timeout())
        client.assert_chain_id()
        values = {"height": client.block_number()}
        if signer_address:
            values["signer_balance_wei"] = client.get_balance(signer_address)
        if settings.L2_TOKEN_ADDRESS and settings.L2_DISTRIBUTOR_ADDRESS:
            values["distributor_balance_atomic"] = token_balance(
                client, settings.L2_TOKEN_ADDRESS, settings.L2_DISTRIBUTOR_ADDRESS)
        return values

    return _probe("L2 node", read)


def task_queues() -> list[str]:
    """Every queue the service's tasks go to: Celery's default one and each routed one (the L2's, the watchdog's)."""
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    return sorted(routed | {settings.CELERY_TASK_DEFAULT_QUEUE})


def celery_queues() -> Probe | None:
    """Tasks waiting per queue in the Redis broker, or None without a broker (tasks run in-process)."""
    url = settings.CELERY_BROKER_URL
    if not url or not url.startswith(("redis://", "rediss://", "unix://")):
        return None

    def read() -> dict[str, int]:
        client = redis.Redis.from_url(url, socket_timeout=_timeout(), socket_connect_timeout=_timeout())
        try:
            return {queue: int(client.llen(queue)) for queue in task_queues()}
        finally:
            client.close()

    return _probe("Celery broker", read)
