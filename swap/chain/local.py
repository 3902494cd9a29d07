"""A local chain for the demo and the tests: deploy TestSESH and SwapDistributor through the outbox.

Only on anvil's chain id (31337): TestSESH is a stand-in token, and this module mines blocks on
demand (`anvil_mine`) so confirmations arrive without waiting. Everything still goes through the
outbox — nonce from the database, stored bytes, confirmations — so the demo exercises the same
path as production.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from swap.chain import contracts, outbox
from swap.chain.client import get_client
from swap.chain.errors import PermanentChainError
from swap.chain.models import L2Transaction
from swap.chain.signer import ANVIL_CHAIN_ID
from swap.chain.tracking import track_transactions


class NotALocalChainError(PermanentChainError):
    """Local-chain helpers refuse any chain but anvil's."""


@dataclass(frozen=True)
class LocalDeployment:
    token: str
    distributor: str
    deploy_block: int


def _require_local() -> None:
    if settings.L2_CHAIN_ID != ANVIL_CHAIN_ID:
        raise NotALocalChainError(f"local deployment only on chain id {ANVIL_CHAIN_ID}, not {settings.L2_CHAIN_ID}")


def mine(blocks: int = 1) -> None:
    _require_local()
    get_client().request("anvil_mine", [hex(blocks)])


def wait_final(tx_ids: Iterable[int], *, timeout: float = 60.0) -> list[L2Transaction]:
    """Run tracker passes, mining a block between them, until every transaction is final."""
    _require_local()
    ids = list(tx_ids)
    deadline = time.monotonic() + timeout
    while True:
        track_transactions(actor="local:wait_final")
        txs = list(L2Transaction.objects.filter(pk__in=ids).order_by("id"))
        if all(tx.status in L2Transaction.FINAL_STATUSES for tx in txs):
            return txs
        if time.monotonic() > deadline:
            raise TimeoutError(f"not final after {timeout:.0f} s: {[str(t) for t in txs]}")
        mine()
        time.sleep(0.02)


def _send(purpose: str, subject: str, to: str, data: str) -> L2Transaction:
    with transaction.atomic():
        return outbox.enqueue(purpose=purpose, subject=subject, to=to, data=data, actor="local:deploy")


def _confirmed(tx: L2Transaction) -> L2Transaction:
    (final,) = wait_final([tx.pk])
    if final.status != L2Transaction.Status.CONFIRMED:
        raise PermanentChainError(f"{final} did not succeed: {final.error or final.status}")
    return final


def deploy_local_contracts(*, supply_atomic: int, fund_atomic: int) -> LocalDeployment:
    """Deploy TestSESH (whole supply to the signer) and SwapDistributor (signer as admin, publisher
    and pauser), and fund the distributor with `fund_atomic`. Returns the addresses."""
    _require_local()
    token_artifact = contracts.load_artifact(contracts.TOKEN)
    distributor_artifact = contracts.load_artifact(contracts.DISTRIBUTOR)
    deploy = L2Transaction.Purpose.DEPLOY
    token_tx = _confirmed(_send(deploy, "contract:TestSESH", "", token_artifact.deploy_data(supply_atomic)))
    signer = token_tx.sender
    constructor = distributor_artifact.deploy_data(token_tx.contract_address, signer, 0)
    distributor_tx = _confirmed(_send(deploy, "contract:SwapDistributor", "", constructor))
    token, distributor = token_tx.contract_address, distributor_tx.contract_address
    admin = L2Transaction.Purpose.ADMIN
    follow_ups = [
        _send(admin, "role:publisher", distributor, contracts.grant_role_data(contracts.PUBLISHER_ROLE, signer)),
        _send(admin, "role:pauser", distributor, contracts.grant_role_data(contracts.PAUSER_ROLE, signer)),
    ]
    if fund_atomic:
        funding = contracts.transfer_data(distributor, fund_atomic)
        follow_ups.append(_send(L2Transaction.Purpose.FUND, "fund:distributor", token, funding))
    for tx in follow_ups:
        _confirmed(tx)
    return LocalDeployment(token=token, distributor=distributor, deploy_block=distributor_tx.block_number or 0)
