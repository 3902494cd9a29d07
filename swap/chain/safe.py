"""Safe multisig transactions: the admin of the distributor is a Safe, never a single key.

A Safe executes a call only with signatures of `threshold` of its owners over the call's EIP-712
hash (`SafeTx`, domain = chain id + the Safe's address, nonce = the Safe's own counter). This
module builds that hash exactly as Safe's contracts (1.3 and later, here 1.4.1 from the npm
package `@safe-global/safe-contracts`) compute it, checks it against the Safe's own
`getTransactionHash`, collects owner signatures (65 bytes each, `r ‖ s ‖ v`, sorted by owner
address as the contract requires), and encodes `execTransaction`. Owners of a real Safe sign
what `manage.py safe_admin` prints with their own wallets; only on the local chain does the
service sign with the demo owners (`swap.chain.local`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from eth_abi import encode
from eth_account import Account

from swap.chain import contracts
from swap.chain.client import ChainClient
from swap.core.eth_address import normalize_eth_address
from swap.core.keccak import keccak256

ZERO_ADDRESS = "0x" + "00" * 20
CALL = 0  # Safe operation: a plain call (never a delegatecall from this service)
DOMAIN_TYPEHASH = keccak256(b"EIP712Domain(uint256 chainId,address verifyingContract)")
SAFE_TX_TYPEHASH = keccak256(
    b"SafeTx(address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,uint256 baseGas,"
    b"uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce)"
)


class SafeError(RuntimeError):
    """A Safe transaction cannot be built, signed or executed as asked."""


@dataclass(frozen=True)
class SafeTransaction:
    """One call the Safe's owners are asked to approve (no gas refunds, operation CALL)."""

    safe: str
    chain_id: int
    to: str
    data: str
    nonce: int
    value: int = 0
    operation: int = CALL
    safe_tx_gas: int = 0
    base_gas: int = 0
    gas_price: int = 0
    gas_token: str = ZERO_ADDRESS
    refund_receiver: str = ZERO_ADDRESS

    @property
    def safe_tx_hash(self) -> str:
        """The EIP-712 digest the owners sign (Safe's `getTransactionHash`)."""
        domain = keccak256(encode(["bytes32", "uint256", "address"], [DOMAIN_TYPEHASH, self.chain_id, self.safe]))
        struct = keccak256(
            encode(
                ["bytes32", "address", "uint256", "bytes32", "uint8", "uint256", "uint256", "uint256", "address",
                 "address", "uint256"],
                [SAFE_TX_TYPEHASH, self.to, self.value, keccak256(bytes.fromhex(self.data[2:])), self.operation,
                 self.safe_tx_gas, self.base_gas, self.gas_price, self.gas_token, self.refund_receiver, self.nonce],
            )
        )
        return "0x" + keccak256(b"\x19\x01" + domain + struct).hex()

    def describe(self) -> dict[str, Any]:
        """What an owner checks and signs: every field, and the hash to sign."""
        return {**asdict(self), "safe_tx_hash": self.safe_tx_hash}

    def to_json(self) -> str:
        return json.dumps(self.describe(), indent=2, sort_keys=True)


def safe_read(client: ChainClient, safe: str, function: str, *args: Any) -> Any:
    return contracts.read(client, contracts.SAFE, safe, function, *args)


def owners(client: ChainClient, safe: str) -> list[str]:
    return [normalize_eth_address(o) for o in safe_read(client, safe, "getOwners")]


def threshold(client: ChainClient, safe: str) -> int:
    return int(safe_read(client, safe, "getThreshold"))


def build(client: ChainClient, safe: str, *, to: str, data: str, nonce_offset: int = 0) -> SafeTransaction:
    """The next Safe transaction calling `to` with `data`, at the Safe's current nonce (+ `nonce_offset`,
    for transactions queued behind others the owners have not executed yet).

    The digest is computed here and compared with the Safe's own `getTransactionHash`, so a
    mistake in either can never have owners sign something the contract reads differently.
    """
    tx = SafeTransaction(
        safe=normalize_eth_address(safe), chain_id=client.chain_id, to=normalize_eth_address(to), data=data,
        nonce=int(safe_read(client, safe, "nonce")) + nonce_offset,
    )
    on_chain = "0x" + bytes(
        safe_read(client, safe, "getTransactionHash", tx.to, tx.value, bytes.fromhex(data[2:]), tx.operation,
                  tx.safe_tx_gas, tx.base_gas, tx.gas_price, tx.gas_token, tx.refund_receiver, tx.nonce)
    ).hex()
    if on_chain != tx.safe_tx_hash:
        raise SafeError(f"the Safe at {safe} hashes this transaction as {on_chain}, not {tx.safe_tx_hash}")
    return tx


def sign(tx: SafeTransaction, private_key: bytes) -> tuple[str, bytes]:
    """(owner address, 65-byte signature) of one owner over the transaction's digest."""
    owner = Account.from_key(private_key)
    signed = Account.unsafe_sign_hash(bytes.fromhex(tx.safe_tx_hash[2:]), private_key)
    signature = signed.r.to_bytes(32, "big") + signed.s.to_bytes(32, "big") + bytes([signed.v])
    return normalize_eth_address(owner.address), signature


def pack_signatures(signatures: dict[str, bytes]) -> bytes:
    """The owners' signatures in ascending owner-address order, as `checkSignatures` requires."""
    ordered = sorted(signatures.items(), key=lambda item: int(item[0], 16))
    for owner, signature in ordered:
        if len(signature) != 65:
            raise SafeError(f"the signature of {owner} is {len(signature)} bytes, not 65")
    return b"".join(signature for _, signature in ordered)


def exec_transaction_data(tx: SafeTransaction, signatures: dict[str, bytes]) -> str:
    """`execTransaction(…)` call data: anyone may send it; the signatures authorise it."""
    return contracts.load_artifact(contracts.SAFE).encode_call(
        "execTransaction", tx.to, tx.value, bytes.fromhex(tx.data[2:]), tx.operation, tx.safe_tx_gas, tx.base_gas,
        tx.gas_price, tx.gas_token, tx.refund_receiver, pack_signatures(signatures),
    )


def setup_data(owner_addresses: list[str], threshold_: int) -> str:
    """The initializer of a new Safe proxy: owners and threshold, no modules, no fallback handler."""
    return contracts.load_artifact(contracts.SAFE).encode_call(
        "setup", owner_addresses, threshold_, ZERO_ADDRESS, b"", ZERO_ADDRESS, ZERO_ADDRESS, 0, ZERO_ADDRESS
    )
