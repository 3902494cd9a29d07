"""The simulated Oxen wallet behind oxen-wallet-rpc: subaddresses and incoming transfers.

It follows oxen-wallet-rpc.md: sequential subaddress indices per account, subaddresses that live
in memory until `store` (a `crash` forgets the unstored ones, so an index can be issued twice,
as in the real wallet), one `in` entry per received output, unmined blinks with height 0, and a
reorg deleting every entry mined at or above the fork height. The wallet's synced height follows
the chain unless a test freezes it (`set_sync_height`) to play a stalled wallet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from swap.simulator.addresses import WalletKeys, derive_address
from swap.simulator.chain import BLOCK_REWARD, SimChain, SimulationError, locked
from swap.simulator.nodes import fake_hex

DEFAULT_FEE = 31_000_000
NO_PAYMENT_ID = "0000000000000000"


class AccountOutOfBound(LookupError):
    """No such account (wallet RPC -14)."""


class AddressOutOfBound(LookupError):
    """No such subaddress in the account (wallet RPC -15)."""


@dataclass
class Subaddress:
    address: str
    label: str = ""


@dataclass
class Output:
    """One received output: an `in` entry of get_transfers."""

    txid: str
    major: int
    minor: int
    amount: int
    height: int  # 0 while an unmined blink
    timestamp: int
    blink: bool
    unlock_time: int
    fee: int


class SimWallet:
    def __init__(self, chain: SimChain, *, keys: WalletKeys | None = None, accounts: int = 2) -> None:
        self.chain = chain
        self.lock = chain.lock
        self.keys = keys or WalletKeys.from_seed(f"{chain.seed}:wallet".encode(), chain.nettype)
        self.accounts: list[list[Subaddress]] = []
        for major in range(max(1, accounts)):
            self.accounts.append(
                [Subaddress(derive_address(self.keys, major, 0), "Primary account" if not major else "")]
            )
        self._stored = [len(subaddresses) for subaddresses in self.accounts]
        self.outputs: list[Output] = []
        self.sync_height: int | None = None
        self.stores = 0
        chain.on_reorg(self._drop_from)

    # --- heights ------------------------------------------------------------------------------

    @property
    def height(self) -> int:
        """Blocks the wallet has synced (top index + 1), not the daemon's height."""
        if self.sync_height is None:
            return self.chain.length
        return min(self.sync_height, self.chain.length)

    @locked
    def set_sync_height(self, height: int | None) -> None:
        """Freeze the wallet's synced height (a stalled wallet), or None to follow the chain."""
        self.sync_height = height

    # --- subaddresses -------------------------------------------------------------------------

    def _account(self, account_index: int) -> list[Subaddress]:
        if not 0 <= account_index < len(self.accounts):
            raise AccountOutOfBound("account index is out of bound")
        return self.accounts[account_index]

    @locked
    def create_address(self, account_index: int = 0, label: str = "", count: int = 1) -> list[int]:
        """Append `count` subaddresses to the account; returns their (sequential) minor indices."""
        subaddresses = self._account(account_index)
        first = len(subaddresses)
        for minor in range(first, first + count):
            subaddresses.append(Subaddress(derive_address(self.keys, account_index, minor), label))
        return list(range(first, first + count))

    @locked
    def create_account(self, label: str = "") -> int:
        major = len(self.accounts)
        self.accounts.append([Subaddress(derive_address(self.keys, major, 0), label)])
        return major

    @locked
    def address(self, major: int, minor: int) -> Subaddress:
        subaddresses = self._account(major)
        if not 0 <= minor < len(subaddresses):
            raise AddressOutOfBound("address index is out of bound")
        return subaddresses[minor]

    @locked
    def store(self) -> None:
        self._stored = [len(subaddresses) for subaddresses in self.accounts]
        self.stores += 1

    @locked
    def crash(self) -> None:
        """Restart without a clean shutdown: subaddresses created since the last store are lost."""
        self.accounts = [subaddresses[:count] for subaddresses, count in zip(self.accounts, self._stored, strict=False)]

    # --- transfers ----------------------------------------------------------------------------

    @locked
    def send_to(self, address: str, amount: int, **options: Any) -> str:
        """Receive `amount` at one of this wallet's addresses, as a sender who only knows the address would pay it.

        The demo's and browser tests' way to "send OXEN to the deposit address the page shows", with no
        subaddress index to look up; `options` are `add_transfer`'s (height, blink, unlock_time, …)."""
        for major, subaddresses in enumerate(self.accounts):
            for minor, subaddress in enumerate(subaddresses):
                if subaddress.address == address:
                    return self.add_transfer([(major, minor, int(amount))], **options)
        raise SimulationError("this wallet has no such address")


    @locked
    def add_transfer(
        self,
        outputs: Iterable[Sequence[int]],
        *,
        height: int | None = None,
        blink: bool = False,
        txid: str | None = None,
        timestamp: int | None = None,
        unlock_time: int = 0,
        fee: int = DEFAULT_FEE,
        allow_zero: bool = False,
    ) -> str:
        """Receive one transaction paying `outputs` = [(major, minor, amount), …]; returns the txid.

        A blink without `height` waits unmined (height 0); otherwise the tx is mined at `height`
        (default: the top block). Plain mempool txs are not modelled: the wallet does not scan them.
        `allow_zero` plays a misbehaving wallet that lists an output of 0 (without an `amount` key,
        since the RPC omits zero values): the watcher must quarantine it, not stop.
        """
        outputs = [(int(major), int(minor), int(amount)) for major, minor, amount in outputs]
        if not outputs or any(amount < 0 or (amount == 0 and not allow_zero) for _, _, amount in outputs):
            raise SimulationError("a transfer needs at least one positive output")
        for major, minor, _ in outputs:
            try:
                self.address(major, minor)
            except LookupError:
                raise SimulationError(f"subaddress ({major}, {minor}) was never created") from None
        if height is None and not blink:
            height = self.chain.top_height
        if height is not None and not 1 <= height <= self.chain.top_height:
            raise SimulationError(f"height must be a mined block in 1..{self.chain.top_height}")
        txid = txid or fake_hex("tx", self.chain.seed, len(self.outputs), self.chain.length)
        if any(o.txid == txid for o in self.outputs):
            raise SimulationError(f"transaction {txid} is already known; mine_transfer moves it")
        seen = timestamp if timestamp is not None else self.chain.timestamp(height or self.chain.top_height)
        for major, minor, amount in outputs:
            self.outputs.append(Output(txid, major, minor, amount, height or 0, seen, blink, unlock_time, fee))
        return txid

    @locked
    def mine_transfer(self, txid: str, height: int | None = None) -> None:
        """Mine an unmined blink (or re-mine a tx) at `height`, default the top block."""
        mined = [o for o in self.outputs if o.txid == txid]
        if not mined:
            raise SimulationError(f"unknown transaction {txid}")
        height = self.chain.top_height if height is None else height
        if not 1 <= height <= self.chain.top_height:
            raise SimulationError(f"height must be a mined block in 1..{self.chain.top_height}")
        for output in mined:
            output.height = height  # a mined blink keeps its first-seen timestamp

    def _drop_from(self, fork_height: int) -> None:
        self.outputs = [o for o in self.outputs if not o.height or o.height < fork_height]

    def used(self, major: int, minor: int) -> bool:
        return any(o.major == major and o.minor == minor for o in self.outputs)

    def entry(self, output: Output) -> dict[str, Any]:
        """The get_transfers `in` entry of one output, with oxend's omissions of zero values."""
        index = {"major": output.major, "minor": output.minor}
        entry: dict[str, Any] = {
            "txid": output.txid,
            "payment_id": NO_PAYMENT_ID,
            "height": output.height,
            "timestamp": output.timestamp,
            "amount": output.amount,
            "fee": output.fee,
            "note": "",
            "type": "in",
            "unlock_time": output.unlock_time,
            "subaddr_index": index,
            "subaddr_indices": [dict(index)],
            "address": derive_address(self.keys, output.major, output.minor),
            "double_spend_seen": False,
            "checkpointed": int(0 < output.height <= self.chain.immutable_height),
            "blink_mempool": output.blink and not output.height,
            "was_blink": output.blink,
        }
        if output.amount == 0:
            del entry["amount"]  # the RPC omits zero values
        if 0 < output.height < self.height:
            entry["confirmations"] = self.height - output.height
        if output.height and not output.blink:
            entry["suggested_confirmations_threshold"] = -(-output.amount // BLOCK_REWARD)
        return entry
