"""Transactions sent straight from a key other than the service's publisher, outside the outbox.

The outbox (`swap.chain.outbox`) holds the publisher's transactions only, and signs nothing it
cannot re-derive from a frozen round or a payout batch. Three other keys act on the chain, each
rarely and each with its own reason not to queue behind the publisher:

- the watchdog's guardian key: a veto or a pause must go out within one poll, whatever the
  publisher's queue holds, and it is idempotent by chain state (the next poll looks again);
- the deployer key: contracts and the Safe, once, before the service runs;
- the key that pays the gas of a Safe transaction the owners already signed (the signatures,
  not this key, authorise it).

`send_and_wait` takes the nonce from the node (each of these keys has one sender at a time),
signs, broadcasts, and waits for the receipt; a revert comes back decoded from the ABIs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from swap.chain.client import ChainClient
from swap.chain.contracts import describe_revert
from swap.chain.errors import ExecutionRevertedError, PermanentChainError, TransientChainError
from swap.chain.outbox import GAS_MARGIN_DENOMINATOR, GAS_MARGIN_NUMERATOR, suggest_fees
from swap.chain.signer import Signer
from swap.core.eth_address import normalize_eth_address

RECEIPT_TIMEOUT_SECONDS = 120.0


class DirectTransactionReverted(PermanentChainError):
    """The contract refused the call; the message names its error (`NotPending(0x…)`, `GS020`)."""


@dataclass(frozen=True)
class SentTransaction:
    tx_hash: str
    block_number: int
    gas_used: int
    contract_address: str
    logs: list[dict[str, Any]]


def _estimate(client: ChainClient, call: dict[str, Any]) -> int:
    try:
        return client.estimate_gas(call) * GAS_MARGIN_NUMERATOR // GAS_MARGIN_DENOMINATOR
    except ExecutionRevertedError as error:
        raise DirectTransactionReverted(describe_revert(str(error))) from None


def send_and_wait(
    client: ChainClient, signer: Signer, *, to: str | None, data: str, value: int = 0,
    timeout: float = RECEIPT_TIMEOUT_SECONDS, mine: bool = False,
) -> SentTransaction:
    """Sign `data` to `to` (None: a contract creation) with `signer`, send it, wait for its receipt.

    Raises `DirectTransactionReverted` when the node's gas estimate already shows a revert or the
    mined receipt has status 0. `mine` asks a local node (anvil) to mine a block after sending.
    """
    to = normalize_eth_address(to) if to else None
    call: dict[str, Any] = {"from": signer.address, "data": data, "value": hex(value)}
    if to:
        call["to"] = to
    gas = _estimate(client, call)
    max_fee, tip = suggest_fees(client)
    fields: dict[str, Any] = {
        "type": 2, "chainId": client.chain_id, "nonce": client.get_nonce(signer.address, "pending"), "gas": gas,
        "maxFeePerGas": max_fee, "maxPriorityFeePerGas": tip, "value": value, "data": data,
    }
    if to:
        fields["to"] = to
    raw, tx_hash_bytes = signer.sign(fields)
    tx_hash = "0x" + tx_hash_bytes.hex()
    client.send_raw_transaction(raw)
    if mine:
        client.request("evm_mine")
    receipt = _wait_receipt(client, tx_hash, timeout)
    if int(receipt["status"], 16) != 1:
        raise DirectTransactionReverted(f"{tx_hash} reverted on chain")
    created = receipt.get("contractAddress")
    return SentTransaction(
        tx_hash=tx_hash, block_number=int(receipt["blockNumber"], 16), gas_used=int(receipt["gasUsed"], 16),
        contract_address=normalize_eth_address(created) if created else "", logs=list(receipt.get("logs") or []),
    )


def _wait_receipt(client: ChainClient, tx_hash: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        receipt = client.get_receipt(tx_hash)
        if receipt is not None:
            return receipt
        if time.monotonic() > deadline:
            raise TransientChainError(f"{tx_hash} not mined after {timeout:.0f} s")
        time.sleep(0.2)
